"""Events as plain records: what audit queries and projections read from the log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Notification, StoredEvent
from eventsourcing.utils import get_topic

from application.sealing import SealingMapper
from application.transcoding import SEALED, decode_fast
from domain.conversation import Conversation

# The event types of a conversation, by their short names ("SessionOpened"...).
CONVERSATION_EVENT_TOPICS: dict[str, str] = {
    name: get_topic(cls)
    for name, cls in vars(Conversation).items()
    if isinstance(cls, type) and issubclass(cls, Conversation.Event) and name not in ("Event", "Created")
}
_NOT_PAYLOAD = ("originator_id", "originator_version", "timestamp", "originator_topic")
_TYPE_OF_TOPIC = {topic: name for name, topic in CONVERSATION_EVENT_TOPICS.items()}


class UnknownEventTypeError(ValueError):
    pass


def topics_for(types: list[str]) -> list[str]:
    """Full topics of short type names; raises on names that are not event types."""
    unknown = [t for t in types if t not in CONVERSATION_EVENT_TOPICS]
    if unknown:
        known = ", ".join(sorted(CONVERSATION_EVENT_TOPICS))
        raise UnknownEventTypeError(f"unknown event type(s) {', '.join(unknown)}; known: {known}")
    return [CONVERSATION_EVENT_TOPICS[t] for t in types]


class EventRecord(NamedTuple):
    # A NamedTuple: followers build millions of these, and it is the cheapest record to build.
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


def record_of_notification(mapper: Mapper[UUID], notification: Notification) -> EventRecord:
    """Decodes a stored notification straight into a record, skipping the event object."""
    return record_of_stored(mapper, notification, notification.id)


OpensValues = Callable[[str, dict[str, Any]], bool]


def records_of_notifications(
    mapper: Mapper[UUID], notifications: Sequence[Notification], opens: OpensValues | None = None
) -> list[EventRecord]:
    """`record_of_notification` of each, with the keys of their sealed values read in one go:
    a batch of the log names many people's keys, which a cold keyring would read one at a time.

    `opens(type, clear payload)`: whether the reader uses that event's personal values (None:
    always). Others are left sealed and out of the payload: a count of messages needs no texts.
    """
    payloads = [decode_state(mapper, n.state) for n in notifications]
    if opens is not None:
        for notification, payload in zip(notifications, payloads, strict=True):
            if SEALED in payload and not opens(_type_of(notification.topic), payload):
                del payload[SEALED]
    if isinstance(mapper, SealingMapper):
        mapper.load_keys(p[SEALED] for p in payloads if SEALED in p)
    return [_record(mapper, n, p, n.id) for n, p in zip(notifications, payloads, strict=True)]


def _type_of(topic: str) -> str:
    return _TYPE_OF_TOPIC.get(topic) or topic.rsplit(".", 1)[-1]


def record_of_stored(mapper: Mapper[UUID], stored: StoredEvent, position: int | None = None) -> EventRecord:
    """Decodes a stored event straight into a record, skipping the event object."""
    return _record(mapper, stored, decode_state(mapper, stored.state), position)


def _record(
    mapper: Mapper[UUID], stored: StoredEvent, payload: dict[str, Any], position: int | None
) -> EventRecord:
    if SEALED in payload and isinstance(mapper, SealingMapper):
        mapper.open_into(payload, stored.originator_id, stored.originator_version)
    timestamp = payload.pop("timestamp")
    payload.pop("originator_topic", None)
    topic = stored.topic
    originator_id = stored.originator_id
    return EventRecord(
        originator_id if isinstance(originator_id, UUID) else UUID(originator_id),
        stored.originator_version,
        _type_of(topic),
        timestamp,
        payload,
        position,
    )


def decode_state(mapper: Mapper[UUID], state: bytes) -> dict[str, Any]:
    """What the mapper's transcoder would decode, faster for the library's JSON format."""
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return decode_fast(mapper.transcoder, state)
