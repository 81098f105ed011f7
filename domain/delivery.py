"""What became of a reply that a channel sends itself (WhatsApp Cloud API, Telegram)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import delivery_id_for, outbound_message_id_for


class Delivery(Aggregate):
    """The outcome of sending one reply, then what the provider reported about it.

    Created only once the outcome is known, under an id derived from the reply:
    two senders racing to record the same reply cannot both succeed.
    """

    MAX_STATUSES = 20  # sent, delivered, read... per provider message; a bound, not a business rule

    @staticmethod
    def create_id(conversation_id: UUID, message_id: str) -> UUID:
        return delivery_id_for(conversation_id, message_id)

    @event("Finished")
    def __init__(
        self,
        conversation_id: UUID,
        message_id: str,
        channel: str,
        delivered: bool,
        attempts: int,
        provider_message_ids: list[str],
        error: str | None,
        at: datetime,
    ) -> None:
        self.conversation_id = conversation_id
        self.message_id = message_id
        self.channel = channel
        self.delivered = delivered
        self.attempts = attempts
        self.provider_message_ids = list(provider_message_ids)
        self.error = error
        self.finished_at = at
        self.statuses: list[str] = []  # "<provider message id>:<status>", in the order reported

    def report_status(
        self, *, provider_message_id: str, status: str, errors: list[str], at: datetime
    ) -> bool:
        """Records a provider's status report once; False when it was already recorded."""
        key = f"{provider_message_id}:{status}"
        if key in self.statuses or len(self.statuses) >= self.MAX_STATUSES:
            return False
        self._status_reported(
            provider_message_id=provider_message_id,
            status=status,
            errors=errors,
            at=at,
            conversation_id=self.conversation_id,
        )
        return True

    @event("StatusReported")
    def _status_reported(
        self,
        provider_message_id: str,
        status: str,
        errors: list[str],
        at: datetime,
        # Whose reply it was, so the report is sealed with their key; None: reported before.
        conversation_id: UUID | None = None,
    ) -> None:
        self.statuses.append(f"{provider_message_id}:{status}")


class OutboundMessage(Aggregate):
    """An index entry: the delivery that a provider's message id belongs to."""

    @staticmethod
    def create_id(channel: str, provider_message_id: str) -> UUID:
        return outbound_message_id_for(channel, provider_message_id)

    @event("Sent")
    def __init__(
        self,
        channel: str,
        provider_message_id: str,
        delivery_id: UUID,
        # Whose reply it was, so the index entry is sealed with their key; None: sent before.
        conversation_id: UUID | None = None,
    ) -> None:
        self.channel = channel
        self.provider_message_id = provider_message_id
        self.delivery_id = delivery_id
