"""Events as plain records: what audit queries and projections read from the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

from domain.conversation import Conversation

# The event types of a conversation, by their short names ("SessionOpened"...).
CONVERSATION_EVENT_TOPICS: dict[str, str] = {
    name: get_topic(cls)
    for name, cls in vars(Conversation).items()
    if isinstance(cls, type) and issubclass(cls, Conversation.Event) and name not in ("Event", "Created")
}
_NOT_PAYLOAD = ("originator_id", "originator_version", "timestamp", "originator_topic")


class UnknownEventTypeError(ValueError):
    pass


def topics_for(types: list[str]) -> list[str]:
    """Full topics of short type names; raises on names that are not event types."""
    unknown = [t for t in types if t not in CONVERSATION_EVENT_TOPICS]
    if unknown:
        known = ", ".join(sorted(CONVERSATION_EVENT_TOPICS))
        raise UnknownEventTypeError(f"unknown event type(s) {', '.join(unknown)}; known: {known}")
    return [CONVERSATION_EVENT_TOPICS[t] for t in types]


@dataclass(frozen=True)
class EventRecord:
    conversation_id: UUID
    version: int
    type: str
    timestamp: datetime
    payload: dict[str, Any]
    position: int | None = None  # in the global log, when read from it

    @property
    def session_id(self) -> str | None:
        value = self.payload.get("session_id")
        return str(value) if value is not None else None

    @property
    def message_id(self) -> str | None:
        value = self.payload.get("message_id")
        return str(value) if value is not None else None

    @classmethod
    def of(cls, event: DomainEventProtocol[UUID], position: int | None = None) -> EventRecord:
        state = vars(event)
        return cls(
            conversation_id=event.originator_id,
            version=event.originator_version,
            type=type(event).__qualname__.rsplit(".", 1)[-1],
            timestamp=state["timestamp"],
            payload={k: v for k, v in state.items() if k not in _NOT_PAYLOAD},
            position=position,
        )
