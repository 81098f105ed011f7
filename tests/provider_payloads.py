"""Webhook payloads shaped as WhatsApp Cloud API and Telegram send them, fields they add included."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.channels.whatsapp.webhook import signature

APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"
WA_TOKEN = "wa-token"
PHONE_NUMBER_ID = "106540352242922"
TG_BOT_TOKEN = "123:tg-token"
TG_SECRET = "telegram-secret-token"

KARIM_WA_ID = "33600000001"  # Meta's wa_id: E.164 without the plus
KARIM_TELEGRAM = 100000001  # linked to Karim in the demo directory

_update_ids = itertools.count(500_000_000)


def whatsapp_notification(
    messages: Sequence[dict[str, Any]] = (), statuses: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Karim"}, "wa_id": m["from"]} for m in messages]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def wa_message(wamid: str, kind: str, sender: str = KARIM_WA_ID, **content: Any) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": "1764000000", "type": kind, **content}


def wa_text(wamid: str, text: str, sender: str = KARIM_WA_ID) -> dict[str, Any]:
    return wa_message(wamid, "text", sender, text={"body": text})


def wa_button_reply(wamid: str, choice_id: str, title: str, sender: str = KARIM_WA_ID) -> dict[str, Any]:
    return wa_message(
        wamid,
        "interactive",
        sender,
        context={"from": "15550783881", "id": "wamid.offer"},
        interactive={"type": "button_reply", "button_reply": {"id": choice_id, "title": title}},
    )


def wa_list_reply(wamid: str, choice_id: str, title: str, sender: str = KARIM_WA_ID) -> dict[str, Any]:
    return wa_message(
        wamid,
        "interactive",
        sender,
        interactive={
            "type": "list_reply",
            "list_reply": {"id": choice_id, "title": title, "description": "x"},
        },
    )


def wa_status(wamid: str, status: str, *, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": "1764000100",
        "recipient_id": KARIM_WA_ID,
        "conversation": {"id": "c1", "origin": {"type": "service"}},
        "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
    }
    if errors:
        report["errors"] = errors
    return report


def post_whatsapp(
    client: TestClient, payload: dict[str, Any] | bytes, *, sign: str | None = None, secret: str = APP_SECRET
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    headers["X-Hub-Signature-256"] = sign if sign is not None else signature(body, secret)
    return client.post("/webhooks/whatsapp", content=body, headers=headers)


def tg_user(user_id: int, language: str = "fr") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Karim", "language_code": language}


def tg_message(
    text: str, user_id: int = KARIM_TELEGRAM, update_id: int | None = None, language: str = "fr"
) -> dict[str, Any]:
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": {
            "message_id": 77,
            "from": tg_user(user_id, language),
            "chat": {"id": user_id, "first_name": "Karim", "type": "private"},
            "date": 1764000000,
            "text": text,
        },
    }


def tg_press(
    data: str,
    keyboard: list[dict[str, Any]],
    user_id: int = KARIM_TELEGRAM,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A press on a button of a message the bot sent with `keyboard` (its inline_keyboard rows)."""
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "callback_query": {
            "id": f"cbq-{next(_update_ids)}",
            "from": tg_user(user_id),
            "chat_instance": "-5551234",
            "data": data,
            "message": {
                "message_id": 78,
                "from": {"id": 123, "is_bot": True, "first_name": "Convo"},
                "chat": {"id": user_id, "type": "private"},
                "date": 1764000001,
                "text": "…",
                "reply_markup": {"inline_keyboard": [[button] for button in keyboard]},
            },
        },
    }


def post_telegram(
    client: TestClient, payload: dict[str, Any] | bytes, *, secret: str | None = TG_SECRET
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client.post("/webhooks/telegram", content=body, headers=headers)
