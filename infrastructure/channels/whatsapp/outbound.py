"""Replies as WhatsApp Cloud API messages: reply buttons, list messages or text."""

from __future__ import annotations

from typing import Any

import httpx

from application.outbound import Outgoing, PermanentSendError, ThrottledSendError
from application.pacing import Pace
from domain.values import (
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    MAX_LIST_ROW_DESCRIPTION,
    MAX_LIST_ROW_TITLE,
    MAX_LIST_ROWS,
    MAX_TEXT_LENGTH,
    Reply,
    cut,
    shorten,
)
from infrastructure.channels.sending import post_json
from infrastructure.channels.whatsapp.errors import NUMBER_THROTTLED, meta_refusal
from infrastructure.channels.whatsapp.webhook import CHANNEL

MAX_INTERACTIVE_BODY = 1024
MAX_CHOICE_ID = 200  # list row ids; reply button ids allow 256
LIST_BUTTON_LABEL = "Options"  # the same word in French and English, within 20 characters
THROTTLED_PAUSE_SECONDS = 1.0  # Meta counts throughput per second: a throttled number rests one


def message_of(reply: Reply, to: str) -> dict[str, Any]:
    """The body of `POST /{phone-number-id}/messages` for this reply, within Meta's limits."""
    message: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    choices = reply["choices"][:MAX_LIST_ROWS]
    body = {"text": cut(reply["text"], MAX_INTERACTIVE_BODY)}
    if not choices:
        message["type"] = "text"
        message["text"] = {"body": cut(reply["text"], MAX_TEXT_LENGTH), "preview_url": False}
    elif len(choices) <= MAX_BUTTONS and reply["style"] != "list":
        buttons = [
            {
                "type": "reply",
                "reply": {"id": c["id"][:MAX_CHOICE_ID], "title": shorten(c["title"], MAX_BUTTON_TITLE)},
            }
            for c in choices
        ]
        message["type"] = "interactive"
        message["interactive"] = {"type": "button", "body": body, "action": {"buttons": buttons}}
    else:
        rows = []
        for c in choices:
            row = {"id": c["id"][:MAX_CHOICE_ID], "title": shorten(c["title"], MAX_LIST_ROW_TITLE)}
            if c.get("description"):
                row["description"] = shorten(c.get("description", ""), MAX_LIST_ROW_DESCRIPTION)
            rows.append(row)
        message["type"] = "interactive"
        message["interactive"] = {
            "type": "list",
            "body": body,
            "action": {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]},
        }
    return message


class WhatsAppSender:
    """Sends through one business number, paced under its throughput."""

    name = CHANNEL

    def __init__(
        self, client: httpx.Client, api_url: str, phone_number_id: str, access_token: str, pace: Pace
    ) -> None:
        self._client = client
        self._number = phone_number_id
        self._url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._pace = pace

    def send(self, outgoing: Outgoing) -> list[str]:
        message = message_of(outgoing.reply, outgoing.reply_to["to"])
        self._pace.take(self._number)
        try:
            answer = post_json(self._client, self._url, message, self._headers, refusal=meta_refusal)
        except ThrottledSendError as throttled:
            if throttled.code in NUMBER_THROTTLED:
                # Every thread sending through this number waits, not just the one told.
                self._pace.hold_off(self._number, throttled.retry_after or THROTTLED_PAUSE_SECONDS)
            raise
        try:
            return [str(sent["id"]) for sent in answer["messages"]]
        except (KeyError, TypeError) as error:
            raise PermanentSendError(f"unexpected answer from WhatsApp: {str(answer)[:200]}") from error
