"""Small rules of media: which types and sizes are kept, hashes in either spelling, inbound shapes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from application.attachments import Attachment, decoded, encoded
from application.inbound import Inbound, InvalidInboundError, PressedButton
from application.media import InboundMedia, MediaRefusedError
from application.message_kinds import Reaction, SharedLocation
from infrastructure.media.download import MediaLimits, same_hash

LIMITS = MediaLimits(max_bytes=1000, accepted_types=("image/*", "audio/*", "application/pdf"))
PHOTO = InboundMedia("image", "1001", "image/jpeg")


@pytest.mark.parametrize("mime", ["image/jpeg", "IMAGE/PNG", "audio/ogg; codecs=opus", "application/pdf"])
def test_accepted_types(mime: str) -> None:
    LIMITS.check_type(mime)


@pytest.mark.parametrize("mime", ["application/zip", "video/mp4", "", "text/html"])
def test_refused_types(mime: str) -> None:
    with pytest.raises(MediaRefusedError, match="type_not_accepted"):
        LIMITS.check_type(mime)


def test_the_size_limit_says_both_figures() -> None:
    LIMITS.check_size(1000)
    LIMITS.check_size(None)  # unknown until the bytes come
    with pytest.raises(MediaRefusedError) as refused:
        LIMITS.check_size(1001)
    assert (refused.value.reason, refused.value.size, refused.value.limit) == ("too_large", 1001, 1000)


def test_a_providers_hash_in_hex_or_base64() -> None:
    digest = hashlib.sha256(b"photo")
    assert same_hash(digest.hexdigest(), digest.hexdigest().upper())
    assert same_hash(digest.hexdigest(), base64.b64encode(digest.digest()).decode())
    assert not same_hash(digest.hexdigest(), base64.b64encode(b"other").decode())
    assert not same_hash(digest.hexdigest(), "not base64 !")


def test_a_caption_goes_with_media_but_nothing_else_does() -> None:
    Inbound("whatsapp", "w1", "+33600000001", text="fuite", media=(PHOTO,))
    Inbound("whatsapp", "w2", "+33600000001", media=(PHOTO,))
    Inbound("whatsapp", "w3", "+33600000001", other=Reaction("👍", "wamid.x"))
    with pytest.raises(InvalidInboundError):
        Inbound("whatsapp", "w4", "+33600000001", button=PressedButton("menu.main", "Menu"), media=(PHOTO,))
    with pytest.raises(InvalidInboundError):
        Inbound("whatsapp", "w5", "+33600000001", text="hello", other=Reaction("👍", "wamid.x"))


def test_a_position_must_be_on_earth() -> None:
    with pytest.raises(ValueError, match="on Earth"):
        SharedLocation(91.0, 0.0)
    with pytest.raises(ValueError, match="on Earth"):
        SharedLocation(float("nan"), 0.0)


def test_attachments_survive_a_yes_no_question() -> None:
    photos = (Attachment("m1", "image", "image/jpeg"), Attachment("m2", "video", "video/mp4"))
    assert decoded(encoded(photos)) == photos
    assert decoded("") == ()
