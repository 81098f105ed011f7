"""Throwaway PostgreSQL databases for tests: created per test, dropped after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg

SERVER_URL = os.environ.get("CONVO_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/postgres")
REQUIRED = os.environ.get("CONVO_TEST_REQUIRE_POSTGRES", "") not in ("", "0", "false", "no")


def server_problem() -> str | None:
    """Why no PostgreSQL server can be used, or None when one answers."""
    try:
        with psycopg.connect(SERVER_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"no PostgreSQL at {SERVER_URL}: {error}".strip()
    return None


def url_of(dbname: str, server_url: str = SERVER_URL) -> str:
    # Keeps the rest: every host of a cluster's URL, and its ?target_session_attrs=…
    return urlsplit(server_url)._replace(path=f"/{dbname}").geturl()


@contextmanager
def scratch_database(prefix: str = "convo_test", server_url: str = SERVER_URL) -> Iterator[str]:
    """Yields the URL of a new, empty database and drops it afterwards."""
    dbname = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield url_of(dbname, server_url)
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
