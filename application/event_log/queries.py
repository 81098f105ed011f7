"""Reads of the event store that the library's recorder does not offer, asked of the store itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent


class EventQueries(Protocol):
    """Bounded reads for the audit trail: one query each, however long the history."""

    def events_of_types(
        self, originator_id: UUID, topics: Sequence[str], *, after: int, limit: int
    ) -> Sequence[StoredEvent]:
        """Up to `limit` events of these topics after version `after`, in version order."""
        ...

    def events_of(self, originator_ids: Sequence[UUID]) -> Sequence[StoredEvent]:
        """Every event of these aggregates, each aggregate's in version order."""
        ...
