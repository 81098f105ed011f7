"""A loopback fake of the WhatsApp Cloud API and the Telegram Bot API that speaks real HTTP.

It copies the quirks workers must survive: Telegram numbers messages per chat from 1, Meta answers
throttling with HTTP 400 and a code in the body. All state lives in the server of the test process,
so workers in other processes can post to it too.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tests.fake_media import FakeMedia
from tests.fake_provider_errors import Answer, meta_error, meta_error_of_status, telegram_error

_METHODS = {"whatsapp": ("messages",), "telegram": ("sendMessage", "answerCallbackQuery")}
_WHATSAPP = re.compile(r"/(v\d+\.\d+)/([^/]+)/(messages)")
_TELEGRAM = re.compile(r"/bot([^/]+)/(sendMessage|answerCallbackQuery)")
# Missing fields the real APIs reject with a 400, so a client bug fails here rather than in production.
_REQUIRED = {
    "messages": ("messaging_product", "to"),
    "sendMessage": ("chat_id", "text"),
    "answerCallbackQuery": ("callback_query_id",),
}
_SENDS = {"whatsapp": "messages", "telegram": "sendMessage"}  # the calls that send a message
_RECIPIENT = {"whatsapp": "to", "telegram": "chat_id"}


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it; header names are lower-cased because HTTP ignores their case."""

    provider: str
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default=0.0, compare=False)  # time.monotonic() on arrival


@dataclass
class _Exchange:
    received: Received | None
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    answered: bool = False
    throttled: bool = False


@dataclass
class _Scripted:
    method: str | None  # None: whichever call comes next
    answer: Callable[[], Answer]


def _check(provider: str, method: str | None = None) -> None:
    # A misspelt name would otherwise match nothing and surface only as a confusing timeout.
    if provider not in _METHODS or (method is not None and method not in _METHODS[provider]):
        raise ValueError(f"unknown provider/method {provider!r}/{method!r}; known: {_METHODS}")


def _throttling(provider: str) -> Answer:
    """What each provider answers a sender going too fast."""
    if provider == "whatsapp":
        return meta_error(130429)
    return telegram_error(429, retry_after=1)


