"""The console in a real headless Chromium, against the service on a loopback port.

One browser and one server for the module; the fake WhatsApp provider on loopback
receives what the delivery worker sends. Screenshots of each main page are saved
under test-artifacts/console/ for people to look at.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.app import create_app
from application.inbound import Inbound, PressedButton
from infrastructure.bootstrap import Container, build
from infrastructure.delivery import DeliveryWorker
from tests.browser import REQUIRED, browser_problem, chromium, screenshot, served
from tests.channels import channel_settings
from tests.conftest import FakeClock, sqlite_settings
from tests.console_data import unrecognised_turn
from tests.fake_providers import FakeProviders

pytestmark = pytest.mark.slow

TOKEN = "console-browser-token"
KARIM = "+33600000001"
KARIM_WA = "33600000001"
JAMES = "+447700900001"


@dataclass
class Console:
    url: str
    container: Container
    worker: DeliveryWorker
    fake: FakeProviders
    clock: FakeClock


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    problem = browser_problem()
    if problem is not None:
        if REQUIRED:
            pytest.fail(f"a browser is required here: {problem}")
        pytest.skip(problem)
    with chromium() as driver:
        yield driver


def _whatsapp(
    container: Container, wamid: str, text: str | None = None, button: tuple[str, str] | None = None
) -> None:
    container.service.handle(
        Inbound(
            channel="whatsapp",
            message_id=wamid,
            sender=KARIM,
            text=text,
            button=PressedButton(*button) if button else None,
            reply_to={"to": KARIM_WA},
        )
    )


def _generic(container: Container, message_id: str, sender: str, text: str) -> None:
    container.service.handle(Inbound(channel="generic", message_id=message_id, sender=sender, text=text))


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Console]:
    clock = FakeClock()
    clock.now = clock.now.replace(day=10)
    with FakeProviders() as fake:
        settings = channel_settings(
            sqlite_settings(tmp_path_factory.mktemp("console")), fake, api_token=SecretStr(TOKEN)
        )
        container = build(settings, clock=clock)
        worker = container.delivery_worker()
        # A week of use: James every day, thirty people once, Karim on WhatsApp today.
        for day in range(7):
            _generic(container, f"james-{day}", JAMES, "Hello")
            clock.advance(days=1)
        for n in range(30):
            _generic(container, f"someone-{n}", f"+3361234{n:04d}", "Bonjour")
        _whatsapp(container, "wamid.hello", "Bonjour")
        _whatsapp(container, "wamid.sites", button=("menu.sites", "Mes chantiers"))
        fake.fail_next("whatsapp", code=131026, times=1)  # the reply to "blabla" is refused
        unrecognised_turn(
            container,
            KARIM,
            "wamid.blabla",
            "blabla incompréhensible",
            channel="whatsapp",
            reply_to={"to": KARIM_WA},
        )
        worker.catch_up()
        container.projections.catch_up()
        try:
            with served(create_app(container)) as url:
                yield Console(url, container, worker, fake, clock)
        finally:
            worker.close()
            container.close()


def _sign_in(browser: Any, console: Console, token: str = TOKEN, name: str = "Ana Support") -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{console.url}/console/login")
    browser.find_element(By.ID, "operator").clear()
    browser.find_element(By.ID, "operator").send_keys(name)
    browser.find_element(By.ID, "token").send_keys(token)
    _go(browser, browser.find_element(By.ID, "sign-in"))


def _go(browser: Any, element: Any, submit: bool = False) -> None:
    """Clicks (or submits) and waits for the page it leads to: a click alone does not wait."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    page = browser.find_element(By.TAG_NAME, "html")
    element.submit() if submit else element.click()

    def left() -> bool:
        try:
            page.is_enabled()  # any call on an element of a page that is gone fails
        except WebDriverException:
            return browser.execute_script("return document.readyState") == "complete"
        return False

    _wait(left, timeout=15)


