"""The library's PostgreSQL application recorder, with cheaper reads and writes.

Chosen through the library's own APPLICATION_RECORDER_TOPIC setting; same
tables, same locking, same errors. Two hot paths change:

- followers (projections, rebuilds) read millions of notifications: they come
  as binary tuples instead of text dict rows, about a third less work;
- every turn inserts its events: one autocommit call of a function (from the
  migrations) that locks, notifies and inserts, with one binary array per
  column, instead of a client-driven transaction of five statements and an
  array of a composite type that psycopg dumps as text in Python; prepared once
  on the connection inserts go through and run by libpq without a cursor; and
  turns that arrive while another insert is in flight share the next call
  (group commit: one lock, one commit), each still failing alone on its own
  conflict.
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    Notification,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import pq
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier
from psycopg_pool import ConnectionPool

from infrastructure import libpq_statements
from infrastructure.database_errors import DatabaseUnavailableError
from infrastructure.group_commit import GroupCommit
from infrastructure.primary import PING_AFTER_IDLE_SECONDS, ensure_primary

# What one caller inserts: its events, and the snapshots to store with them.
_Rows = tuple[Sequence[StoredEvent], Sequence[StoredEvent]]


class ConvoPostgresRecorder(PostgresApplicationRecorder):
    # Takes `snapshots=` (stored snapshots of the same store) to write in the events' call.
    inserts_snapshots = True

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # Composed once per shape: composing costs on every read otherwise.
        self._events_statements: dict[tuple[bool, bool, bool, bool], str] = {}
        function = Identifier(self.datastore.schema, "convo_insert_events")
        # Run by libpq on the writer's connection (see _Writer.run), with libpq's placeholders.
        self._insert_function_call = libpq_statements.named(
            SQL("SELECT * FROM {}($1, $2, $3, $4)").format(function).as_bytes(None), _COLUMN_TYPES
        )
        self._insert_with_snapshots_call = libpq_statements.named(
            SQL("SELECT * FROM {}($1, $2, $3, $4, $5, $6, $7, $8)").format(function).as_bytes(None),
            _COLUMN_TYPES + _COLUMN_TYPES,
        )
        self._group_commit: GroupCommit[_Rows, Sequence[int]] = GroupCommit(
            self._insert_groups, fails_the_queue=lambda error: isinstance(error, DatabaseUnavailableError)
        )
        self._writer: _Writer | None = None
        self._writer_lock = threading.Lock()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert (table lock, NOTIFY, INSERT) as one autocommit statement
        (the convo_insert_events function of the migrations), shared with the inserts
        of other threads that arrive meanwhile; a conflict fails only its own caller.
        `snapshots`, if given, are stored in the same transaction."""
        if kwargs.get("tracking") is not None:
            # Never drop a tracking record silently: this path has nowhere to write one.
            raise ProgrammingError("ConvoPostgresRecorder does not record tracking; use a process recorder")
        if not stored_events:
            return []
        snapshots: Sequence[StoredEvent] = kwargs.get("snapshots") or ()
        return self._group_commit.submit((stored_events, snapshots))

    def _insert_groups(self, groups: Sequence[_Rows]) -> list[Sequence[int] | BaseException]:
        """Several callers' events in one call; when it fails on what one of them wrote
        (a version conflict, a refused row), each group again alone, to fail alone."""
        try:
            ids = self._insert(
                [event for events, _ in groups for event in events],
                [snapshot for _, snapshots in groups for snapshot in snapshots],
            )
        except (InterfaceError, OperationalError):
            raise  # the connection or the server: every caller retries
        except PersistenceError as error:
            if len(groups) == 1:
                return [error]
            return [self._insert_alone(group) for group in groups]
        # Ids come back in the order the rows were given: each group takes its own.
        results: list[Sequence[int] | BaseException] = []
        start = 0
        for events, _ in groups:
            results.append(ids[start : start + len(events)])
            start += len(events)
        return results

    def _insert_alone(self, group: _Rows) -> Sequence[int] | BaseException:
        try:
            return self._insert(*group)
        except (InterfaceError, OperationalError):
            raise
        except PersistenceError as error:
            return error

    def _insert(self, events: Sequence[StoredEvent], snapshots: Sequence[StoredEvent]) -> list[int]:
        if snapshots:
            statement, params = self._insert_with_snapshots_call, _columns(events) + _columns(snapshots)
        else:
            statement, params = self._insert_function_call, _columns(events)
        with self._writer_lock, _translated():
            writer = self._writer_for_now()
            try:
                ids = writer.run(statement, params)
            except psycopg.errors.ReadOnlySqlTransaction as error:
                # On a standby ("cannot execute LOCK TABLE during recovery"): drop the
                # connection and let the retry above take one on the primary.
                writer.connection.close()
                self._give_writer_back()
                raise psycopg.OperationalError(str(error)) from error
            except BaseException:
                # A refused row leaves the connection as it was; anything else may not:
                # either way the pool has the last word on it.
                self._give_writer_back()
                raise
            writer.used_at = time.monotonic()
            if self.datastore.pool.max_size < _POOL_TO_KEEP_A_WRITER:
                # With one connection, keeping it would starve every read of the next turn.
                self._give_writer_back()
            return ids

    def _writer_for_now(self) -> _Writer:
        """The connection inserts go through. Inserts run one at a time (group commit), so
        one is kept between them, with its cursor and statements, instead of a loan from the
        pool each time; after a second idle it is checked (alive, on the primary) as the
        pool checks a loan, and after a minute it goes back to the pool, which renews
        connections."""
        writer = self._writer
        if writer is not None:
            now = time.monotonic()
            if now - writer.taken_at > _WRITER_SECONDS:
                self._give_writer_back()
            elif now - writer.used_at > PING_AFTER_IDLE_SECONDS:
                try:
                    ensure_primary(writer.connection)
                except psycopg.Error:
                    self._give_writer_back()
                else:
                    return writer
            else:
                return writer
        connection = self._opened_pool().getconn()
        writer = _Writer(connection)
        self._writer = writer
        return writer

    def _opened_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        """The datastore's pool, opened on first use as the library's own loan opens it."""
        pool = self.datastore.pool
        if pool.closed:
            pool.open(self.datastore.pool_open_timeout is not None, self.datastore.pool_open_timeout or 30.0)
        return pool

    def _give_writer_back(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            self.datastore.pool.putconn(writer.connection)

    def give_back_connection(self) -> None:
        """Gives the connection inserts go through back to the pool, before the pool closes."""
        with self._writer_lock:
            self._give_writer_back()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """The library's query, composed once per shape, read as binary tuples: every
        turn runs it to bring a cached conversation up to date (usually: no rows)."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._events_statements.get(shape)
        if statement is None:
            composed = SQL(
                "SELECT originator_id, originator_version, topic, state FROM {}.{} WHERE originator_id = %s"
            ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
            if gt is not None:
                composed += SQL(" AND originator_version > %s")
            if lte is not None:
                composed += SQL(" AND originator_version <= %s")
            composed += SQL(
                " ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC"
            )
            if limit is not None:
                composed += SQL(" LIMIT %s")
            self._events_statements[shape] = statement = composed.as_string(None)
        params = [p for p in (originator_id, gt, lte, limit) if p is not None]
        return [
            _frozen(StoredEvent, originator_id=oid, originator_version=version, topic=topic, state=state)
            for oid, version, topic, state in self._fetch(statement, params)
        ]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_first_events(self, originator_ids: Sequence[UUID]) -> Sequence[StoredEvent]:
        """The first event of each of these originators that has one, in one query: the
        receipts of a whole webhook batch, to skip the messages it had handled before."""
        statement = SQL(
            "SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic, state FROM {}.{} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        return [
            _frozen(StoredEvent, originator_id=oid, originator_version=version, topic=topic, state=state)
            for oid, version, topic, state in self._fetch(statement, [list(originator_ids)])
        ]

    def _select_statement(self, *, start: bool, inclusive: bool, stop: bool, topics: bool) -> Composed:
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{}"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        conditions = []
        if start:
            conditions.append(SQL("notification_id >= %s") if inclusive else SQL("notification_id > %s"))
        if stop:
            conditions.append(SQL("notification_id <= %s"))
        if topics:
            conditions.append(SQL("topic = ANY(%s)"))
        if conditions:
            statement += SQL(" WHERE ") + SQL(" AND ").join(conditions)
        return statement + SQL(" ORDER BY notification_id LIMIT %s")

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        statement = self._select_statement(
            start=start is not None, inclusive=inclusive_of_start, stop=stop is not None, topics=bool(topics)
        )
        params: list[object] = [p for p in (start, stop) if p is not None]
        if topics:
            params.append(list(topics))
        params.append(limit)
        return [
            _frozen(
                Notification, originator_id=oid, originator_version=version, topic=topic, state=state, id=nid
            )
            for nid, oid, version, topic, state in self._fetch(statement, params)
        ]

    def _fetch(self, statement: Composed | str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows as binary tuples: by libpq where the statement runs that way (a turn's read of its
        conversation's newer events), else the cheapest read psycopg has, on the same loan."""
        # A loan and a return, not the library's `get_connection()`: it opens the pool, checks
        # type adapters these reads do not use, and commits on the way out, on every read.
        pool = self._opened_pool()
        with _translated():
            connection = pool.getconn()
            try:
                if isinstance(statement, str):
                    found = libpq_statements.rows(connection, statement, params, libpq_statements.as_tuple)
                    if found is not None:
                        return found
                cursor = connection.cursor(row_factory=tuple_row, binary=True)
                cursor.execute(statement, params, prepare=True)
                return cursor.fetchall()
            finally:
                pool.putconn(connection)


# How long the connection inserts go through is kept before it goes back to the pool.
_WRITER_SECONDS = 60.0
# A pool smaller than this lends its connection to each insert in turn rather than to inserts alone.
_POOL_TO_KEEP_A_WRITER = 2


class _Writer:
    __slots__ = ("connection", "taken_at", "used_at")

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection
        self.taken_at = self.used_at = time.monotonic()

    def run(self, statement: libpq_statements.Prepared, columns: Sequence[_Column]) -> list[int]:
        """The statement's rows, a bigint each, run by libpq (see infrastructure/libpq_statements.py)
        with the columns as they are: psycopg would look up a dumper for each."""
        values = [column.data for column in columns]
        result = libpq_statements.execute(self.connection, statement, values, [_BINARY] * len(columns))
        return [_BIGINT_VALUE.unpack(result.get_value(row, 0) or b"")[0] for row in range(result.ntuples)]


_BINARY = pq.Format.BINARY
_BIGINT_VALUE = struct.Struct("!q")


# Driver errors and the library's own, subclasses before their bases, as its
# `get_connection()` maps them.
_TRANSLATIONS: tuple[tuple[type[psycopg.Error], type[PersistenceError]], ...] = (
    (psycopg.InterfaceError, InterfaceError),
    (psycopg.OperationalError, OperationalError),
    (psycopg.DataError, DataError),
    (psycopg.IntegrityError, IntegrityError),
    (psycopg.InternalError, InternalError),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.NotSupportedError, NotSupportedError),
    (psycopg.DatabaseError, DatabaseError),
)


