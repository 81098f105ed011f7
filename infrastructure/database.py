"""One small interface over SQLite and PostgreSQL for the service's own tables.

Queries are written once with `%s` placeholders; the SQLite side rewrites them.
Driver errors are translated here, in one place.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from infrastructure import libpq_statements
from infrastructure.database_errors import (
    DatabaseUnavailableError,
    PrimaryUnavailableError,
)

Row = dict[str, Any]
Params = Sequence[Any]
Result = TypeVar("Result")

# SQLite has no timestamp or uuid types: ISO 8601 text sorts and reads back unambiguously.
sqlite3.register_adapter(datetime, datetime.isoformat)
sqlite3.register_adapter(date, date.isoformat)
sqlite3.register_adapter(UUID, str)


class Cursor(Protocol):
    dialect: str

    def execute(self, query: str, params: Params = ()) -> int: ...

    def execute_many(self, query: str, rows: Sequence[Params]) -> None: ...

    def insert_many(
        self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Params], suffix: str = ""
    ) -> None:
        """INSERT of many rows, `suffix` being e.g. an ON CONFLICT clause.

        `columns` are (name, PostgreSQL type) pairs: PostgreSQL gets the rows as one
        array per column in a single statement, far cheaper than a statement per row.
        """
        ...

    def fetch_all(self, query: str, params: Params = ()) -> list[Row]: ...


class Database(Protocol):
    dialect: str

    def fetch_all(self, query: str, params: Params = ()) -> list[Row]: ...

    def fetch_one(self, query: str, params: Params = ()) -> Row | None: ...

    def transaction(self) -> Any: ...  # context manager yielding a Cursor

    def write_one(self, query: str, params: Params = ()) -> list[Row]:
        """One statement that changes something, atomic by itself: its rows (RETURNING).
        Not tried again if the connection drops: the caller knows whether that is safe."""
        ...

    def close(self) -> None: ...


class _SqliteCursor:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, query: str, params: Params = ()) -> int:
        return self._connection.execute(_qmark(query), tuple(params)).rowcount

    def execute_many(self, query: str, rows: Sequence[Params]) -> None:
        if rows:
            self._connection.executemany(_qmark(query), [tuple(r) for r in rows])

    def insert_many(
        self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Params], suffix: str = ""
    ) -> None:
        # SQLite runs executemany's loop in C, in process: already the cheap way.
        names = ", ".join(name for name, _ in columns)
        marks = ", ".join("%s" for _ in columns)
        self.execute_many(f"INSERT INTO {table} ({names}) VALUES ({marks}) {suffix}", rows)

    def fetch_all(self, query: str, params: Params = ()) -> list[Row]:
        return [dict(row) for row in self._connection.execute(_qmark(query), tuple(params))]


class SqliteDatabase:
    """A connection per thread; WAL so readers never wait for the writer."""

    dialect = "sqlite"

    def __init__(self, path: Path, busy_timeout_seconds: float = 10.0) -> None:
        self.path = path
        self._busy_timeout = busy_timeout_seconds
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            # What a delete or an update frees is zeroed, not left in the file: an
            # erased person's rows must not stay readable in free pages.
            connection.execute("PRAGMA secure_delete=ON")
            self._local.connection = connection
            with self._guard:
                self._connections.append(connection)
        return connection

    def fetch_all(self, query: str, params: Params = ()) -> list[Row]:
        return _SqliteCursor(self._connection()).fetch_all(query, params)

    def fetch_one(self, query: str, params: Params = ()) -> Row | None:
        rows = self.fetch_all(query, params)
        return rows[0] if rows else None

    def write_one(self, query: str, params: Params = ()) -> list[Row]:
        with self.transaction() as cursor:
            return cursor.fetch_all(query, params)

    @contextmanager
    def transaction(self) -> Iterator[_SqliteCursor]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteCursor(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        with self._guard:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


class _PostgresCursor:
    dialect = "postgresql"

    def __init__(self, cursor: psycopg.Cursor[Row]) -> None:
        self._cursor = cursor

    def execute(self, query: str, params: Params = ()) -> int:
        self._cursor.execute(query, tuple(params))
        return self._cursor.rowcount

    def execute_many(self, query: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cursor.executemany(query, [tuple(r) for r in rows])

    def insert_many(
        self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Params], suffix: str = ""
    ) -> None:
        if not rows:
            return
        names = ", ".join(name for name, _ in columns)
        arrays = ", ".join(f"%s::{pg_type}[]" for _, pg_type in columns)
        self._cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",
            [list(column) for column in zip(*rows, strict=True)],
        )

    def fetch_all(self, query: str, params: Params = ()) -> list[Row]:
        self._cursor.execute(query, tuple(params))
        return self._cursor.fetchall()


class PostgresDatabase:
    """A psycopg 3 pool; waiting for a connection is bounded so callers can answer 503.

    For writes (the default) it keeps to the primary and follows it across a failover;
    `for_writes=False` is for reads that a standby may serve.
    """

    dialect = "postgresql"

    def __init__(
        self, conninfo: str, *, min_size: int, max_size: int, timeout: float, for_writes: bool = True
    ) -> None:
        # Imported here: that module builds on this one's errors.
        from infrastructure.primary import PrimaryPool

        pool_class = PrimaryPool if for_writes else ConnectionPool
        self._pool: ConnectionPool[psycopg.Connection[Row]] = pool_class(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            # The same few queries run on every turn: prepare them from their first use.
            kwargs={"row_factory": dict_row, "autocommit": True, "prepare_threshold": 0},
            open=True,
            name="convo",
        )

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Row]]:
        # A loan and a return, not the pool's `connection()`: its `with connection` commits on
        # the way out, which in autocommit only takes the connection's lock for nothing.
        # A transaction is opened explicitly (`transaction()`), and ends in its own block.
        try:
            connection = self._pool.getconn()
            try:
                yield connection
            except psycopg.errors.ReadOnlySqlTransaction as error:
                connection.close()  # it is on a standby: never lend it again
                raise PrimaryUnavailableError(str(error)) from error
            finally:
                self._pool.putconn(connection)
        except PoolTimeout as error:
            raise DatabaseUnavailableError("no PostgreSQL connection free in time") from error
        except psycopg.OperationalError as error:
            raise DatabaseUnavailableError(str(error)) from error

    def fetch_all(self, query: str, params: Params = ()) -> list[Row]:
        return self._read(lambda connection: _rows(connection, query, tuple(params)))

    def fetch_one(self, query: str, params: Params = ()) -> Row | None:
        found = self._read(lambda connection: _rows(connection, query, tuple(params)))
        return found[0] if found else None

    def _read(self, read: Callable[[psycopg.Connection[Row]], Result]) -> Result:
        # A connection used a moment ago is lent without an empty query first, and may
        # have died since (a restart, a failover); its pool then drops its idle siblings.
        # A read is safe to try again, once, on a fresh connection.
        try:
            with self._connection() as connection:
                return read(connection)
        except DatabaseUnavailableError as error:
            if not isinstance(error.__cause__, psycopg.OperationalError):
                raise  # no connection free in time, or a standby: trying again would not help
        with self._connection() as connection:
            return read(connection)

    def write_one(self, query: str, params: Params = ()) -> list[Row]:
        # Connections are in autocommit: the statement commits itself, without the round trips
        # of a BEGIN and a COMMIT around it.
        with self._connection() as connection:
            return _rows(connection, query, tuple(params))

    @contextmanager
    def transaction(self) -> Iterator[_PostgresCursor]:
        with self._connection() as connection, connection.transaction(), connection.cursor() as cursor:
            yield _PostgresCursor(cursor)

    def close(self) -> None:
        self._pool.close()


def _rows(connection: psycopg.Connection[Row], query: str, params: tuple[Any, ...]) -> list[Row]:
    # The directory's and the keyring's few statements, by libpq: a cursor costs a turn more.
    found = libpq_statements.rows(connection, query, params, libpq_statements.as_dict)
    return found if found is not None else connection.execute(query, params).fetchall()


def _qmark(query: str) -> str:
    return query.replace("%s", "?")
