"""Voice notes: transcribed by an OpenAI-compatible endpoint (a fake Whisper), the text drives the turn."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from infrastructure.settings import Settings
from tests import media_payloads as p
from tests.conftest import FakeClock
from tests.fake_transcription import FakeTranscription
from tests.media_wiring import MediaWired, media_wired
from tests.provider_payloads import wa_button_reply

VOICE = b"OggS\0\2" + bytes(range(256)) * 64


@pytest.fixture
def whisper() -> Iterator[FakeTranscription]:
    with FakeTranscription() as fake:
        yield fake


def listening(
    settings: Settings, clock: FakeClock, tmp_path: Path, whisper: FakeTranscription, **more: object
) -> AbstractContextManager[MediaWired]:
    return media_wired(
        settings,
        clock,
        tmp_path / "media",
        transcription_url=whisper.base_url,
        transcription_model="whisper-large-v3",
        **more,
    )


def body_of(message: dict[str, Any]) -> str:
    return str(
        message["text"]["body"] if message["type"] == "text" else message["interactive"]["body"]["text"]
    )


def test_the_transcript_drives_the_turn(
    settings: Settings, clock: FakeClock, tmp_path: Path, whisper: FakeTranscription
) -> None:
    whisper.says(VOICE, "problème : fuite au plafond du deuxième")
    with listening(settings, clock, tmp_path, whisper) as wired:
        media_id = wired.fake.media.whatsapp(VOICE, "audio/ogg; codecs=opus")
        wired.whatsapp(wa_button_reply("wamid.1", "project.P-TIL", "Résidence Les Tilleuls"))
        before = len(wired.replies())
        wired.whatsapp(p.wa_voice("wamid.2", media_id))
        assert len(wired.replies()) == before, "the note's own turn sends nothing: its transcript answers"
        wired.fetch()
        [heard] = wired.of_type("VoiceNoteTranscribed")
        assert (heard["text"], heard["model"]) == (
            "problème : fuite au plafond du deuxième",
            "whisper-large-v3",
        )
        [asked] = whisper.asked()
        assert (asked.language, asked.filename) == ("fr", "voice.ogg")
        [report] = wired.of_type("ProblemReportDecided")
        assert report["description"] == "fuite au plafond du deuxième"
        assert "signalé" in body_of(wired.replies()[-1])
        wired.fetch()
        assert len(whisper.asked()) == 1  # a replay never asks the model again


def test_a_transcription_timeout_asks_to_type_it(
    settings: Settings, clock: FakeClock, tmp_path: Path, whisper: FakeTranscription
) -> None:
    whisper.delay = 1.0
    with listening(settings, clock, tmp_path, whisper, transcription_timeout_seconds=0.2) as wired:
        media_id = wired.fake.media.whatsapp(VOICE, "audio/ogg; codecs=opus")
        wired.whatsapp(p.wa_voice("wamid.1", media_id))
        wired.fetch()
        [failed] = wired.of_type("VoiceNoteNotTranscribed")
        assert "timeout" in failed["reason"]
        assert wired.of_type("MediaStored")  # the note itself is kept
        assert body_of(wired.replies()[-1]).startswith("Je n'ai pas réussi à écouter votre message vocal")


def test_without_transcription_it_asks_at_once_to_type_it(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    with media_wired(settings, clock, tmp_path / "media") as wired:
        media_id = wired.fake.media.whatsapp(VOICE, "audio/ogg; codecs=opus")
        wired.whatsapp(p.wa_voice("wamid.1", media_id))
        assert body_of(wired.replies()[-1]).startswith("Je ne peux pas écouter les messages vocaux")
        wired.fetch()
        assert len(wired.replies()) == 1  # the stored note adds nothing to say
