"""Applies the directory changes that committed turns decided, with tracking in the same transaction.

The turn's own process applies each change right after its commit; this
follower is what makes that exactly once even when the process dies in
between. A change already applied is found by its change id and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from application.event_log.records import EventRecord, topics_for
from application.world import DECISION_EVENT_TYPES, DIRECTORY_CHANGES, change_of
from infrastructure.database import Database
from infrastructure.projections.tracking import (
    read_position,
    start_tracking,
    tracked_position,
    write_position,
)
from infrastructure.sql_directory import apply_change_in

log = logging.getLogger(__name__)

TOPICS = topics_for(list(DECISION_EVENT_TYPES))


class DirectoryChangeConsumer:
    name = DIRECTORY_CHANGES

    def __init__(self, database: Database) -> None:
        self._db = database
        start_tracking(database, self.name)

    def position(self) -> int:
        return tracked_position(self._db, self.name)

    def process(self, records: Sequence[EventRecord], after: int, up_to: int) -> bool:
        with self._db.transaction() as cursor:
            if read_position(cursor, self.name, lock=True) != after:
                return False
            for record in records:
                change = change_of(record)
                if change is not None and not apply_change_in(cursor, change):
                    log.warning(
                        "change %s (%s v%s) could not be applied: no longer the sender's",
                        change.change_id,
                        record.conversation_id,
                        record.version,
                    )
            write_position(cursor, self.name, up_to)
        return True
