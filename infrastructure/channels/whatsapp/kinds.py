"""WhatsApp messages that are not text or presses: media, locations, contacts, reactions, system notes.

Shapes from the Cloud API's webhook reference. Unknown fields are ignored, as
everywhere else in the channel; a known kind with a broken shape is refused.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from application.inbound import InvalidInboundError
from application.media import InboundMedia, MediaKind
from application.message_kinds import (
    NumberChanged,
    OrderPlaced,
    Reaction,
    SharedContacts,
    SharedLocation,
    SystemNotice,
    WelcomeRequested,
)
from application.phone import normalise_phone
from infrastructure.channels.message_parts import MessageParts, caption_of

_MEDIA_KINDS: dict[str, MediaKind] = {
    "image": "image",
    "video": "video",
    "document": "document",
    "audio": "audio",
    "sticker": "sticker",
}


class _Media(BaseModel):
    id: str
    mime_type: str = ""
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False  # an audio recorded in the app (a voice note), not a file sent


class _Location(BaseModel):
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""


class _Reaction(BaseModel):
    message_id: str
    emoji: str = ""  # absent when the reaction is taken off


class _System(BaseModel):
    type: str = ""
    body: str = ""
    new_wa_id: str | None = None
    wa_id: str | None = None  # older versions of the API named the new number so


class _Order(BaseModel):
    product_items: list[dict[str, Any]] = []


def parts_of(kind: str, fields: dict[str, Any]) -> MessageParts | None:
    """The parts of a message of type `kind` (its fields by name); None for kinds not handled here."""
    try:
        return _parts_of(kind, fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInboundError(f"not a WhatsApp {kind} message: {kind}.{where}: {first['msg']}") from None


def _parts_of(kind: str, fields: dict[str, Any]) -> MessageParts | None:
    content = fields.get(kind)
    if kind in _MEDIA_KINDS:
        media = _Media.model_validate(content)
        media_kind: MediaKind = "voice" if kind == "audio" and media.voice else _MEDIA_KINDS[kind]
        inbound = InboundMedia(
            kind=media_kind,
            provider_media_id=media.id,
            mime_type=media.mime_type,
            sha256=media.sha256,
            filename=media.filename,
        )
        return MessageParts(media=(inbound,), caption=caption_of(media.caption))
    if kind == "location":
        place = _Location.model_validate(content)
        try:
            located = SharedLocation(place.latitude, place.longitude, place.name, place.address)
        except ValueError as error:
            raise InvalidInboundError(f"not a WhatsApp location: {error}") from None
        return MessageParts(other=located)
    if kind == "contacts":
        return MessageParts(other=SharedContacts(count=len(content) if isinstance(content, list) else 0))
    if kind == "reaction":
        reaction = _Reaction.model_validate(content)
        return MessageParts(other=Reaction(emoji=reaction.emoji, to_message=reaction.message_id))
    if kind == "system":
        return MessageParts(other=_system(_System.model_validate(content or {})))
    if kind == "request_welcome":
        return MessageParts(other=WelcomeRequested())
    if kind == "order":
        return MessageParts(other=OrderPlaced(items=len(_Order.model_validate(content or {}).product_items)))
    return None


def _system(system: _System) -> NumberChanged | SystemNotice:
    new_number = system.new_wa_id or system.wa_id
    if system.type == "user_changed_number" and new_number:
        try:
            return NumberChanged(new_number=normalise_phone(new_number))
        except InvalidInboundError:
            pass  # kept as a notice: an operator reads the body
    return SystemNotice(kind=system.type or "system", body=system.body)
