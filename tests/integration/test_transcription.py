"""Voice notes to text through an OpenAI-compatible endpoint (a fake Whisper on loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from application.media import TranscriptionError
from infrastructure.media.transcription import OpenAITranscriber
from tests.fake_transcription import FakeTranscription

VOICE = b"OggS" + bytes(range(256)) * 40


@pytest.fixture
def whisper() -> Iterator[FakeTranscription]:
    with FakeTranscription(api_key="whisper-key") as fake:
        yield fake


def transcriber(
    whisper: FakeTranscription, timeout: float = 5.0, key: str = "whisper-key"
) -> OpenAITranscriber:
    return OpenAITranscriber(httpx.Client(), whisper.base_url, "whisper-large-v3", key, timeout)


def test_the_audio_goes_as_a_multipart_form_and_the_text_comes_back(whisper: FakeTranscription) -> None:
    whisper.says(VOICE, " Fuite au plafond du deuxième. ")
    heard = transcriber(whisper).transcribe(VOICE, "voice.ogg", "audio/ogg; codecs=opus", "fr")
    assert (heard.text, heard.model, heard.language) == (
        "Fuite au plafond du deuxième.",
        "whisper-large-v3",
        "fr",
    )
    assert heard.latency_ms >= 0
    [asked] = whisper.asked()
    assert (asked.model, asked.language, asked.filename) == ("whisper-large-v3", "fr", "voice.ogg")
    assert asked.authorization == "Bearer whisper-key"


def test_a_slow_endpoint_times_out(whisper: FakeTranscription) -> None:
    whisper.delay = 1.0
    with pytest.raises(TranscriptionError, match="timeout"):
        transcriber(whisper, timeout=0.2).transcribe(VOICE, "voice.ogg", "audio/ogg", "fr")


@pytest.mark.parametrize(
    ("fail_with", "key", "expected"), [(503, "whisper-key", "503"), (None, "wrong", "401")]
)
def test_refusals_say_why(whisper: FakeTranscription, fail_with: int | None, key: str, expected: str) -> None:
    whisper.fail_with = fail_with
    with pytest.raises(TranscriptionError, match=expected):
        transcriber(whisper, key=key).transcribe(VOICE, "voice.ogg", "audio/ogg", None)
