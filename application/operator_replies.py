"""An operator answers a person in free text, through the channel the person last wrote from.

The answer is an event of the conversation (`OperatorReplied`: who, which
operator, when), saved with a receipt keyed by the form's reply id so a
double submit sends it once, and sent by the delivery worker like the bot's
own replies: at least once, with the same retries and outcome records.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.event_log.records import EventRecord
from application.event_store import ConversationStore
from application.ports import Clock
from domain.receipt import MessageReceipt
from domain.values import MAX_TEXT_LENGTH

RECEIPT_CHANNEL = "console"
# Meta accepts free text only within 24 hours of the person's last message (the
# "customer service window"); after it, only an approved template may be sent.
WHATSAPP_WINDOW = timedelta(hours=24)
# Only the address is kept: a Telegram press id is answered once, by the bot's own reply.
_ADDRESS_KEYS = {"whatsapp": ("to",), "telegram": ("chat_id",)}
_TURN_ENDS = "ReplySent"
_READ_BACK = 50
_ATTEMPTS = 8


class OperatorReplyRefusedError(ValueError):
    """The answer cannot be sent as asked; the message says why, and nothing was written."""


@dataclass(frozen=True)
class Channel:
    """Where the person last wrote from, and when."""

    name: str
    reply_to: dict[str, str]
    last_message_at: datetime


@dataclass(frozen=True)
class OperatorReplySent:
    reply_id: str
    conversation_id: UUID
    channel: str
    duplicate: bool  # the same form was submitted before: nothing new was written


class OperatorReplies:
    def __init__(self, store: ConversationStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def channel_of(self, conversation_id: UUID) -> Channel | None:
        """The channel of the person's last turn: the newest `ReplySent`, read from the end."""
        for record in self._newest_first(conversation_id):
            if record.type == _TURN_ENDS:
                payload = record.payload
                return Channel(
                    name=str(payload.get("channel", "generic")),
                    reply_to=dict(payload.get("reply_to") or {}),
                    last_message_at=payload["at"],
                )
        return None

    def refusal(self, conversation_id: UUID) -> str | None:
        """Why an operator cannot write to this person now; None when they can."""
        return _refusal(self.channel_of(conversation_id), self._clock())

    def send(
        self,
        conversation_id: UUID,
        *,
        operator: str,
        text: str,
        reply_id: str,
        in_reply_to: str | None = None,
    ) -> OperatorReplySent:
        """Records the answer for the delivery worker; raises OperatorReplyRefusedError."""
        text = text.strip()
        operator = " ".join(operator.split())
        if not text:
            raise OperatorReplyRefusedError("the answer is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise OperatorReplyRefusedError(f"the answer is longer than {MAX_TEXT_LENGTH} characters")
        if not operator:
            raise OperatorReplyRefusedError("an answer needs the operator's name")
        if not reply_id.strip() or len(reply_id) > 100:
            raise OperatorReplyRefusedError("the form has no valid reply id; reload the page")
        receipt_id = MessageReceipt.create_id(RECEIPT_CHANNEL, reply_id, conversation_id, True)
        for attempt in range(1, _ATTEMPTS + 1):
            if self._store.receipt(receipt_id) is not None:
                return OperatorReplySent(reply_id, conversation_id, "", duplicate=True)
            now = self._clock()
            channel = self.channel_of(conversation_id)
            refused = _refusal(channel, now)
            if refused is not None:
                raise OperatorReplyRefusedError(refused)
            assert channel is not None
            conversation = self._store.conversation_by_id(conversation_id)
            keys = _ADDRESS_KEYS[channel.name]
            conversation.answer_as_operator(
                reply_id=reply_id,
                operator=operator,
                text=text,
                at=now,
                channel=channel.name,
                reply_to={k: channel.reply_to[k] for k in keys},
                in_reply_to=in_reply_to,
            )
            session = conversation.session
            receipt = MessageReceipt(
                channel=RECEIPT_CHANNEL,
                provider_message_id=reply_id,
                conversation_id=conversation_id,
                session_id=session["id"] if session is not None else "",
                reply={"text": text, "style": "none", "choices": []},
                scoped_to_sender=True,
            )
            try:
                self._store.record_turn(conversation, receipt)
            except IntegrityError:
                time.sleep(0.005 * attempt)  # a turn of the person won the race: look again
                continue
            return OperatorReplySent(reply_id, conversation_id, channel.name, duplicate=False)
        raise OperatorReplyRefusedError("the conversation kept changing; try again")

    def _newest_first(self, conversation_id: UUID) -> Iterator[EventRecord]:
        below: int | None = None
        while True:
            kwargs: dict[str, Any] = {"desc": True, "limit": _READ_BACK}
            if below is not None:
                kwargs["lte"] = below - 1
            events = list(self._store.events.get(conversation_id, **kwargs))
            for event in events:
                yield EventRecord.of(event)
            if len(events) < _READ_BACK:
                return
            below = events[-1].originator_version


def _refusal(channel: Channel | None, now: datetime) -> str | None:
    if channel is None:
        return "this person has never written to the bot: there is no channel to answer through"
    if channel.name not in _ADDRESS_KEYS or not all(
        k in channel.reply_to for k in _ADDRESS_KEYS[channel.name]
    ):
        return (
            f"the person last wrote through {channel.name}, which only answers inside the webhook's "
            "response: there is no way to send them a message now (WhatsApp and Telegram can)"
        )
    if channel.name == "whatsapp":
        elapsed = now - channel.last_message_at
        if elapsed > WHATSAPP_WINDOW:
            hours = elapsed.total_seconds() / 3600
            return (
                f"WhatsApp allows free text only within 24 hours of the person's last message; their last "
                f"was {_ago(hours)} ago ({channel.last_message_at:%Y-%m-%d %H:%M} UTC). Outside that window "
                "Meta accepts only approved templates, so the answer was not sent: it can be sent once they "
                "write again."
            )
    return None


def _ago(hours: float) -> str:
    if hours < 48:
        return f"{hours:.0f} hours"
    return f"{hours / 24:.0f} days"
