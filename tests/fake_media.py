"""The providers' media endpoints, as `FakeProviders` serves them, with the behaviour fetchers must survive.

- WhatsApp: `GET /v21.0/{media-id}` (bearer token) answers a short-lived URL; downloading it needs the
  token too, and after `url_seconds` the URL answers 404, as Meta's do within minutes.
- Telegram: `getFile` answers a `file_path` (or "file is too big" over 20 MB); the file endpoint serves it.
- Twilio: the media URL needs HTTP basic auth with the account SID and auth token, and redirects to a
  short-lived URL that needs none.

Every download honours `Range`, so a download cut midway can resume; `slow_downloads` makes one slow
enough to be killed midway.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TELEGRAM_MAX_BYTES = 20 * 1024 * 1024

_WA_LOOKUP = re.compile(r"/v\d+\.\d+/(\d+)")
_WA_DOWNLOAD = re.compile(r"/whatsapp-media/([0-9a-f]+)")
_TG_GET_FILE = re.compile(r"/bot([^/]+)/getFile")
_TG_FILE = re.compile(r"/file/bot([^/]+)/(.+)")
_TWILIO_MEDIA = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)/Media/([^/]+)")
_TWILIO_SIGNED = re.compile(r"/twilio-media-bucket/([0-9a-f]+)")


@dataclass
class _Media:
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Download:
    """One download request as the fake saw it (the Range asked, the bytes it wrote)."""

    provider: str
    key: str
    range: str | None
    status: int
    sent: int


@dataclass
class _State:
    whatsapp: dict[str, _Media] = field(default_factory=dict)  # media id -> media
    telegram: dict[str, tuple[str, _Media]] = field(default_factory=dict)  # file_id -> (path, media)
    twilio: dict[str, _Media] = field(default_factory=dict)  # media path -> media
    urls: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # token -> (provider, key, expiry)
    lookups: list[str] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    progress: dict[str, int] = field(default_factory=dict)  # key -> bytes written by the download under way
    serving: int = 0  # downloads whose body is still being written


class FakeMedia:
    def __init__(self, whatsapp_token: str, telegram_token: str, twilio_auth_token: str) -> None:
        self._whatsapp_token = whatsapp_token
        self._telegram_token = telegram_token
        self._twilio_basic = base64.b64encode(f"{TWILIO_SID}:{twilio_auth_token}".encode()).decode()
        self._state = _State()
        self._lock = threading.Condition()
        self.url_seconds = 300.0  # how long a WhatsApp or Twilio download URL lasts
        self._slow: tuple[int, float] | None = None  # (chunk bytes, pause after each)
        self.base_url = ""  # set by FakeProviders once it listens

    # -- set-up ------------------------------------------------------------------------------------

    def whatsapp(self, content: bytes, mime_type: str = "image/jpeg") -> str:
        """A media a WhatsApp user sent; returns its media id, as the webhook carries it."""
        media_id = str(uuid.uuid4().int % 10**16)
        with self._lock:
            self._state.whatsapp[media_id] = _Media(content, mime_type)
        return media_id

    def telegram(self, content: bytes, mime_type: str = "image/jpeg", folder: str = "photos") -> str:
        """A file a Telegram user sent; returns its file_id."""
        file_id = f"AgAC{uuid.uuid4().hex}"
        extension = mime_type.rsplit("/", maxsplit=1)[-1]
        with self._lock:
            path = f"{folder}/file_{len(self._state.telegram)}.{extension}"
            self._state.telegram[file_id] = (path, _Media(content, mime_type))
        return file_id

    def twilio(self, content: bytes, mime_type: str = "image/jpeg") -> str:
        """A media a Twilio user sent; returns its MediaUrl, as the webhook carries it."""
        path = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM{uuid.uuid4().hex}/Media/ME{uuid.uuid4().hex}"
        with self._lock:
            self._state.twilio[path] = _Media(content, mime_type)
        return self.base_url + path

    def slow_downloads(self, chunk: int, pause: float) -> None:
        """Downloads write `chunk` bytes, then wait `pause` seconds, and so on; None-like 0 stops it."""
        with self._lock:
            self._slow = (chunk, pause) if chunk else None

    # -- what happened -----------------------------------------------------------------------------

    def downloads(self, provider: str | None = None) -> list[Download]:
        """The downloads served so far; one still being written is waited for.

        A client can have read the last byte before the server's thread records the download,
        so reading the record right after a download returns would otherwise race it.
        """
        with self._lock:
            self._lock.wait_for(lambda: self._state.serving == 0, timeout=10.0)
            return [d for d in self._state.downloads if provider in (None, d.provider)]

    def lookups(self) -> list[str]:
        with self._lock:
            return list(self._state.lookups)

    def wait_for_progress(self, at_least: int, timeout: float = 10.0) -> int:
        """Blocks until a download under way wrote `at_least` bytes; returns how many."""
        with self._lock:
            if not self._lock.wait_for(
                lambda: max(self._state.progress.values(), default=0) >= at_least, timeout
            ):
                raise AssertionError(f"no download reached {at_least} bytes in {timeout}s")
            return max(self._state.progress.values())

    @staticmethod
    def sha256_of(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    # -- serving -----------------------------------------------------------------------------------

    def handle(self, handler: BaseHTTPRequestHandler) -> bool:
        """Serves the request if it is one of the media endpoints; False otherwise."""
        if handler.command != "GET":
            return False
        split = urlsplit(handler.path)
        route, query = split.path, parse_qs(split.query)
        auth = handler.headers.get("Authorization", "")
        if match := _WA_LOOKUP.fullmatch(route):
            self._whatsapp_lookup(handler, match[1], auth)
        elif match := _WA_DOWNLOAD.fullmatch(route):
            self._signed_download(handler, "whatsapp", match[1], need=f"Bearer {self._whatsapp_token}")
        elif match := _TG_GET_FILE.fullmatch(route):
            self._telegram_get_file(handler, match[1], query.get("file_id", [""])[0])
        elif match := _TG_FILE.fullmatch(route):
            self._telegram_file(handler, match[1], match[2])
        elif _TWILIO_MEDIA.fullmatch(route):
            self._twilio_media(handler, route, auth)
        elif match := _TWILIO_SIGNED.fullmatch(route):
            self._signed_download(handler, "twilio", match[1], need=None)
        else:
            return False
        return True

    def _whatsapp_lookup(self, handler: BaseHTTPRequestHandler, media_id: str, auth: str) -> None:
        with self._lock:
            self._state.lookups.append(media_id)
            media = self._state.whatsapp.get(media_id)
        if auth != f"Bearer {self._whatsapp_token}":
            _json(handler, 401, {"error": {"message": "Invalid OAuth access token", "code": 190}})
            return
        if media is None:
            error = {"message": "Unsupported get request. Object does not exist", "code": 100}
            _json(handler, 400, {"error": error})
            return
        token = self._sign("whatsapp", media_id)
        digest = base64.b64encode(hashlib.sha256(media.content).digest()).decode()
        _json(
            handler,
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/whatsapp-media/{token}",
                "mime_type": media.mime_type,
                "sha256": digest,
                "file_size": str(len(media.content)),
                "id": media_id,
            },
        )

    def _telegram_get_file(self, handler: BaseHTTPRequestHandler, token: str, file_id: str) -> None:
        with self._lock:
            self._state.lookups.append(file_id)
            found = self._state.telegram.get(file_id)
        if token != self._telegram_token:
            _json(handler, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        elif found is None:
            _json(
                handler, 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            )
        elif len(found[1].content) > TELEGRAM_MAX_BYTES:
            _json(
                handler, 400, {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}
            )
        else:
            path, media = found
            result = {"file_id": file_id, "file_unique_id": file_id[-8:], "file_size": len(media.content)}
            _json(handler, 200, {"ok": True, "result": {**result, "file_path": path}})

    def _telegram_file(self, handler: BaseHTTPRequestHandler, token: str, path: str) -> None:
        with self._lock:
            found = next((m for p, m in self._state.telegram.values() if p == path), None)
        if token != self._telegram_token or found is None:
            _json(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self._serve_bytes(handler, "telegram", path, found)

    def _twilio_media(self, handler: BaseHTTPRequestHandler, route: str, auth: str) -> None:
        with self._lock:
            media = self._state.twilio.get(route)
        if auth != f"Basic {self._twilio_basic}":
            _json(handler, 401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        if media is None:
            _json(
                handler,
                404,
                {"code": 20404, "message": "The requested resource was not found", "status": 404},
            )
            return
        handler.send_response(307)
        handler.send_header("Location", f"{self.base_url}/twilio-media-bucket/{self._sign('twilio', route)}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _signed_download(
        self, handler: BaseHTTPRequestHandler, provider: str, token: str, need: str | None
    ) -> None:
        with self._lock:
            provider_of, key, expiry = self._state.urls.get(token, ("", "", 0.0))
            media = (self._state.whatsapp if provider == "whatsapp" else self._state.twilio).get(key)
        if need is not None and handler.headers.get("Authorization", "") != need:
            self._record(provider, key, handler, 401, 0)
            _json(handler, 401, {"error": {"message": "Unauthorized"}})
        elif provider_of != provider or media is None or time.monotonic() > expiry:
            self._record(provider, key, handler, 404, 0)
            _json(handler, 404, {"error": {"message": "URL signature expired"}})
        else:
            self._serve_bytes(handler, provider, key, media)

    def _serve_bytes(self, handler: BaseHTTPRequestHandler, provider: str, key: str, media: _Media) -> None:
        with self._lock:
            self._state.serving += 1
        try:
            self._write_bytes(handler, provider, key, media)
        finally:
            with self._lock:
                self._state.serving -= 1
                self._lock.notify_all()

    def _write_bytes(self, handler: BaseHTTPRequestHandler, provider: str, key: str, media: _Media) -> None:
        content = media.content
        start = _range_start(handler.headers.get("Range"))
        if start is not None and start >= len(content):
            self._record(provider, key, handler, 416, 0)
            handler.send_response(416)
            handler.send_header("Content-Range", f"bytes */{len(content)}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        status = 206 if start is not None else 200
        body = content[start or 0 :]
        handler.send_response(status)
        handler.send_header("Content-Type", media.mime_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Accept-Ranges", "bytes")
        if start is not None:
            handler.send_header("Content-Range", f"bytes {start}-{len(content) - 1}/{len(content)}")
        handler.end_headers()
        sent = 0
        try:
            with self._lock:
                slow = self._slow
            step = slow[0] if slow else len(body) or 1
            for offset in range(0, len(body), step):
                handler.wfile.write(body[offset : offset + step])
                handler.wfile.flush()
                sent += len(body[offset : offset + step])
                with self._lock:
                    self._state.progress[key] = (start or 0) + sent
                    self._lock.notify_all()
                if slow:
                    time.sleep(slow[1])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away mid-download
        finally:
            self._record(provider, key, handler, status, sent)

    def _record(
        self, provider: str, key: str, handler: BaseHTTPRequestHandler, status: int, sent: int
    ) -> None:
        with self._lock:
            self._state.downloads.append(Download(provider, key, handler.headers.get("Range"), status, sent))
            self._lock.notify_all()

    def _sign(self, provider: str, key: str) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self._state.urls[token] = (provider, key, time.monotonic() + self.url_seconds)
        return token


def _range_start(header: str | None) -> int | None:
    match = re.fullmatch(r"bytes=(\d+)-", (header or "").strip())
    return int(match[1]) if match else None


def _json(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
