"""Photos, voice notes, videos and documents people send: what the turn and the fetcher pass around.

A turn never touches the bytes: it records what the provider said about a
media (kind, type, size, its own id) and answers at once. A follower of the
log downloads each media afterwards, keeps it in a content-addressed store,
transcribes voice notes, and hands the outcome back to the conversation as a
follow-up turn (see `application/media_fetching.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

MediaKind = Literal["image", "video", "document", "audio", "voice", "sticker"]
MEDIA_KINDS: tuple[MediaKind, ...] = ("image", "video", "document", "audio", "voice", "sticker")
SPOKEN_KINDS: tuple[MediaKind, ...] = ("voice", "audio")
# What can show a problem on site: attached to a problem report like a photo.
VISUAL_KINDS: tuple[MediaKind, ...] = ("image", "video", "document")


@dataclass(frozen=True)
class InboundMedia:
    """One media of a message, as the provider announced it; never the bytes."""

    kind: MediaKind
    # How the provider lets us fetch it: a WhatsApp media id, a Telegram file_id, a Twilio media URL.
    provider_media_id: str
    mime_type: str = ""
    size: int | None = None  # when the provider says (Telegram does, WhatsApp only when fetched)
    sha256: str | None = None  # the provider's own hash (WhatsApp), hex or base64, to check the bytes
    filename: str | None = None


@dataclass(frozen=True)
class Transcript:
    text: str
    model: str
    latency_ms: float
    language: str | None = None


@dataclass(frozen=True)
class MediaOutcome:
    """What became of one media: what the fetcher hands back to its conversation."""

    media_id: str
    kind: str
    stored: bool
    sha256: str | None = None
    size: int | None = None
    mime_type: str = ""
    reason: str | None = None  # why it was not stored: too_large, type_not_accepted, expired...
    transcript: Transcript | None = None
    transcription_failure: str | None = None  # a voice note stored but not transcribed: why
    limit: int | None = None  # the size limit, when the media was refused for its size


class MediaRefusedError(Exception):
    """The media will never be fetched as it is (too large, a type not accepted, gone)."""

    def __init__(
        self, reason: str, detail: str = "", *, size: int | None = None, limit: int | None = None
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.size = size  # for too_large: what it weighs, and the limit, to tell the person
        self.limit = limit


class MediaUnavailableError(Exception):
    """Fetching failed this time (a 5xx, a timeout, a dropped connection): trying again may work."""


class MediaExpiredError(MediaUnavailableError):
    """The download URL expired or was refused: resolve the media again for a fresh one."""


@dataclass(frozen=True)
class MediaToFetch:
    """What a source needs to download one media."""

    media_id: str  # ours: names the staging file, so a download killed midway resumes
    channel: str
    kind: str
    provider_media_id: str
    mime_type: str
    size: int | None


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int
    sha256: str  # hex, computed over every byte on disk
    mime_type: str
    provider_sha256: str | None = None  # what the provider says it should be


class MediaSource(Protocol):
    """One channel's way to download what its users send."""

    channel: str

    def download(self, media: MediaToFetch) -> Downloaded:
        """Downloads into a staging file; MediaRefusedError, MediaUnavailableError otherwise."""
        ...


class BlobStore(Protocol):
    """Content-addressed storage: a blob's name is the SHA-256 of its bytes, so storing twice is harmless."""

    def put(self, sha256: str, source: Path, mime_type: str) -> None:
        """Stores the file under its hash; a blob already there is left as it is."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def read(self, sha256: str) -> bytes: ...

    def delete(self, sha256: str) -> None:
        """Removes the blob; removing one that is not there is not an error."""
        ...


class MediaReferences(Protocol):
    """Which conversations hold which blob: what erasing a person's media must know."""

    def add(self, sha256: str, media_id: str, conversation_id: str) -> None: ...

    def only_of(self, conversation_id: str) -> list[str]:
        """The blobs no other conversation holds."""
        ...

    def forget(self, conversation_id: str) -> None: ...


class TranscriptionError(Exception):
    """The transcription endpoint did not answer in time or refused the audio."""


class Transcriber(Protocol):
    model: str

    def transcribe(self, audio: bytes, filename: str, mime_type: str, language: str | None) -> Transcript: ...