def _wait(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting in the browser")
        time.sleep(0.05)


def _text(browser: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(browser.find_element(By.TAG_NAME, "body").text)


@pytest.fixture
def signed_out(browser: Any, console: Console) -> Any:
    browser.get(f"{console.url}/console/static/console.css")  # the cookies' path, to clear them
    browser.delete_all_cookies()
    return browser


def test_no_page_or_data_without_a_session(signed_out: Any, console: Console) -> None:
    browser = signed_out
    for page in ("/console", "/console/conversations", "/console/attention", "/console/analytics"):
        browser.get(console.url + page)
        assert browser.current_url.startswith(f"{console.url}/console/login"), page
        assert "Karim" not in _text(browser) and "Sign in" in _text(browser)
    for data in ("/console/analytics.csv", "/console/projections/status", "/metrics"):
        assert httpx.get(console.url + data).status_code == 401, data


def test_a_wrong_token_gets_a_clear_message_after_a_delay(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    started = time.monotonic()
    _sign_in(signed_out, console, token="not-the-token")
    assert time.monotonic() - started >= 1.0
    error = signed_out.find_element(By.ID, "sign-in-error").text
    assert "token is not right" in error
    assert "Traceback" not in _text(signed_out)
    assert signed_out.current_url.endswith("/console/login")


def test_sign_in_search_open_a_conversation_and_see_a_delivery_failure(
    signed_out: Any, console: Console
) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console)
    assert browser.current_url == f"{console.url}/console/conversations"
    cookie = browser.get_cookie("convo_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie.get("expiry")
    rows = browser.find_elements(By.CSS_SELECTOR, "#conversations tbody tr")
    assert len(rows) == 25  # 32 conversations: pages, not one endless list
    assert "Page 1 of 2" in _text(browser)
    screenshot(browser, "conversations")

    search = browser.find_element(By.ID, "search")
    search.send_keys("tilleuls")  # a site of Karim's
    _go(browser, search, submit=True)
    rows = browser.find_elements(By.CSS_SELECTOR, "#conversations tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["Karim Benali"]
    assert "1" in rows[0].find_elements(By.TAG_NAME, "td")[5].text  # one unrecognised message
    _go(browser, rows[0].find_element(By.TAG_NAME, "a"))

    transcript = browser.find_element(By.ID, "transcript")
    assert "blabla incompréhensible" in transcript.text
    assert "Not understood" in transcript.text
    failed = browser.find_element(By.CSS_SELECTOR, ".delivery.failed")
    assert "delivery failed" in failed.text and "131026" in failed.text
    assert len(browser.find_elements(By.CSS_SELECTOR, ".delivery.delivered")) == 2
    raw = browser.find_elements(By.CSS_SELECTOR, "details.raw")[0]
    raw.find_element(By.TAG_NAME, "summary").click()
    assert '"type"' in raw.find_element(By.TAG_NAME, "pre").text
    screenshot(browser, "conversation")
    browser.set_window_size(390, 844)  # a phone
    try:
        browser.refresh()
        assert browser.find_element(By.ID, "transcript").is_displayed()
        screenshot(browser, "conversation-phone")
    finally:
        browser.set_window_size(1280, 900)


def test_unrecognised_messages_link_to_their_message(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console)
    browser.get(f"{console.url}/console/attention?kind=unrecognised")
    table = browser.find_element(By.ID, "attention")
    assert "blabla incompréhensible" in table.text
    screenshot(browser, "attention-unrecognised")
    _go(browser, browser.find_element(By.ID, "tab-delivery_failed"))
    assert "131026" in browser.find_element(By.ID, "attention").text
    screenshot(browser, "attention-deliveries")

    browser.get(f"{console.url}/console/attention?kind=unrecognised")
    link = next(
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "#attention td a")
        if "messages/wamid.blabla" in a.get_attribute("href")
    )
    _go(browser, link)
    assert browser.current_url.endswith("#m-wamid.blabla")
    target = browser.find_element(By.ID, "m-wamid.blabla")
    assert "blabla incompréhensible" in target.text
    assert browser.execute_script("return document.querySelector(':target').id") == "m-wamid.blabla"


def test_answer_a_person_and_see_it_delivered(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console, name="Ana Support")
    browser.get(f"{console.url}/console/attention?kind=unrecognised")
    _go(browser, browser.find_element(By.LINK_TEXT, "Answer"))
    assert "Answering message wamid.blabla" in _text(browser)
    browser.find_element(By.ID, "answer-text").send_keys("Bonjour Karim, que vouliez-vous dire ?")
    _go(browser, browser.find_element(By.ID, "send-answer"))
    assert "Your answer is recorded" in browser.find_element(By.ID, "answer-sent").text

    console.worker.catch_up()  # the delivery worker, as it runs beside the service
    sent = console.fake.wait_for(1, "whatsapp", "messages")
    assert any(body.get("text", {}).get("body") == "Bonjour Karim, que vouliez-vous dire ?" for body in sent)
    browser.refresh()
    operator = browser.find_elements(By.CSS_SELECTOR, "article.entry.operator")[-1]
    assert "Answer from operator Ana Support (whatsapp)" in operator.text
    assert "delivered" in operator.find_element(By.CSS_SELECTOR, ".delivery").text
    screenshot(browser, "conversation-answered")


def test_a_forged_form_is_refused(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console)
    browser.get(f"{console.url}/console/conversations/{KARIM}")
    before = len(console.fake.sent("whatsapp", "messages"))
    events_before = _event_count(console)
    browser.execute_script("document.querySelector('#answer input[name=csrf]').value = 'forged'")
    browser.find_element(By.ID, "answer-text").send_keys("this must not be sent")
    _go(browser, browser.find_element(By.ID, "send-answer"))
    assert "did not come from a page of this console" in browser.find_element(By.ID, "refused").text
    console.worker.catch_up()
    assert len(console.fake.sent("whatsapp", "messages")) == before
    assert _event_count(console) == events_before


def _event_count(console: Console) -> int:
    return console.container.store.recorder.max_notification_id() or 0


def test_a_chart_has_a_point_per_day_and_a_csv(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console)
    today = datetime.now(UTC).date()  # events are stamped by the store's clock
    browser.get(f"{console.url}/console/analytics")
    start = today - timedelta(days=6)
    browser.execute_script(
        "document.getElementById('from').value = arguments[0];"
        "document.getElementById('to').value = arguments[1];",
        start.isoformat(),
        today.isoformat(),
    )
    _go(browser, browser.find_element(By.ID, "show-range"))
    chart = browser.find_element(By.CSS_SELECTOR, "#chart-messages svg")
    points = chart.find_elements(By.CSS_SELECTOR, "circle.point")
    assert len(points) == 7
    assert chart.get_attribute("data-points") == "7"
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 6
    title = points[-1].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert title.startswith(today.isoformat()) and not title.endswith(": 0")  # today's messages
    screenshot(browser, "analytics")
    csv_url = browser.find_element(By.ID, "csv").get_attribute("href")
    cookie = browser.get_cookie("convo_console")["value"]
    answer = httpx.get(csv_url, cookies={"convo_console": cookie})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert len(answer.text.strip().splitlines()) == 1 + 7


def test_a_rebuild_shows_its_progress(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console)
    browser.get(f"{console.url}/console/projections")
    assert "delivery" in browser.find_element(By.ID, "leases").text
    _go(browser, browser.find_element(By.ID, "rebuild-sessions"))
    rebuild = "tr[data-name=sessions] .rebuild"
    state = _wait(
        lambda: browser.execute_script(
            "const e = document.querySelector(arguments[0]);"
            "return e && e.dataset.state === 'done' ? e.textContent : null;",
            rebuild,
        )
    )
    assert "100%" in state
    assert (
        browser.find_element(By.CSS_SELECTOR, "tr[data-name=sessions] progress").get_attribute("value")
        == "100"
    )
    screenshot(browser, "projections")


def test_sign_out_ends_the_session(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    browser = signed_out
    _sign_in(browser, console)
    _go(browser, browser.find_element(By.ID, "sign-out"))
    assert "You are signed out" in _text(browser)
    assert browser.get_cookie("convo_console") is None
    browser.get(f"{console.url}/console/conversations")
    assert browser.current_url.startswith(f"{console.url}/console/login")
    screenshot(browser, "sign-in")


def test_docs_work_offline(signed_out: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    signed_out.get(f"{console.url}/docs")
    _wait(lambda: signed_out.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"))
    assert all(
        src.startswith(console.url)
        for src in signed_out.execute_script(
            "return Array.from(document.querySelectorAll('script[src], link[href]'))"
            ".map(e => e.src || e.href)"
        )
    )
