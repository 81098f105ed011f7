"""Voice notes to text through an OpenAI-compatible `POST {base}/audio/transcriptions`:
Whisper served on premises (faster-whisper, vLLM, LocalAI...) or a hosted one."""

from __future__ import annotations

import time

import httpx

from application.media import Transcript, TranscriptionError


class OpenAITranscriber:
    def __init__(
        self,
        client: httpx.Client,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/audio/transcriptions"
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout_seconds

    def transcribe(self, audio: bytes, filename: str, mime_type: str, language: str | None) -> Transcript:
        data = {"model": self.model, "response_format": "json"}
        if language:
            data["language"] = language  # a hint that makes short notes far more accurate
        started = time.monotonic()
        try:
            answer = self._client.post(
                self._url,
                headers=self._headers,
                data=data,
                files={"file": (filename, audio, mime_type or "application/octet-stream")},
                timeout=self._timeout,
            )
        except httpx.TimeoutException as error:
            raise TranscriptionError(f"timeout after {self._timeout:g} s") from error
        except httpx.TransportError as error:
            raise TranscriptionError(f"{type(error).__name__}: {error}") from error
        latency_ms = (time.monotonic() - started) * 1000
        if answer.status_code != 200:
            raise TranscriptionError(f"HTTP {answer.status_code}: {_message_of(answer)}")
        try:
            body = answer.json()
        except ValueError as error:
            raise TranscriptionError("the answer is not JSON") from error
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise TranscriptionError("the answer has no text")
        detected = body.get("language") if isinstance(body.get("language"), str) else language
        return Transcript(
            text=text.strip(), model=self.model, latency_ms=round(latency_ms, 1), language=detected
        )


def _message_of(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))[:200]
    return str(body)[:200]
