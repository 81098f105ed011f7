"""Fetching each media a turn recorded, once, and telling its conversation what became of it.

For every `MediaReceived` in the log the fetcher downloads the media from its
provider (with retries, within the size and type limits), stores it by its
SHA-256, transcribes a voice note when it can, and hands the outcome back to
the conversation as a follow-up turn (`Inbound.media_outcome`). That turn
records `MediaStored` or `MediaFetchFailed` (and the transcript), and answers
when there is something to say.

Exactly once: the follow-up turn has a receipt of its own, keyed by the
media; a media whose follow-up was recorded is never fetched again, by this
worker after a crash or by another. Storing is content-addressed, so a blob
stored twice (a crash between storing and recording) is the same blob.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from application.event_log.records import EventRecord
from application.event_store import ConversationStore
from application.inbound import Inbound, TurnOutcome
from application.media import (
    SPOKEN_KINDS,
    BlobStore,
    Downloaded,
    MediaOutcome,
    MediaReferences,
    MediaRefusedError,
    MediaSource,
    MediaToFetch,
    MediaUnavailableError,
    Transcriber,
    TranscriptionError,
)
from application.pausing import Pause
from application.receipts import receipt_id_of
from domain.conversation import Conversation
from domain.receipt import ERASED_TEXT

log = logging.getLogger(__name__)

MEDIA_RECEIVED = "MediaReceived"


class TurnHandler(Protocol):
    def handle(self, inbound: Inbound) -> TurnOutcome: ...


@dataclass(frozen=True)
class FetchPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int) -> float:
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (min(attempt, 30) - 1))
        return backoff * random.uniform(0.5, 1.0)  # noqa: S311


def follow_up_id(message_id: str, media_id: str) -> str:
    """The message id of the turn that tells a media's outcome: one per media, forever."""
    return f"{message_id}#{media_id}"


