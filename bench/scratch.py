"""A throwaway PostgreSQL database: created, migrated and given the demo directory, then dropped."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from infrastructure.bootstrap import migrate
from infrastructure.demo_data import load_demo_data
from infrastructure.keys.master import DEVELOPMENT_MASTER_KEY
from infrastructure.persistence import open_database
from infrastructure.settings import Settings

SERVER_URL = os.environ.get("CONVO_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/postgres")

# Benchmarks run the service as it is deployed: sealed, with a key of their own.
os.environ.setdefault("CONVO_MASTER_KEY", DEVELOPMENT_MASTER_KEY)


def url_of(dbname: str) -> str:
    base, _, _ = SERVER_URL.rpartition("/")
    return f"{base}/{dbname}"


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings of a worker on the scratch database; no `.env` file is read."""
    return Settings(_env_file=None, database_url=database_url, demo_data=False, **overrides)  # type: ignore[call-arg]


def server_version() -> str:
    with psycopg.connect(SERVER_URL) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yields the URL of a migrated database holding the demo directory; drops it afterwards."""
    dbname = f"convo_bench_{uuid.uuid4().hex[:10]}"
    name = sql.Identifier(dbname)
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        url = url_of(dbname)
        settings = settings_for(url)
        migrate(settings)
        database = open_database(settings)
        try:
            load_demo_data(database)
        finally:
            database.close()
        yield url
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
