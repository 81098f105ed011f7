"""Every kind of message each channel documents maps onto the turn's inbound on purpose."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from application.inbound import Inbound, InvalidInboundError
from application.media import InboundMedia
from application.message_kinds import (
    MessageEdited,
    NumberChanged,
    OrderPlaced,
    Reaction,
    SharedContacts,
    SharedLocation,
    WelcomeRequested,
)
from infrastructure.channels.telegram import webhook as telegram
from infrastructure.channels.twilio import webhook as twilio
from infrastructure.channels.whatsapp import webhook as whatsapp
from tests import media_payloads as p
from tests.provider_payloads import KARIM_TELEGRAM, wa_message, whatsapp_notification


def wa(message: dict[str, Any]) -> Inbound:
    [inbound] = whatsapp.parse(
        json.dumps(whatsapp_notification([message])).encode(), datetime.now(UTC)
    ).messages
    return inbound


def tg(update: dict[str, Any]) -> Inbound:
    inbound = telegram.parse(json.dumps(update).encode())
    assert inbound is not None
    return inbound


def test_whatsapp_image_keeps_its_caption_as_text() -> None:
    inbound = wa(p.wa_image("w1", "1001", "fuite au plafond", sha256="c2hh"))
    assert inbound.text == "fuite au plafond"
    assert inbound.media == (InboundMedia("image", "1001", "image/jpeg", sha256="c2hh"),)


@pytest.mark.parametrize(
    ("message", "kind", "mime"),
    [
        (p.wa_voice("w1", "1"), "voice", "audio/ogg; codecs=opus"),
        (wa_message("w1", "audio", audio={"mime_type": "audio/mpeg", "id": "1"}), "audio", "audio/mpeg"),
        (p.wa_video("w1", "1"), "video", "video/mp4"),
        (p.wa_document("w1", "1"), "document", "application/pdf"),
        (p.wa_sticker("w1", "1"), "sticker", "image/webp"),
    ],
)
def test_whatsapp_media_of_every_kind(message: dict[str, Any], kind: str, mime: str) -> None:
    [media] = wa(message).media
    assert (media.kind, media.mime_type, media.provider_media_id) == (kind, mime, "1")


def test_whatsapp_document_keeps_its_file_name() -> None:
    assert wa(p.wa_document("w1", "1", "devis.pdf")).media[0].filename == "devis.pdf"


@pytest.mark.parametrize(
    ("message", "other"),
    [
        (p.wa_reaction("w1", "wamid.bot"), Reaction("👍", "wamid.bot")),
        (p.wa_reaction("w1", "wamid.bot", emoji=None), Reaction("", "wamid.bot")),
        (
            p.wa_location("w1", 45.77, 4.88, "Chantier", "12 rue X"),
            SharedLocation(45.77, 4.88, "Chantier", "12 rue X"),
        ),
        (p.wa_contacts("w1"), SharedContacts(1)),
        (p.wa_number_changed("w1", "33700000009"), NumberChanged("+33700000009")),
        (p.wa_request_welcome("w1"), WelcomeRequested()),
        (p.wa_order("w1"), OrderPlaced(1)),
    ],
)
def test_whatsapp_other_kinds(message: dict[str, Any], other: object) -> None:
    inbound = wa(message)
    assert (inbound.other, inbound.text, inbound.media, inbound.unsupported) == (other, None, (), None)


def test_whatsapp_unsupported_stays_unsupported() -> None:
    assert wa(p.wa_unsupported("w1")).unsupported == "unsupported"


@pytest.mark.parametrize(
    "message",
    [
        wa_message("w1", "image", image={"mime_type": "image/jpeg"}),  # no id
        wa_message("w1", "location", location={"latitude": 95.0, "longitude": 4.0}),
        wa_message("w1", "reaction", reaction={"emoji": "👍"}),
    ],
)
def test_whatsapp_known_kinds_with_a_broken_shape_are_refused(message: dict[str, Any]) -> None:
    with pytest.raises(InvalidInboundError):
        wa(message)


def test_telegram_photo_is_its_largest_size() -> None:
    inbound = tg(p.tg_photo("big", "fuite"))
    assert inbound.text == "fuite"
    assert inbound.media == (InboundMedia("image", "big", "image/jpeg", 300_000),)
    assert inbound.reply_to == {"chat_id": str(KARIM_TELEGRAM)}


@pytest.mark.parametrize(
    ("update", "kind", "mime"),
    [
        (p.tg_voice("f"), "voice", "audio/ogg"),
        (p.tg_video_note("f"), "video", "video/mp4"),
        (p.tg_document("f"), "document", "application/pdf"),
    ],
)
def test_telegram_files(update: dict[str, Any], kind: str, mime: str) -> None:
    [media] = tg(update).media
    assert (media.kind, media.mime_type, media.provider_media_id) == (kind, mime, "f")


def test_telegram_location_contact_edit_and_reaction() -> None:
    assert tg(p.tg_location(45.7, 4.8)).other == SharedLocation(45.7, 4.8)
    assert tg(p.tg_contact()).other == SharedContacts(1)
    assert tg(p.tg_edited("pas fini", message_id=12)).other == MessageEdited(
        "pas fini", f"{KARIM_TELEGRAM}:12"
    )
    reaction = tg(p.tg_reaction(5))
    assert reaction.other == Reaction("👍", f"{KARIM_TELEGRAM}:5")
    assert reaction.sender == f"telegram:{KARIM_TELEGRAM}"


def test_twilio_media_and_location() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    params = [("MessageSid", "MM1"), ("From", "whatsapp:+33600000001"), ("NumMedia", "2"), ("Body", "fuite"),
              ("MediaUrl0", url), ("MediaContentType0", "image/jpeg"),
              ("MediaUrl1", url + "b"), ("MediaContentType1", "audio/ogg")]  # fmt: skip
    inbound = twilio.inbound_of(params)
    assert inbound.text == "fuite"
    assert [(m.kind, m.provider_media_id) for m in inbound.media] == [("image", url), ("voice", url + "b")]
    located = twilio.inbound_of(
        [("MessageSid", "MM2"), ("From", "whatsapp:+33600000001"), ("NumMedia", "0"), ("Body", ""),
         ("Latitude", "45.77"), ("Longitude", "4.88"), ("Address", "12 rue X"), ("Label", "Chantier")]
    )  # fmt: skip
    assert located.other == SharedLocation(45.77, 4.88, "Chantier", "12 rue X")


def test_twilio_media_count_without_urls_is_refused() -> None:
    with pytest.raises(InvalidInboundError, match="MediaUrl0"):
        twilio.inbound_of([("MessageSid", "MM1"), ("From", "+33600000001"), ("NumMedia", "1")])
