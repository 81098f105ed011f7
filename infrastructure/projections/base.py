"""What every SQL projection is: named tables, and a batch of records folded into them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from application.event_log.records import EventRecord, topics_for
from infrastructure.database import Cursor


class SqlProjection(ABC):
    name: str
    tables: tuple[str, ...]  # every table the projection owns, written in this order
    event_types: tuple[str, ...]  # only these are read from the log, and decoded
    # Those whose personal values (sealed in the log) `apply` reads; None: all of them.
    # Counting needs none, and opening is most of what a rebuild of a sealed log costs.
    opens: tuple[str, ...] | None = None

    def opens_values(self, event_type: str, clear: dict[str, Any]) -> bool:  # noqa: ARG002 (for subclasses)
        """Whether `apply` reads this event's personal values; `clear` is what is not sealed."""
        return self.opens is None or event_type in self.opens

    @property
    def topics(self) -> list[str]:
        return topics_for(list(self.event_types))

    @abstractmethod
    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        """Adds what `records` change to the tables named by `tables` (live name -> actual).

        Rebuilds pass the names of fresh copies; catch-up passes the live names:
        both share this one path.
        """


ERASED = "Erased"


def between_erasures(records: Sequence[EventRecord]) -> Iterator[tuple[Sequence[EventRecord], UUID | None]]:
    """The records in runs, each with the conversation erased right after it (None after the last).

    A projection folds a run, then forgets the erased conversation, then folds the next run:
    what it keeps does not depend on where batches fall, so a rebuild ends where catch-up did.
    """
    start = 0
    for index, record in enumerate(records):
        if record.type == ERASED:
            yield records[start:index], record.conversation_id
            start = index + 1
    yield records[start:], None
