"""A loopback fake of the WhatsApp Cloud API and the Telegram Bot API that speaks real HTTP.

All state lives in the server of the test process, so workers in other processes can post to it too.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from http.client import responses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

_METHODS = {"whatsapp": ("messages",), "telegram": ("sendMessage", "answerCallbackQuery")}
_WHATSAPP = re.compile(r"/(v\d+\.\d+)/([^/]+)/(messages)")
_TELEGRAM = re.compile(r"/bot([^/]+)/(sendMessage|answerCallbackQuery)")
# Missing fields the real APIs reject with a 400, so a client bug fails here rather than in production.
_REQUIRED = {
    "messages": ("messaging_product", "to"),
    "sendMessage": ("chat_id", "text"),
    "answerCallbackQuery": ("callback_query_id",),
}


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it; header names are lower-cased because HTTP ignores their case."""

    provider: str
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class _Exchange:
    received: Received | None
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    answered: bool = False


def _check(provider: str, method: str | None = None) -> None:
    # A misspelt name would otherwise match nothing and surface only as a confusing timeout.
    if provider not in _METHODS or (method is not None and method not in _METHODS[provider]):
        raise ValueError(f"unknown provider/method {provider!r}/{method!r}; known: {_METHODS}")


def _error(provider: str, status: int, message: str, code: int, retry_after: int | None = None) -> _Exchange:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    if provider == "whatsapp":
        error: dict[str, Any] = {"message": message, "code": code}
        if status == 401:
            error["type"] = "OAuthException"
        return _Exchange(None, status, {"error": error}, headers)
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": message}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return _Exchange(None, status, body, headers)


class FakeProviders:
    """Run with `with FakeProviders() as fake:` and point the clients at `fake.base_url`."""

    def __init__(self, *, whatsapp_token: str = "wa-token", telegram_token: str = "123:tg-token") -> None:
        self._whatsapp_token = whatsapp_token
        self._telegram_token = telegram_token
        self._cond = threading.Condition()
        self._log: list[_Exchange] = []
        self._unrouted: list[str] = []
        self._failures: dict[str, deque[tuple[int, int | None]]] = {p: deque() for p in _METHODS}
        self._delays: dict[str, deque[float]] = {p: deque() for p in _METHODS}
        self._next_message_id = 1
        self._closing = threading.Event()
        # Bound now so base_url is known before the server starts, e.g. to build settings.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, self))
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
        self, provider: str, status: int, times: int = 1, *, retry_after: int | None = None
    ) -> None:
        _check(provider)
        if not 400 <= status <= 599 or times < 1:
            raise ValueError(f"a failure needs a 4xx/5xx status and times >= 1, got {status} x{times}")
        with self._cond:
            self._failures[provider].extend([(status, retry_after)] * times)

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
            failure = self._failures[provider].popleft() if self._failures[provider] else None
            if failure is not None:
                status, retry_after = failure
                reason = responses.get(status, "Error")
                if retry_after is not None:
                    reason = f"{reason}: retry after {retry_after}"
                exchange = _error(provider, status, reason, 130429 if status == 429 else 131000, retry_after)
            elif not authorised:
                reason = "Invalid OAuth access token." if provider == "whatsapp" else "Unauthorized"
                exchange = _error(provider, 401, reason, 190)
            elif missing:
                exchange = _error(provider, 400, f"Bad Request: missing {', '.join(missing)}", 100)
            else:
                exchange = _Exchange(None, 200, self._success(method, body))
            exchange.received = Received(provider, method, path, headers, body)
            exchange.delay = self._delays[provider].popleft() if self._delays[provider] else 0.0
            self._log.append(exchange)
        return exchange

    def _success(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "messages":
            contact = {"input": body["to"], "wa_id": body["to"]}
            wamid = f"wamid.{uuid.uuid4().hex}"
            return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        if method == "answerCallbackQuery":
            return {"ok": True, "result": True}
        message_id, self._next_message_id = self._next_message_id, self._next_message_id + 1
        chat = {"id": body["chat_id"]}
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


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, fake: FakeProviders, *args: Any) -> None:
        self.fake = fake  # before super().__init__, which handles the request
        super().__init__(*args)

    def _handle(self) -> None:
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
