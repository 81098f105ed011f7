"""The raw floor of a turn: plain psycopg doing the least SQL a turn needs.

Per turn: read the conversation's rows, read the subcontractor's sites, and write
as many rows as a turn writes, of the same size, in one statement (one transaction)
to a scratch table shaped like the event table.

The locked variant writes like the eventsourcing library does: in a transaction
that first takes an EXCLUSIVE lock on the table and NOTIFYs, so that inserts
commit in the order of their notification ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

from domain.identity import conversation_id_for

_SCRATCH_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_floor_events ("
    "originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, state bytea, "
    "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
)
_SCRATCH_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS bench_floor_events_notification_id_idx "
    "ON bench_floor_events (notification_id)"
)
_READ_CONVERSATION = (
    "SELECT originator_id, originator_version, topic, state FROM convo_events "
    "WHERE originator_id = %s ORDER BY originator_version"
)
_SITES = (
    "SELECT p.id, p.name, p.city, p.address FROM subcontractors s "
    "JOIN assignments a ON a.subcontractor_id = s.id JOIN projects p ON p.id = a.project_id "
    "WHERE s.phone = %s ORDER BY p.name, p.id"
)
_WRITE_TURN = (
    "INSERT INTO bench_floor_events (originator_id, originator_version, topic, state) "
    "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
)
_TOPIC = "domain.conversation:Conversation.ReplySent"


@dataclass(frozen=True)
class TurnShape:
    """What a turn of the service writes to the event table, on average."""

    rows: float
    row_bytes: float


def last_position(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT coalesce(max(notification_id), 0) FROM convo_events").fetchone()
    return int(row[0]) if row else 0


def shape_since(database_url: str, position: int, turns: int) -> TurnShape:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*), coalesce(avg(length(state)), 0) FROM convo_events WHERE notification_id > %s",
            (position,),
        ).fetchone()
    assert row is not None
    return TurnShape(rows=row[0] / turns, row_bytes=float(row[1]))


class Floor:
    """One connection per thread; `turn` is the least SQL of a turn."""

    def __init__(self, database_url: str, threads: int) -> None:
        self._connections = [psycopg.connect(database_url, autocommit=True) for _ in range(threads)]
        self._connections[0].execute(_SCRATCH_TABLE)
        self._connections[0].execute(_SCRATCH_INDEX)
        self.shape = TurnShape(rows=5, row_bytes=500)

    def _read(self, connection: psycopg.Connection, phone: str) -> None:
        connection.execute(_READ_CONVERSATION, (conversation_id_for(phone),)).fetchall()
        connection.execute(_SITES, (phone,)).fetchall()

    def _rows(self) -> tuple[list[uuid.UUID], list[int], list[str], list[bytes]]:
        rows = max(1, round(self.shape.rows))
        state = b"x" * round(self.shape.row_bytes)
        return [uuid.uuid4()] * rows, list(range(1, rows + 1)), [_TOPIC] * rows, [state] * rows

    def plain(self, thread: int, phones: Sequence[str]) -> None:
        """Turns of the given subcontractors, one statement per write."""
        connection = self._connections[thread]
        for phone in phones:
            self._read(connection, phone)
            connection.execute(_WRITE_TURN, self._rows())

    def locked(self, thread: int, phones: Sequence[str]) -> None:
        """The same turns, writing under the library's table lock and NOTIFY."""
        connection = self._connections[thread]
        for phone in phones:
            self._read(connection, phone)
            with connection.transaction():
                connection.execute("LOCK TABLE bench_floor_events IN EXCLUSIVE MODE")
                connection.execute("NOTIFY bench_floor_events")
                connection.execute(_WRITE_TURN, self._rows())

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
