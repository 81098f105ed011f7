"""A loopback fake of an OpenAI-compatible `POST /v1/audio/transcriptions` (Whisper served on premises).

It reads the multipart form as the real one does (`file`, `model`, `language`), answers `{"text": …}`,
and can be told to be slow (for timeouts) or to fail.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Asked:
    model: str
    language: str | None
    filename: str
    sha256: str
    authorization: str | None


class FakeTranscription:
    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.texts: dict[str, str] = {}  # sha256 of the audio -> what was said
        self.default_text = "c'est fait"
        self.delay = 0.0
        self.fail_with: int | None = None
        self._asked: list[Asked] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, self))
        self._thread = threading.Thread(
            target=partial(self._server.serve_forever, poll_interval=0.02), name="fake-whisper", daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def says(self, audio: bytes, text: str) -> None:
        self.texts[hashlib.sha256(audio).hexdigest()] = text

    def asked(self) -> list[Asked]:
        with self._lock:
            return list(self._asked)

    def __enter__(self) -> FakeTranscription:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def answer(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
        form = _form(headers.get("content-type", ""), raw)
        if "file" not in form or "model" not in form:
            return 400, {"error": {"message": "file and model are required", "type": "invalid_request_error"}}
        filename, audio = form["file"]
        digest = hashlib.sha256(audio).hexdigest()
        language = form["language"][1].decode() if "language" in form else None
        with self._lock:
            self._asked.append(
                Asked(form["model"][1].decode(), language, filename, digest, headers.get("authorization"))
            )
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with is not None:
            return self.fail_with, {"error": {"message": "the model is overloaded", "type": "server_error"}}
        return 200, {"text": self.texts.get(digest, self.default_text)}


def _form(content_type: str, raw: bytes) -> dict[str, tuple[str, bytes]]:
    """Each part of a multipart/form-data body: name -> (filename, bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    parts: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            parts[name] = (part.get_filename() or "", payload if isinstance(payload, bytes) else b"")
    return parts


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, fake: FakeTranscription, *args: Any) -> None:
        self.fake = fake
        super().__init__(*args)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/v1/audio/transcriptions":
            status, body = 404, {"error": {"message": f"no route {self.path}"}}
        else:
            status, body = self.fake.answer({k.lower(): v for k, v in self.headers.items()}, raw)
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass
