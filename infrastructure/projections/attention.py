"""`attention`: what an operator should look at, one row per event that calls for it.

Unrecognised messages (the input for improving understanding), direct actions
that failed, replies a provider refused (at once or in a later status
report), people who changed number and the providers' other notes about them.
Rows keep ids and reasons; what a person typed is read from the log
when it is shown, so the read model holds no one's words.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.event_log.records import EventRecord
from domain.delivery import Delivery
from infrastructure.database import Cursor
from infrastructure.projections.base import SqlProjection, between_erasures

UNRECOGNISED = "unrecognised"
DIRECT_ACTION_FAILED = "direct_action_failed"
DELIVERY_FAILED = "delivery_failed"
NUMBER_CHANGED = "number_changed"
PROVIDER_NOTICE = "provider_notice"
KINDS = (DELIVERY_FAILED, UNRECOGNISED, DIRECT_ACTION_FAILED, NUMBER_CHANGED, PROVIDER_NOTICE)

_DELIVERY_TOPICS = [get_topic(Delivery.Finished), get_topic(Delivery.StatusReported)]  # type: ignore[attr-defined]
_COLUMNS = (
    ("source_id", "uuid"), ("version", "integer"), ("kind", "text"), ("conversation_id", "uuid"),
    ("message_id", "text"), ("channel", "text"), ("at", "timestamptz"), ("detail", "text"),
)  # fmt: skip
Row = tuple[UUID, int, str, UUID | None, str | None, str | None, Any, str]


class AttentionProjection(SqlProjection):
    name = "attention"
    tables = ("attention",)
    event_types = (
        "IntentClassified",
        "DirectActionFailed",
        "PhoneNumberChangeDecided",
        "OtherMessageReceived",
        "Erased",
    )

    @property
    def topics(self) -> list[str]:
        return [*super().topics, *_DELIVERY_TOPICS]

    def opens_values(self, event_type: str, clear: dict[str, Any]) -> bool:
        # Only the events that make a row: most intents are understood, most replies delivered.
        if event_type == "IntentClassified":
            return clear.get("intent") == "unknown"
        if event_type == "OtherMessageReceived":
            return clear.get("kind") == "system"
        if event_type == "Finished":
            return not clear.get("delivered")
        return True

    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        attention = tables["attention"]
        for run, erased in between_erasures(records):
            rows = [row for row in map(_row, run) if row is not None]
            cursor.insert_many(attention, _COLUMNS, rows, "ON CONFLICT (source_id, version) DO NOTHING")
            if erased is not None:
                forget_conversation(cursor, attention, erased)


def forget_conversation(cursor: Cursor, attention: str, conversation_id: UUID) -> int:
    """Deletes the rows of a conversation's events and of its replies' deliveries; returns how many.

    A delivery's later failure report (no conversation id of its own) goes with the
    delivery's failed outcome, when there is one.
    """
    return cursor.execute(
        f"DELETE FROM {attention} WHERE conversation_id = %s OR source_id = %s OR source_id IN "
        f"(SELECT source_id FROM {attention} WHERE conversation_id = %s)",
        (str(conversation_id),) * 3,
    )


def _row(record: EventRecord) -> Row | None:
    p = record.payload
    kind = record.type
    source, version, at = record.conversation_id, record.version, record.timestamp
    if kind == "IntentClassified":
        if p.get("intent") != "unknown":
            return None
        layer = (p.get("understood_by") or {}).get("layer")
        detail = f"not understood{f' by {layer}' if layer else ''}"
        return (source, version, UNRECOGNISED, source, p.get("message_id"), None, at, detail)
    if kind == "DirectActionFailed":
        detail = f"{p.get('choice_id')}: {p.get('reason')}"
        return (source, version, DIRECT_ACTION_FAILED, source, p.get("message_id"), None, at, detail)
    if kind == "PhoneNumberChangeDecided":  # the directory follows it, or flags it
        detail = f"from {p.get('old_number')} to {p.get('new_number')}"
        return (source, version, NUMBER_CHANGED, source, p.get("message_id"), None, at, detail)
    if kind == "OtherMessageReceived":
        if p.get("kind") != "system":
            return None
        notice = p.get("detail") or {}
        detail = f"{notice.get('type', 'system')}: {notice.get('body', '')}".strip()
        return (source, version, PROVIDER_NOTICE, source, p.get("message_id"), None, at, detail)
    if kind == "Finished":  # a Delivery: its originator is the delivery, not the conversation
        if p.get("delivered"):
            return None
        conversation = p.get("conversation_id")
        return (
            source,
            version,
            DELIVERY_FAILED,
            conversation if isinstance(conversation, UUID) else None,
            p.get("message_id"),
            p.get("channel"),
            at,
            str(p.get("error") or "failed"),
        )
    if kind == "StatusReported":
        if p.get("status") != "failed":
            return None
        errors = p.get("errors") or []
        reason = "; ".join(e if isinstance(e, str) else json.dumps(e) for e in errors) or "no reason given"
        detail = f"reported failed after it was sent ({p.get('provider_message_id')}): {reason}"
        return (source, version, DELIVERY_FAILED, None, None, None, at, detail)
    return None
