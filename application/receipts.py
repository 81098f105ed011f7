"""Which receipt a message gets: the key that makes a turn happen once per provider message."""

from __future__ import annotations

from uuid import UUID

from application.inbound import Inbound
from domain.receipt import MessageReceipt

# Channels whose message ids are unique across all senders: a WhatsApp wamid,
# a Twilio MessageSid, a Telegram update_id (per bot, and one bot answers here).
# Any other channel's ids (the generic webhook's) are only trusted per sender.
GLOBALLY_UNIQUE_MESSAGE_IDS = frozenset({"whatsapp", "twilio", "telegram"})


def scoped_to_sender(inbound: Inbound) -> bool:
    return inbound.channel not in GLOBALLY_UNIQUE_MESSAGE_IDS


def receipt_id_of(inbound: Inbound, conversation_id: UUID) -> UUID:
    """The receipt of this message; the sender's conversation scopes it where ids can collide."""
    return MessageReceipt.create_id(
        inbound.channel, inbound.message_id, conversation_id, scoped_to_sender(inbound)
    )