@contextmanager
def _translated() -> Iterator[None]:
    """Driver errors as the library's own: a version conflict is an IntegrityError, a lost
    connection an OperationalError (retried)..."""
    try:
        yield
    except psycopg.Error as error:
        ours = next((o for driver, o in _TRANSLATIONS if isinstance(error, driver)), PersistenceError)
        raise ours(str(error)) from error


class _Column:
    """One column of the rows to insert, already in PostgreSQL's binary array format:
    psycopg's own list dumpers look up and call a dumper for every element, in Python."""

    __slots__ = ("data",)
    oid: int  # of its array type

    def __init__(self, data: bytes) -> None:
        self.data = data


class _UuidColumn(_Column):
    __slots__ = ()
    oid = 2951


class _BigintColumn(_Column):
    __slots__ = ()
    oid = 1016


class _TextColumn(_Column):
    __slots__ = ()
    oid = 1009


class _ByteaColumn(_Column):
    __slots__ = ()
    oid = 1001


# The insert function's parameters, in the order _columns gives them.
_COLUMN_TYPES = tuple(column.oid for column in (_UuidColumn, _BigintColumn, _TextColumn, _ByteaColumn))


# One dimension without nulls: dimensions, has-nulls flag, element type, length, lower bound.
_ARRAY_HEADER = struct.Struct("!iiiii")
_LENGTH = struct.Struct("!i")
_BIGINT = struct.Struct("!iq")  # its length (8), then the value
_UUID_LENGTH = _LENGTH.pack(16)


