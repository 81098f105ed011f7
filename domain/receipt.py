"""A receipt per provider message: proof it was handled, and the reply it got."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import receipt_id_for
from domain.values import Reply


class MessageReceipt(Aggregate):
    """Saved in the same transaction as the turn, so a message is handled at most once.

    Its id is derived from the provider message id, scoped to the sender's
    conversation where the channel's ids are not unique across senders: a
    redelivery, minutes or days later, finds it and answers with the recorded reply.
    """

    @staticmethod
    def create_id(
        channel: str, provider_message_id: str, conversation_id: UUID, scoped_to_sender: bool = False
    ) -> UUID:
        return receipt_id_for(channel, provider_message_id, conversation_id if scoped_to_sender else None)

    @event("Issued")
    def __init__(
        self,
        channel: str,
        provider_message_id: str,
        conversation_id: UUID,
        session_id: str,
        reply: Reply,
        # Default: receipts issued before ids were scoped to senders.
        scoped_to_sender: bool = False,
    ) -> None:
        self.channel = channel
        self.provider_message_id = provider_message_id
        self.conversation_id = conversation_id
        self.session_id = session_id
        self.reply = reply

    @classmethod
    def issue(
        cls,
        *,
        channel: str,
        provider_message_id: str,
        conversation_id: UUID,
        session_id: str,
        reply: Reply,
        scoped_to_sender: bool = False,
    ) -> MessageReceipt:
        """What `MessageReceipt(...)` makes, the library's way for named constructors: calling
        the class matches its arguments to parameters once more (a few µs, every turn)."""
        return cls._create(
            cls.Issued,  # type: ignore[attr-defined]  # made by @event("Issued")
            id=cls.create_id(channel, provider_message_id, conversation_id, scoped_to_sender),
            channel=channel,
            provider_message_id=provider_message_id,
            conversation_id=conversation_id,
            session_id=session_id,
            reply=reply,
            scoped_to_sender=scoped_to_sender,
        )

    @property
    def answer(self) -> Reply:
        """What a redelivery is answered: the recorded reply, or nothing once it was erased
        (a sealed reply whose key is destroyed reads back as "[erased]")."""
        if self.reply.get("text") == ERASED_TEXT:
            return Reply(text="", style="none", choices=[])
        return self.reply


# What `application/sealing.py` puts in place of a string whose key was destroyed.
ERASED_TEXT = "[erased]"
