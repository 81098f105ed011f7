"""Console sign-in: a signed, expiring session cookie, and CSRF tokens bound to it.

The operator gives the API token once; the cookie carries a random session
id, the operator's name and an expiry, signed with a key derived from that
token (HMAC-SHA256). Nothing is kept on the server, so every worker process
accepts it, and changing CONVO_API_TOKEN signs everyone out. Forms carry a
token derived from the session id: a page of another site can neither read
it nor, with the cookie being SameSite=Strict, send the cookie at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import SecretStr

COOKIE = "convo_console"
LOGIN_COOKIE = "convo_console_login"  # the sign-in form's own CSRF nonce, before any session
LOGIN_NONCE_SECONDS = 3600
MAX_OPERATOR_NAME = 60


@dataclass(frozen=True)
class ConsoleSession:
    session_id: str
    operator: str
    expires_at: float
    csrf: str


class Sessions:
    def __init__(self, token: SecretStr | None, hours: float, clock: Callable[[], float] = time.time) -> None:
        self._token = token
        self.seconds = int(hours * 3600)
        self._clock = clock
        self._key = (
            hmac.new(
                token.get_secret_value().encode(), b"convo console sessions, v1", hashlib.sha256
            ).digest()
            if token is not None
            else b""
        )

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def token_matches(self, given: str) -> bool:
        if self._token is None:
            return False
        return secrets.compare_digest(given.encode(), self._token.get_secret_value().encode())

    def issue(self, operator: str) -> tuple[str, ConsoleSession]:
        """A new session for `operator`, and the cookie value that carries it."""
        session_id = secrets.token_urlsafe(18)
        expires_at = self._clock() + self.seconds
        payload = _b64(json.dumps({"s": session_id, "o": operator, "e": expires_at}).encode())
        value = f"{payload}.{_b64(self._sign(payload.encode()))}"
        return value, ConsoleSession(session_id, operator, expires_at, self._csrf(session_id))

    def read(self, cookie: str | None) -> ConsoleSession | None:
        """The session a cookie carries; None when absent, tampered with, expired or signed with
        another token."""
        if not cookie or not self.enabled or "." not in cookie:
            return None
        payload, _, signature = cookie.partition(".")
        try:
            if not hmac.compare_digest(_unb64(signature), self._sign(payload.encode())):
                return None
            fields = json.loads(_unb64(payload))
            session_id, operator, expires_at = str(fields["s"]), str(fields["o"]), float(fields["e"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires_at <= self._clock():
            return None
        return ConsoleSession(session_id, operator, expires_at, self._csrf(session_id))

    def csrf_matches(self, session: ConsoleSession, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), session.csrf.encode())

    def login_nonce(self) -> str:
        return secrets.token_urlsafe(18)

    def login_csrf(self, nonce: str) -> str:
        return self._csrf(f"login:{nonce}")

    def login_csrf_matches(self, nonce: str | None, given: str) -> bool:
        return (
            bool(nonce)
            and bool(given)
            and hmac.compare_digest(given.encode(), self.login_csrf(nonce or "").encode())
        )

    def _csrf(self, session_id: str) -> str:
        return _b64(self._sign(f"csrf:{session_id}".encode()))

    def _sign(self, data: bytes) -> bytes:
        key = self._key or b"no token: nothing signed with this is ever accepted"
        return hmac.new(key, data, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
