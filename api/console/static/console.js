// Progressive enhancement only: every page works without this file.
// A block with data-poll is refreshed from that URL every second while it says data-running="1"
// (a projection rebuild in progress), so its progress shows without reloading the page.
(function () {
  "use strict";
  function poll(block) {
    var url = block.getAttribute("data-poll");
    function running() {
      var state = block.querySelector("[data-running]");
      return state !== null && state.getAttribute("data-running") === "1";
    }
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (answer) {
          if (!answer.ok) { throw new Error("status " + answer.status); }
          return answer.text();
        })
        .then(function (html) {
          block.innerHTML = html;
          if (running()) { window.setTimeout(refresh, 1000); }
        })
        .catch(function () { window.setTimeout(refresh, 5000); });
    }
    if (running()) { window.setTimeout(refresh, 1000); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), poll);
  });
})();
