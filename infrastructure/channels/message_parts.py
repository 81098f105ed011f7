"""What a provider's message carries besides text and presses, in the turn's terms."""

from __future__ import annotations

from dataclasses import dataclass

from application.media import InboundMedia
from application.message_kinds import OtherMessage
from domain.values import MAX_TEXT_LENGTH


@dataclass(frozen=True)
class MessageParts:
    """Media with their caption, or another kind of message (a location, a reaction...)."""

    media: tuple[InboundMedia, ...] = ()
    caption: str | None = None
    other: OtherMessage | None = None


def caption_of(text: str | None) -> str | None:
    """A caption goes through understanding like text: an empty one is none."""
    if text is None or not text.strip():
        return None
    return text[:MAX_TEXT_LENGTH]
