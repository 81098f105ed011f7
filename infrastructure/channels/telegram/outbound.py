"""Replies as Telegram messages with an inline keyboard, and the answer to a press."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

import httpx

from application.outbound import Outgoing, PermanentSendError, SendError, ThrottledSendError
from application.pacing import Pace
from domain.identity import telegram_message_key
from domain.values import MAX_TEXT_LENGTH, Reply, cut
from infrastructure.channels.sending import post_json
from infrastructure.channels.telegram.errors import FLOOD_WAIT_SECONDS, telegram_refusal
from infrastructure.channels.telegram.webhook import CHANNEL, NUMBERED_CHOICE

log = logging.getLogger(__name__)

MAX_CALLBACK_DATA_BYTES = 64
CHAT_BURST = 3  # Telegram tolerates short bursts in a chat, around one message a second
_REMEMBERED_PRESSES = 1000  # presses answered lately, so a retried reply does not answer again


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
    """Sends as one bot, paced per chat and for the bot as a whole."""

    name = CHANNEL

    def __init__(
        self, client: httpx.Client, api_url: str, bot_token: str, *, bot_pace: Pace, chat_pace: Pace
    ) -> None:
        self._client = client
        self._base = f"{api_url.rstrip('/')}/bot{bot_token}"
        self._bot_pace = bot_pace
        self._chat_pace = chat_pace
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._answered_lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> list[str]:
        chat_id = outgoing.reply_to["chat_id"]
        message = send_message_of(outgoing.reply, chat_id)
        callback_query_id = outgoing.reply_to.get("callback_query_id")
        if callback_query_id:
            self._answer_press(callback_query_id)
        self._chat_pace.take(chat_id)  # the longer wait first, so no bot-wide slot idles meanwhile
        self._bot_pace.take()
        try:
            answer = post_json(self._client, f"{self._base}/sendMessage", message, refusal=telegram_refusal)
        except ThrottledSendError as flood:
            self._chat_pace.hold_off(chat_id, flood.retry_after or FLOOD_WAIT_SECONDS)
            raise
        try:
            sent = answer["result"]
            # message_id counts from 1 in each chat: the chat is part of the message's identity.
            chat = str(sent.get("chat", {}).get("id", chat_id))
            return [telegram_message_key(chat, str(sent["message_id"]))]
        except (KeyError, TypeError, AttributeError) as error:
            raise PermanentSendError(f"unexpected answer from Telegram: {str(answer)[:200]}") from error

    def _answer_press(self, callback_query_id: str) -> None:
        # Stops the button's spinner. Answered once: a press answered late (or
        # twice) is refused by Telegram, which must not keep the reply from going out.
        with self._answered_lock:
            if callback_query_id in self._answered:
                return
        self._bot_pace.take()
        try:
            post_json(
                self._client,
                f"{self._base}/answerCallbackQuery",
                {"callback_query_id": callback_query_id},
                refusal=telegram_refusal,
            )
        except SendError as error:
            log.info("answerCallbackQuery %s: %s", callback_query_id, error)
            if error.retryable:
                return  # answered with the reply's next try
        with self._answered_lock:
            self._answered[callback_query_id] = None
            while len(self._answered) > _REMEMBERED_PRESSES:
                self._answered.popitem(last=False)
