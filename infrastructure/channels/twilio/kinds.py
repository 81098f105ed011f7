"""Twilio messages with media or a location: `NumMedia`/`MediaUrl{N}`/`MediaContentType{N}`,
`Latitude`/`Longitude`/`Address`/`Label` (WhatsApp locations through Twilio)."""

from __future__ import annotations

from collections.abc import Mapping

from application.inbound import InvalidInboundError
from application.media import InboundMedia, MediaKind
from application.message_kinds import SharedLocation

MAX_MEDIA = 10  # Twilio's own limit per message


def media_of(fields: Mapping[str, str]) -> tuple[InboundMedia, ...]:
    """Each media of the message; its URL is how it is fetched (with the account's credentials)."""
    try:
        count = int(fields.get("NumMedia") or "0")
    except ValueError:
        raise InvalidInboundError(f"NumMedia is not a number: {fields.get('NumMedia')!r}") from None
    media = []
    for n in range(min(max(count, 0), MAX_MEDIA)):
        url = fields.get(f"MediaUrl{n}", "").strip()
        if not url:
            raise InvalidInboundError(f"NumMedia says {count} but MediaUrl{n} is missing")
        mime_type = fields.get(f"MediaContentType{n}", "")
        media.append(InboundMedia(kind=_kind_of(mime_type), provider_media_id=url, mime_type=mime_type))
    return tuple(media)


def location_of(fields: Mapping[str, str]) -> SharedLocation | None:
    latitude, longitude = fields.get("Latitude", ""), fields.get("Longitude", "")
    if not latitude or not longitude:
        return None
    try:
        return SharedLocation(
            float(latitude), float(longitude), fields.get("Label", ""), fields.get("Address", "")
        )
    except ValueError:
        raise InvalidInboundError(f"not a position: {latitude!r}, {longitude!r}") from None


def _kind_of(mime_type: str) -> MediaKind:
    # Twilio says only the type: a voice note from WhatsApp is audio/ogg.
    major = mime_type.split("/", 1)[0].lower()
    if major == "image":
        return "image"
    if major == "video":
        return "video"
    if major == "audio":
        return "voice" if "ogg" in mime_type.lower() else "audio"
    return "document"
