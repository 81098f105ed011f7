"""The event log of the conversation store, read through the library's recorder and mapper."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.event_log.queries import EventQueries
from application.event_log.records import (
    EventRecord,
    OpensValues,
    record_of_stored,
    records_of_notifications,
)
from application.event_store import ConversationStore


class StoreEventLog:
    """`queries`: the reads by aggregate and type the recorder does not offer (None: none asked)."""

    def __init__(self, store: ConversationStore, queries: EventQueries | None = None) -> None:
        self._store = store
        self.queries = queries

    def head(self) -> int:
        return self._store.recorder.max_notification_id() or 0

    def after(
        self,
        position: int,
        *,
        limit: int,
        topics: Sequence[str],
        stop: int | None = None,
        opens: OpensValues | None = None,
    ) -> list[EventRecord]:
        notifications = self._store.recorder.select_notifications(
            start=position, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
        )
        return records_of_notifications(self._store.mapper, notifications, opens)

    def of_types(
        self, conversation_id: UUID, topics: Sequence[str], *, after: int, limit: int
    ) -> list[EventRecord]:
        stored = self._asked().events_of_types(conversation_id, topics, after=after, limit=limit)
        return [record_of_stored(self._store.mapper, event) for event in stored]

    def of(self, aggregate_ids: Sequence[UUID]) -> list[EventRecord]:
        return [
            record_of_stored(self._store.mapper, event) for event in self._asked().events_of(aggregate_ids)
        ]

    def _asked(self) -> EventQueries:
        if self.queries is None:
            raise RuntimeError("this event log was made without queries by aggregate and type")
        return self.queries
