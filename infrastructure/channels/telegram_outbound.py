"""Replies as Telegram messages with an inline keyboard, and the answer to a press."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from application.outbound import Outgoing, PermanentSendError, SendError
from domain.values import MAX_TEXT_LENGTH, Reply, cut
from infrastructure.channels.sending import post_json
from infrastructure.channels.telegram import CHANNEL, NUMBERED_CHOICE

log = logging.getLogger(__name__)

MAX_CALLBACK_DATA_BYTES = 64


def send_message_of(reply: Reply, chat_id: str) -> dict[str, Any]:
    """The body of `sendMessage`: the text, and one keyboard row per choice."""
    message: dict[str, Any] = {"chat_id": chat_id, "text": cut(reply["text"], MAX_TEXT_LENGTH)}
    if reply["choices"]:
        rows = []
        for number, choice in enumerate(reply["choices"], start=1):
            data = choice["id"]
            if len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
                data = f"{NUMBERED_CHOICE}{number}"  # resolved against the choices shown last
            label = choice["title"]
            if choice.get("description"):
                label = f"{label} · {choice.get('description')}"
            rows.append([{"text": label, "callback_data": data}])
        message["reply_markup"] = {"inline_keyboard": rows}
    return message


class TelegramSender:
    name = CHANNEL

    def __init__(self, client: httpx.Client, api_url: str, bot_token: str) -> None:
        self._client = client
        self._base = f"{api_url.rstrip('/')}/bot{bot_token}"

    def send(self, outgoing: Outgoing) -> list[str]:
        callback_query_id = outgoing.reply_to.get("callback_query_id")
        if callback_query_id:
            self._answer_press(callback_query_id)
        answer = post_json(
            self._client,
            f"{self._base}/sendMessage",
            send_message_of(outgoing.reply, outgoing.reply_to["chat_id"]),
        )
        try:
            return [str(answer["result"]["message_id"])]
        except (KeyError, TypeError) as error:
            raise PermanentSendError(f"unexpected answer from Telegram: {str(answer)[:200]}") from error

    def _answer_press(self, callback_query_id: str) -> None:
        # Stops the button's spinner. A press answered late (or twice, after a
        # retry) is refused by Telegram, which must not keep the reply from going out.
        try:
            post_json(
                self._client, f"{self._base}/answerCallbackQuery", {"callback_query_id": callback_query_id}
            )
        except SendError as error:
            log.info("answerCallbackQuery %s: %s", callback_query_id, error)
