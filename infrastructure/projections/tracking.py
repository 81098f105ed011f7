"""A projection as a log consumer: its rows and its position committed together."""

from __future__ import annotations

from collections.abc import Sequence

from application.event_log.records import EventRecord
from infrastructure.database import Cursor, Database
from infrastructure.projections.base import SqlProjection


def read_position(cursor: Cursor, name: str, *, lock: bool = False) -> int:
    # FOR UPDATE makes a second follower of the same projection wait, then see
    # the position moved; SQLite's write transaction already serialises them.
    suffix = " FOR UPDATE" if lock and cursor.dialect == "postgresql" else ""
    rows = cursor.fetch_all(f"SELECT position FROM projection_tracking WHERE name = %s{suffix}", (name,))
    return int(rows[0]["position"]) if rows else 0


def write_position(cursor: Cursor, name: str, position: int) -> None:
    cursor.execute(
        "UPDATE projection_tracking SET position = %s, updated_at = CURRENT_TIMESTAMP WHERE name = %s",
        (position, name),
    )


def start_tracking(database: Database, name: str) -> None:
    # The row must exist before anyone locks it, or two followers could both start from 0.
    with database.transaction() as cursor:
        cursor.execute(
            "INSERT INTO projection_tracking (name, position) VALUES (%s, 0) ON CONFLICT DO NOTHING", (name,)
        )


def tracked_position(database: Database, name: str) -> int:
    row = database.fetch_one("SELECT position FROM projection_tracking WHERE name = %s", (name,))
    return int(row["position"]) if row else 0


class ProjectionConsumer:
    def __init__(self, database: Database, projection: SqlProjection) -> None:
        self._db = database
        self.projection = projection
        self.name = projection.name
        self._live_tables = {table: table for table in projection.tables}
        start_tracking(database, self.name)

    def position(self) -> int:
        return tracked_position(self._db, self.name)

    def process(self, records: Sequence[EventRecord], after: int, up_to: int) -> bool:
        with self._db.transaction() as cursor:
            if read_position(cursor, self.name, lock=True) != after:
                return False
            self.projection.apply(cursor, records, self._live_tables)
            write_position(cursor, self.name, up_to)
        return True
