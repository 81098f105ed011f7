"""The audit trail's bounded reads, on the event store's own table (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from application.event_log.queries import EventQueries


class SqliteEventQueries:
    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self._recorder = recorder
        self._table = recorder.events_table_name

    def events_of_types(
        self, originator_id: UUID, topics: Sequence[str], *, after: int, limit: int
    ) -> Sequence[StoredEvent]:
        if not topics:
            return []
        statement = (
            f"SELECT originator_id, originator_version, topic, state FROM {self._table} "
            f"WHERE originator_id = ? AND originator_version > ? AND topic IN ({_marks(topics)}) "
            "ORDER BY originator_version LIMIT ?"
        )
        return self._fetch(statement, [originator_id.hex, after, *topics, limit])

    def events_of(self, originator_ids: Sequence[UUID]) -> Sequence[StoredEvent]:
        if not originator_ids:
            return []
        statement = (
            f"SELECT originator_id, originator_version, topic, state FROM {self._table} "
            f"WHERE originator_id IN ({_marks(originator_ids)}) ORDER BY originator_id, originator_version"
        )
        return self._fetch(statement, [i.hex for i in originator_ids])

    def _fetch(self, statement: str, params: list[Any]) -> list[StoredEvent]:
        with self._recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        convert = self._recorder.convert_originator_id
        return [StoredEvent(convert(r[0]), r[1], r[2], r[3]) for r in rows]


class PostgresEventQueries:
    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self._recorder = recorder
        columns = SQL("SELECT originator_id, originator_version, topic, state FROM {}.{} ").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        self._of_types = columns + SQL(
            "WHERE originator_id = %s AND originator_version > %s AND topic = ANY(%s) "
            "ORDER BY originator_version LIMIT %s"
        )
        self._of_many = columns + SQL(
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        )

    def events_of_types(
        self, originator_id: UUID, topics: Sequence[str], *, after: int, limit: int
    ) -> Sequence[StoredEvent]:
        if not topics:
            return []
        return self._fetch(self._of_types, [originator_id, after, list(topics), limit])

    def events_of(self, originator_ids: Sequence[UUID]) -> Sequence[StoredEvent]:
        if not originator_ids:
            return []
        return self._fetch(self._of_many, [list(originator_ids)])

    def _fetch(self, statement: Composed, params: list[Any]) -> list[StoredEvent]:
        with self._recorder.datastore.get_connection() as connection:
            cursor = connection.cursor(row_factory=tuple_row, binary=True)
            cursor.execute(statement, params, prepare=True)
            rows = cursor.fetchall()
        return [StoredEvent(r[0], r[1], r[2], r[3]) for r in rows]


def event_queries_for(recorder: ApplicationRecorder) -> EventQueries:
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresEventQueries(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SqliteEventQueries(recorder)
    raise TypeError(f"no event queries for {type(recorder).__name__}")


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))
