"""Telegram messages that are not text or presses: media, locations, contacts, reactions.

Shapes from the Bot API's reference (`Message`, `PhotoSize`, `MessageReactionUpdated`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from application.inbound import InvalidInboundError
from application.media import InboundMedia, MediaKind
from application.message_kinds import Reaction, SharedContacts, SharedLocation
from domain.identity import telegram_message_key
from infrastructure.channels.message_parts import MessageParts, caption_of


class _File(BaseModel):
    file_id: str
    file_size: int | None = None
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0


class _Location(BaseModel):
    latitude: float
    longitude: float


class _Venue(BaseModel):
    location: _Location
    title: str = ""
    address: str = ""


class _Chat(BaseModel):
    id: int


class _User(BaseModel):
    id: int
    is_bot: bool = False
    language_code: str | None = None


class _ReactionType(BaseModel):
    type: str
    emoji: str = ""


class MessageReactionUpdated(BaseModel):
    chat: _Chat
    message_id: int
    user: _User | None = None  # absent when an anonymous admin reacted for the chat
    new_reaction: list[_ReactionType] = []


# Kind, and the MIME type to assume where Telegram does not say (photos are always JPEG).
_FILE_FIELDS: tuple[tuple[str, MediaKind, str], ...] = (
    ("voice", "voice", "audio/ogg"),
    ("video_note", "video", "video/mp4"),
    ("animation", "video", "video/mp4"),  # sent with a `document` too: the animation wins
    ("video", "video", "video/mp4"),
    ("audio", "audio", "audio/mpeg"),
    ("sticker", "sticker", "image/webp"),
    ("document", "document", "application/octet-stream"),
)


def parts_of(fields: dict[str, Any]) -> MessageParts | None:
    """What a message carries instead of text; None when it is nothing handled here."""
    try:
        return _parts_of(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInboundError(f"not a Telegram message: {where}: {first['msg']}") from None


def _parts_of(fields: dict[str, Any]) -> MessageParts | None:
    caption = caption_of(fields.get("caption"))
    if fields.get("photo"):
        sizes = [_File.model_validate(size) for size in fields["photo"]]
        largest = max(sizes, key=lambda s: (s.width * s.height, s.file_size or 0))
        photo = InboundMedia("image", largest.file_id, "image/jpeg", largest.file_size)
        return MessageParts(media=(photo,), caption=caption)
    for name, kind, assumed_type in _FILE_FIELDS:
        if fields.get(name):
            file = _File.model_validate(fields[name])
            media = InboundMedia(
                kind, file.file_id, file.mime_type or assumed_type, file.file_size, filename=file.file_name
            )
            return MessageParts(media=(media,), caption=caption)
    if fields.get("venue"):
        venue = _Venue.model_validate(fields["venue"])
        return MessageParts(other=_located(venue.location, venue.title, venue.address))
    if fields.get("location"):
        return MessageParts(other=_located(_Location.model_validate(fields["location"])))
    if fields.get("contact"):
        return MessageParts(other=SharedContacts(count=1))
    return None


def reaction_of(update: MessageReactionUpdated) -> Reaction:
    """The emoji now on the message; empty when the reaction was taken off."""
    emoji = next((r.emoji for r in update.new_reaction if r.type == "emoji" and r.emoji), "")
    if not emoji and update.new_reaction:
        emoji = update.new_reaction[0].type  # a custom or paid reaction: named by its type
    return Reaction(emoji=emoji, to_message=telegram_message_key(str(update.chat.id), str(update.message_id)))


def _located(location: _Location, name: str = "", address: str = "") -> SharedLocation:
    try:
        return SharedLocation(location.latitude, location.longitude, name, address)
    except ValueError as error:
        raise InvalidInboundError(f"not a Telegram location: {error}") from None