class MediaFetcher:
    def __init__(
        self,
        store: ConversationStore,
        turns: TurnHandler,
        sources: Mapping[str, MediaSource],
        blobs: BlobStore,
        references: MediaReferences,
        *,
        transcriber: Transcriber | None = None,
        pause: Pause | None = None,
        policy: FetchPolicy | None = None,
        discard: Callable[[str], None] = lambda _media_id: None,
    ) -> None:
        """`discard` drops what a download left in staging once the media's fate is recorded."""
        self._store = store
        self._turns = turns
        self._sources = dict(sources)
        self._blobs = blobs
        self._references = references
        self._transcriber = transcriber
        self._pause = pause or Pause()
        self._policy = policy or FetchPolicy()
        self._discard = discard

    def fetch(self, record: EventRecord) -> TurnOutcome | None:
        """Fetches the media of one `MediaReceived`; None when its outcome was recorded before."""
        payload = record.payload
        channel = str(payload["channel"])
        media_id = str(payload["media_id"])
        if payload.get("provider_media_id") == ERASED_TEXT:
            return None  # its person was erased before it was fetched: nothing to fetch for anyone
        conversation = self._store.conversation_by_id(record.conversation_id)
        reply_to = payload.get("reply_to")
        follow_up = Inbound(
            channel=channel,
            message_id=follow_up_id(str(payload["message_id"]), media_id),
            sender=conversation.contact,
            media_outcome=MediaOutcome(media_id=media_id, kind=str(payload["kind"]), stored=False),
            reply_to=dict(reply_to) if reply_to is not None else None,
        )
        if self._store.receipt(receipt_id_of(follow_up, conversation.id)) is not None:
            return None  # recorded before: by this worker before a crash, or by another
        wanted = MediaToFetch(
            media_id=media_id,
            channel=channel,
            kind=str(payload["kind"]),
            provider_media_id=str(payload["provider_media_id"]),
            mime_type=str(payload.get("mime_type") or ""),
            size=payload.get("size"),
        )
        outcome = self._outcome(wanted, conversation, reply_to is not None)
        try:
            return self._turns.handle(
                Inbound(
                    channel=follow_up.channel,
                    message_id=follow_up.message_id,
                    sender=follow_up.sender,
                    media_outcome=outcome,
                    reply_to=follow_up.reply_to,
                )
            )
        finally:
            self._discard(media_id)

    def _outcome(
        self, wanted: MediaToFetch, conversation: Conversation, can_answer_later: bool
    ) -> MediaOutcome:
        if conversation.subcontractor_id is None:
            # Nobody we work with: their photos are not ours to keep.
            return self._failed(wanted, "sender_not_registered", "")
        downloaded = self._download(wanted)
        if isinstance(downloaded, MediaOutcome):
            return downloaded
        self._blobs.put(downloaded.sha256, downloaded.path, downloaded.mime_type)
        self._references.add(downloaded.sha256, wanted.media_id, str(conversation.id))
        log.info("media %s stored: %s bytes, sha256 %s", wanted.media_id, downloaded.size, downloaded.sha256)
        stored = MediaOutcome(
            media_id=wanted.media_id,
            kind=wanted.kind,
            stored=True,
            sha256=downloaded.sha256,
            size=downloaded.size,
            mime_type=downloaded.mime_type,
        )
        # A channel that answers only in its webhook's response (Twilio) cannot be told later:
        # its voice notes were already answered with a request to type.
        if wanted.kind not in SPOKEN_KINDS or self._transcriber is None or not can_answer_later:
            return stored
        return self._transcribed(stored, downloaded, conversation.language)

    def _download(self, wanted: MediaToFetch) -> Downloaded | MediaOutcome:
        source = self._sources.get(wanted.channel)
        if source is None:
            return self._failed(
                wanted, "channel_not_configured", f"no credentials to fetch {wanted.channel} media"
            )
        attempt = 0
        while True:
            attempt += 1
            self._pause.keep_alive()
            try:
                return source.download(wanted)
            except MediaRefusedError as refused:
                failed = self._failed(wanted, refused.reason, refused.detail)
                return replace(failed, size=refused.size, limit=refused.limit)
            except MediaUnavailableError as failure:
                log.warning("media %s, attempt %s: %s", wanted.media_id, attempt, failure)
                if attempt >= self._policy.max_attempts:
                    return self._failed(wanted, "unavailable", str(failure))
                self._pause(self._policy.delay(attempt), wanted.media_id)

    def _transcribed(self, stored: MediaOutcome, downloaded: Downloaded, language: str) -> MediaOutcome:
        assert self._transcriber is not None
        try:
            transcript = self._transcriber.transcribe(
                downloaded.path.read_bytes(),
                _filename_for(downloaded.mime_type),
                downloaded.mime_type,
                language,
            )
        except TranscriptionError as failure:
            log.warning("voice note %s not transcribed: %s", stored.media_id, failure)
            return replace(stored, transcription_failure=str(failure))
        if not transcript.text:
            return replace(stored, transcription_failure="nothing was heard")
        return replace(stored, transcript=transcript)

    @staticmethod
    def _failed(wanted: MediaToFetch, reason: str, detail: str) -> MediaOutcome:
        log.warning("media %s not stored: %s %s", wanted.media_id, reason, detail)
        full = f"{reason}: {detail}" if detail else reason
        return MediaOutcome(
            media_id=wanted.media_id, kind=wanted.kind, stored=False, mime_type=wanted.mime_type, reason=full
        )


# Transcription endpoints tell the format by the file's extension (OpenAI's does).
_EXTENSIONS = {
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
    "audio/x-m4a": "m4a",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/webm": "webm",
    "video/mp4": "mp4",
}


def _filename_for(mime_type: str) -> str:
    bare = mime_type.split(";", 1)[0].strip().lower()
    return f"voice.{_EXTENSIONS.get(bare, 'ogg')}"
