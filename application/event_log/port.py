"""What readers of the log ask of it, whatever stores it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from application.event_log.records import EventRecord, OpensValues


class EventLog(Protocol):
    def head(self) -> int:
        """The position of the last record (0 when the log is empty)."""
        ...

    def after(
        self,
        position: int,
        *,
        limit: int,
        topics: Sequence[str],
        stop: int | None = None,
        opens: OpensValues | None = None,
    ) -> list[EventRecord]:
        """Up to `limit` records of these topics after `position` (up to `stop`), in log order.

        `opens(type, clear payload)`: whether the reader uses that record's personal values."""
        ...

    def of_types(
        self, conversation_id: UUID, topics: Sequence[str], *, after: int, limit: int
    ) -> list[EventRecord]:
        """Up to `limit` records of these topics of one aggregate after version `after`."""
        ...

    def of(self, aggregate_ids: Sequence[UUID]) -> list[EventRecord]:
        """Every record of these aggregates, each aggregate's in version order."""
        ...