class FakeProviders:
    """Run with `with FakeProviders() as fake:` and point the clients at `fake.base_url`."""

    def __init__(
        self,
        *,
        whatsapp_token: str = "wa-token",
        telegram_token: str = "123:tg-token",
        twilio_auth_token: str = "twilio-auth-token",
    ) -> None:
        self._whatsapp_token = whatsapp_token
        self._telegram_token = telegram_token
        self._cond = threading.Condition()
        self._log: list[_Exchange] = []
        self._unrouted: list[str] = []
        self._scripted: dict[str, deque[_Scripted]] = {p: deque() for p in _METHODS}
        self._delays: dict[str, deque[float]] = {p: deque() for p in _METHODS}
        self._throttled_until = dict.fromkeys(_METHODS, 0.0)
        self._rate_limit: dict[str, float | None] = dict.fromkeys(_METHODS)
        self._accepted: dict[str, deque[float]] = {p: deque() for p in _METHODS}  # for the rate limit
        self._next_message_id: dict[str, int] = {}  # per chat, as Telegram numbers them
        self._closing = threading.Event()
        # Bound now so base_url is known before the server starts, e.g. to build settings.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, self))
        # What users send: the media endpoints, served by the same server (tests/fake_media.py).
        self.media = FakeMedia(whatsapp_token, telegram_token, twilio_auth_token)
        self.media.base_url = self.base_url
        # A short poll keeps shutdown, which waits for the next poll, from adding 0.5 s to every test.
        serve = partial(self._server.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, name="fake-providers", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeProviders:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()  # wakes delayed handlers at once instead of after their delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail_next(
        self,
        provider: str,
        status: int | None = None,
        times: int = 1,
        *,
        code: int | None = None,
        retry_after: int | None = None,
        method: str | None = None,
    ) -> None:
        """The next `times` calls (of `method`, if given) fail. For WhatsApp, `code` is Meta's
        error code, answered with its real status and body; a status alone stands for its usual code."""
        _check(provider, method)
        if times < 1 or (status is None and code is None):
            raise ValueError("a failure needs a status or a code, and times >= 1")
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"a failure needs a 4xx/5xx status, got {status}")
        if provider == "whatsapp":
            if code is not None:
                answer = partial(meta_error, code, status, retry_after)
            else:
                assert status is not None
                answer = partial(meta_error_of_status, status, retry_after)
        else:
            answer = partial(telegram_error, status or code or 400, None, retry_after)
        with self._cond:
            self._scripted[provider].extend(_Scripted(method, answer) for _ in range(times))

    def throttle(self, provider: str, seconds: float) -> None:
        """For `seconds` from now, every send is refused as too fast (Meta: HTTP 400, code 130429)."""
        _check(provider)
        with self._cond:
            self._throttled_until[provider] = time.monotonic() + seconds

    def limit_rate(self, provider: str, per_second: float | None) -> None:
        """Refuses, as too fast, a send that would make more than `per_second` in the last second."""
        _check(provider)
        with self._cond:
            self._rate_limit[provider] = per_second

    def delay_next(self, provider: str, seconds: float, times: int = 1) -> None:
        _check(provider)
        with self._cond:
            self._delays[provider].extend([seconds] * times)

    def received(self, provider: str | None = None, method: str | None = None) -> list[Received]:
        with self._cond:
            return [
                e.received
                for e in self._log
                if e.received is not None
                and provider in (None, e.received.provider)
                and method in (None, e.received.method)
            ]

    def sent(self, provider: str, method: str) -> list[dict[str, Any]]:
        _check(provider, method)
        with self._cond:
            return self._sent(provider, method)

    def sent_to(self, provider: str) -> Counter[str]:
        """Messages accepted per recipient (WhatsApp's `to`, Telegram's `chat_id`)."""
        _check(provider)
        key = _RECIPIENT[provider]
        return Counter(str(body[key]) for body in self.sent(provider, _SENDS[provider]))

    def send_times(self, provider: str) -> list[float]:
        """When each accepted message arrived (time.monotonic()), in order."""
        _check(provider)
        with self._cond:
            return sorted(
                e.received.at
                for e in self._log
                if e.received is not None
                and e.answered
                and e.status == 200
                and e.received.method == _SENDS[provider]
                and e.received.provider == provider
            )

    def throttled(self, provider: str) -> int:
        """How many sends were refused as too fast."""
        _check(provider)
        with self._cond:
            return sum(1 for e in self._log if e.throttled and e.received and e.received.provider == provider)

    def wait_for(self, count: int, provider: str, method: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        _check(provider, method)
        with self._cond:
            if self._cond.wait_for(lambda: len(self._sent(provider, method)) >= count, timeout):
                return self._sent(provider, method)
            seen = [(e.received.provider, e.received.method, e.status) for e in self._log if e.received]
            raise AssertionError(
                f"expected {count} successful {provider} {method} sends within {timeout}s, "
                f"got {len(self._sent(provider, method))}; all requests (provider, method, status): {seen}; "
                f"unrouted: {self._unrouted}"
            )

    def _sent(self, provider: str, method: str) -> list[dict[str, Any]]:
        return [
            e.received.body
            for e in self._log
            if e.received is not None
            and e.answered
            and e.status == 200
            and (e.received.provider, e.received.method) == (provider, method)
        ]

    def _receive(self, verb: str, path: str, headers: dict[str, str], raw: bytes) -> _Exchange:
        now = time.monotonic()
        route = urlsplit(path).path
        if verb == "POST" and (match := _WHATSAPP.fullmatch(route)):
            provider, method = "whatsapp", match[3]
            authorised = headers.get("authorization") == f"Bearer {self._whatsapp_token}"
        elif verb == "POST" and (match := _TELEGRAM.fullmatch(route)):
            provider, method, authorised = "telegram", match[2], match[1] == self._telegram_token
        else:
            with self._cond:
                self._unrouted.append(f"{verb} {path}")
            return _Exchange(None, 404, {"error": {"message": f"no fake route for {verb} {path}"}})
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
        missing = [name for name in _REQUIRED[method] if not body.get(name)]
        if not isinstance(parsed, dict):
            missing = ["a JSON object body"]
        with self._cond:
            scripted = self._take_scripted(provider, method)
            throttled = scripted is None and method == _SENDS[provider] and self._too_fast(provider, now)
            if scripted is not None:
                exchange = _exchange(scripted.answer())
            elif throttled:
                exchange = _exchange(_throttling(provider))
                exchange.throttled = True
            elif not authorised:
                exchange = _exchange(
                    meta_error(190) if provider == "whatsapp" else telegram_error(401, "Unauthorized")
                )
            elif missing:
                reason = f"Bad Request: missing {', '.join(missing)}"
                exchange = _exchange(
                    meta_error(100, details=reason) if provider == "whatsapp" else telegram_error(400, reason)
                )
            else:
                exchange = _Exchange(None, 200, self._success(method, body))
                if method == _SENDS[provider]:
                    self._accepted[provider].append(now)
            exchange.received = Received(provider, method, path, headers, body, now)
            exchange.delay = self._delays[provider].popleft() if self._delays[provider] else 0.0
            self._log.append(exchange)
        return exchange

    def _take_scripted(self, provider: str, method: str) -> _Scripted | None:
        queue = self._scripted[provider]
        for n, scripted in enumerate(queue):
            if scripted.method in (None, method):
                del queue[n]
                return scripted
        return None

    def _too_fast(self, provider: str, now: float) -> bool:
        if now < self._throttled_until[provider]:
            return True
        limit = self._rate_limit[provider]
        if limit is None:
            return False
        accepted = self._accepted[provider]
        while accepted and accepted[0] <= now - 1.0:
            accepted.popleft()
        return len(accepted) >= limit

    def _success(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "messages":
            contact = {"input": body["to"], "wa_id": body["to"]}
            wamid = f"wamid.{uuid.uuid4().hex}"
            return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        if method == "answerCallbackQuery":
            return {"ok": True, "result": True}
        chat_id = str(body["chat_id"])
        message_id = self._next_message_id.get(chat_id, 1)  # each chat counts from 1, as Telegram does
        self._next_message_id[chat_id] = message_id + 1
        chat = {
            "id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        }  # Telegram's ids are numbers
        message = {"message_id": message_id, "chat": chat, "date": int(time.time()), "text": body["text"]}
        return {"ok": True, "result": message}

    def _answer(self, exchange: _Exchange) -> bool:
        """Marks the exchange answered unless the fake closed while it was delayed."""
        if exchange.delay and self._closing.wait(exchange.delay):
            return False
        with self._cond:
            exchange.answered = True
            self._cond.notify_all()
        return True


def _exchange(answer: Answer) -> _Exchange:
    return _Exchange(None, answer.status, answer.body, answer.headers)


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, fake: FakeProviders, *args: Any) -> None:
        self.fake = fake  # before super().__init__, which handles the request
        super().__init__(*args)

    def _handle(self) -> None:
        if self.fake.media.handle(self):
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        exchange = self.fake._receive(self.command, self.path, headers, raw)
        # Counted as sent before writing: like a real provider, the message went out even if the client
        # died mid-request and never reads this answer.
        if not self.fake._answer(exchange):
            return
        payload = json.dumps(exchange.body).encode()
        try:
            self.send_response(exchange.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in exchange.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass  # received() is the log; stderr lines from server threads only clutter test output
