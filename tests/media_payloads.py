"""Webhook payloads carrying media and the other kinds of message, shaped as the providers document them."""

from __future__ import annotations

from typing import Any

from tests.provider_payloads import KARIM_TELEGRAM, KARIM_WA_ID, tg_message, wa_message


def wa_image(wamid: str, media_id: str, caption: str | None = None, sha256: str = "") -> dict[str, Any]:
    image: dict[str, Any] = {"mime_type": "image/jpeg", "sha256": sha256 or "aGFzaA==", "id": media_id}
    if caption is not None:
        image["caption"] = caption
    return wa_message(wamid, "image", image=image)


def wa_voice(wamid: str, media_id: str) -> dict[str, Any]:
    audio = {"mime_type": "audio/ogg; codecs=opus", "sha256": "aGFzaA==", "id": media_id, "voice": True}
    return wa_message(wamid, "audio", audio=audio)


def wa_video(wamid: str, media_id: str, caption: str | None = None) -> dict[str, Any]:
    video: dict[str, Any] = {"mime_type": "video/mp4", "sha256": "aGFzaA==", "id": media_id}
    if caption is not None:
        video["caption"] = caption
    return wa_message(wamid, "video", video=video)


def wa_document(wamid: str, media_id: str, filename: str = "devis.pdf") -> dict[str, Any]:
    document = {"filename": filename, "mime_type": "application/pdf", "sha256": "aGFzaA==", "id": media_id}
    return wa_message(wamid, "document", document=document)


def wa_sticker(wamid: str, media_id: str) -> dict[str, Any]:
    sticker = {"mime_type": "image/webp", "sha256": "aGFzaA==", "id": media_id, "animated": False}
    return wa_message(wamid, "sticker", sticker=sticker)


def wa_reaction(wamid: str, to: str, emoji: str | None = "👍") -> dict[str, Any]:
    reaction: dict[str, Any] = {"message_id": to}
    if emoji is not None:
        reaction["emoji"] = emoji
    return wa_message(wamid, "reaction", reaction=reaction)


def wa_location(
    wamid: str, latitude: float, longitude: float, name: str = "", address: str = ""
) -> dict[str, Any]:
    location = {"latitude": latitude, "longitude": longitude, "name": name, "address": address}
    return wa_message(wamid, "location", location=location)


def wa_contacts(wamid: str) -> dict[str, Any]:
    card = {
        "name": {"formatted_name": "Paul Martin", "first_name": "Paul", "last_name": "Martin"},
        "phones": [{"phone": "+33 6 12 34 56 78", "type": "CELL", "wa_id": "33612345678"}],
    }
    return wa_message(wamid, "contacts", contacts=[card])


def wa_number_changed(wamid: str, new_wa_id: str, sender: str = KARIM_WA_ID) -> dict[str, Any]:
    system = {
        "body": f"Karim changed their phone number from {sender} to {new_wa_id}",
        "new_wa_id": new_wa_id,
        "type": "user_changed_number",
    }
    return wa_message(wamid, "system", sender, system=system)


def wa_request_welcome(wamid: str, sender: str = KARIM_WA_ID) -> dict[str, Any]:
    return wa_message(wamid, "request_welcome", sender)


def wa_unsupported(wamid: str) -> dict[str, Any]:
    error = {
        "code": 131051,
        "title": "Message type unknown",
        "error_data": {"details": "Message type unknown"},
    }
    return wa_message(wamid, "unsupported", errors=[error])


def wa_order(wamid: str) -> dict[str, Any]:
    order = {
        "catalog_id": "1234",
        "text": "",
        "product_items": [
            {"product_retailer_id": "sku-1", "quantity": "2", "item_price": "10", "currency": "EUR"}
        ],
    }
    return wa_message(wamid, "order", order=order)


def _tg_without_text(update_id: int | None = None, **fields: Any) -> dict[str, Any]:
    update = tg_message("x", update_id=update_id)
    del update["message"]["text"]
    update["message"].update(fields)
    return update


def tg_photo(file_id: str, caption: str | None = None, size: int = 300_000) -> dict[str, Any]:
    sizes = [
        {"file_id": f"{file_id}-small", "file_unique_id": "s", "file_size": 1500, "width": 90, "height": 67},
        {"file_id": file_id, "file_unique_id": "l", "file_size": size, "width": 1280, "height": 960},
        {
            "file_id": f"{file_id}-mid",
            "file_unique_id": "m",
            "file_size": 40_000,
            "width": 320,
            "height": 240,
        },
    ]
    fields: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        fields["caption"] = caption
    return _tg_without_text(**fields)


def tg_voice(file_id: str, size: int = 10_000) -> dict[str, Any]:
    return _tg_without_text(
        voice={
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_id": file_id,
            "file_unique_id": "v",
            "file_size": size,
        }
    )


def tg_video_note(file_id: str) -> dict[str, Any]:
    note = {"duration": 5, "length": 240, "file_id": file_id, "file_unique_id": "n", "file_size": 90_000}
    return _tg_without_text(video_note=note)


def tg_document(file_id: str, name: str = "plan.pdf") -> dict[str, Any]:
    document = {"file_name": name, "mime_type": "application/pdf", "file_id": file_id, "file_unique_id": "d"}
    return _tg_without_text(document=document)


def tg_location(latitude: float, longitude: float) -> dict[str, Any]:
    return _tg_without_text(location={"latitude": latitude, "longitude": longitude})


def tg_contact() -> dict[str, Any]:
    return _tg_without_text(contact={"phone_number": "+33612345678", "first_name": "Paul", "user_id": 555})


def tg_edited(text: str, message_id: int = 77) -> dict[str, Any]:
    update = tg_message(text)
    edited = update.pop("message")
    edited["message_id"] = message_id
    edited["edit_date"] = edited["date"] + 30
    update["edited_message"] = edited
    return update


def tg_reaction(message_id: int, emoji: str | None = "👍", user_id: int = KARIM_TELEGRAM) -> dict[str, Any]:
    new = [{"type": "emoji", "emoji": emoji}] if emoji else []
    update = tg_message("x")
    return {
        "update_id": update["update_id"],
        "message_reaction": {
            "chat": {"id": user_id, "first_name": "Karim", "type": "private"},
            "message_id": message_id,
            "user": {"id": user_id, "is_bot": False, "first_name": "Karim", "language_code": "fr"},
            "date": 1764000100,
            "old_reaction": [],
            "new_reaction": new,
        },
    }
