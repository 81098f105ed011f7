"""Turns the one database URL setting into the eventsourcing library's environment."""

from __future__ import annotations

from eventsourcing.utils import get_topic
from psycopg.conninfo import conninfo_to_dict

from infrastructure.database import Database, PostgresDatabase, SqliteDatabase
from infrastructure.event_store_factory import CONNINFO, FOR_WRITES, ConvoPostgresFactory
from infrastructure.primary import Bounds, reader_conninfo, writer_conninfo
from infrastructure.recorders import ConvoPostgresRecorder
from infrastructure.settings import Settings

# The library NOTIFYs this channel (its events table's name) on every insert.
EVENTS_CHANNEL = "convo_events"


def event_store_env(settings: Settings) -> dict[str, str]:
    """The store every turn writes to: on PostgreSQL, always the primary."""
    env = {
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size or ""),
    }
    if not settings.is_postgres:
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=str(settings.sqlite_path),
            SQLITE_LOCK_TIMEOUT="10",
            CREATE_TABLE="y",
        )
        return env
    conninfo = postgres_conninfo(settings)
    parts = conninfo_to_dict(conninfo)
    # The library's factory, but its pool gets the whole URL (the library would drop
    # target_session_attrs) and keeps to the primary across a failover.
    env[CONNINFO] = conninfo
    env.update(
        PERSISTENCE_MODULE=get_topic(ConvoPostgresFactory),
        # A connection left dead by a failover is found before a query fails on it.
        POSTGRES_PRE_PING="y",
        APPLICATION_RECORDER_TOPIC=get_topic(ConvoPostgresRecorder),
        POSTGRES_DBNAME=str(parts.get("dbname", "")),
        POSTGRES_HOST=str(parts.get("host", "127.0.0.1")),
        POSTGRES_PORT=str(parts.get("port", "5432")),
        POSTGRES_USER=str(parts.get("user", "")),
        POSTGRES_PASSWORD=str(parts.get("password", "")),
        POSTGRES_POOL_SIZE=str(settings.pool_size),
        POSTGRES_MAX_OVERFLOW=str(settings.pool_max_overflow),
        # The library retries a pool wait 10 times: keep each wait short.
        POSTGRES_CONNECT_TIMEOUT=str(settings.pool_timeout_seconds),
        # The schema comes from migrations; creating it from several workers at
        # once fails with "tuple concurrently updated".
        CREATE_TABLE="n",
        # With database functions on, tracking records are silently dropped.
        POSTGRES_ENABLE_DB_FUNCTIONS="n",
    )
    return env


def read_store_env(settings: Settings, url: str, target: str | None = None) -> dict[str, str]:
    """A store that only reads, from `target` or the node kind `url` asks for (a standby by default)."""
    env = event_store_env(settings)
    env.update(
        {
            CONNINFO: reader_conninfo(_normalised(url), target, bounds_of(settings)),
            FOR_WRITES: "n",
            # Reads are occasional: one connection kept, more only while they come.
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": str(settings.pool_size + settings.pool_max_overflow - 1),
        }
    )
    return env


def postgres_conninfo(settings: Settings) -> str:
    """What every writer connects with (event store, directory, leases, waker):
    the URL's parameters, asking for the node that takes writes."""
    return writer_conninfo(_normalised(settings.database_url), bounds_of(settings))


def migration_conninfo(settings: Settings) -> str:
    """As a writer, but statements unbounded: building an index on a big table may take long."""
    bounds = Bounds(connect_seconds=settings.connect_timeout_seconds)
    return writer_conninfo(_normalised(settings.database_url), bounds)


def bounds_of(settings: Settings) -> Bounds:
    return Bounds(settings.connect_timeout_seconds, settings.statement_timeout_seconds)


def _normalised(url: str) -> str:
    # psycopg understands both spellings; normalise the scheme it documents.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    return url


def open_database(settings: Settings) -> Database:
    if settings.is_postgres:
        return PostgresDatabase(
            postgres_conninfo(settings),
            min_size=1,
            max_size=settings.pool_size + settings.pool_max_overflow,
            timeout=settings.pool_timeout_seconds,
        )
    return SqliteDatabase(settings.sqlite_path)


def open_read_database(settings: Settings, url: str) -> Database:
    """The service's own tables (analytics), read from the node kind `url` asks for."""
    return PostgresDatabase(
        reader_conninfo(_normalised(url), bounds=bounds_of(settings)),
        min_size=1,
        max_size=settings.pool_size + settings.pool_max_overflow,
        timeout=settings.pool_timeout_seconds,
        for_writes=False,
    )