def _columns(events: Sequence[StoredEvent]) -> tuple[_Column, ...]:
    """The function's four arguments: ids (uuid), versions (bigint), topics (text), states (bytea)."""
    count = len(events)
    ids = [e.originator_id if isinstance(e.originator_id, UUID) else UUID(e.originator_id) for e in events]
    topics = [e.topic.encode() for e in events]
    return (
        _UuidColumn(_ARRAY_HEADER.pack(1, 0, 2950, count, 1) + b"".join(_UUID_LENGTH + i.bytes for i in ids)),
        _BigintColumn(
            _ARRAY_HEADER.pack(1, 0, 20, count, 1)
            + b"".join(_BIGINT.pack(8, e.originator_version) for e in events)
        ),
        _TextColumn(
            _ARRAY_HEADER.pack(1, 0, 25, count, 1) + b"".join(_LENGTH.pack(len(t)) + t for t in topics)
        ),
        _ByteaColumn(
            _ARRAY_HEADER.pack(1, 0, 17, count, 1)
            + b"".join(_LENGTH.pack(len(e.state)) + e.state for e in events)
        ),
    )


_T = TypeVar("_T", StoredEvent, Notification)


def _frozen(cls: type[_T], **fields: Any) -> _T:
    """A frozen dataclass instance with its __dict__ filled directly, as the library
    builds its events: cheaper than the generated __init__ for millions of rows."""
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", fields)
    return instance
