"""Statements run by libpq directly answer what a psycopg cursor answers, and fail as it fails."""

from __future__ import annotations

import datetime
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import pq
from psycopg.rows import dict_row

from infrastructure import libpq_statements
from infrastructure.libpq_statements import as_dict, as_tuple, rows

pytestmark = pytest.mark.postgres

QUERY = "SELECT id, name, born, tag, n FROM people WHERE name = %s OR n > %s OR tag = %s ORDER BY n"


@pytest.fixture(autouse=True)
def no_statement_run_before(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tests of the process may have filled the registry up to its bound.
    monkeypatch.setattr(libpq_statements, "_STATEMENTS", {})


@pytest.fixture
def connection(postgres_url: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(postgres_url, autocommit=True, row_factory=dict_row) as connection:
        connection.execute(
            "CREATE TABLE people (id uuid PRIMARY KEY, name text, born date, tag text, n bigint)"
        )
        rows = [
            (uuid.uuid4(), "Ana", datetime.date(1990, 5, 1), "x", 1),
            (uuid.uuid4(), "Bo é", None, None, 2**40),
            (uuid.uuid4(), "Cy", datetime.date(2001, 1, 31), "x", 3),
        ]
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO people VALUES (%s, %s, %s, %s, %s)", rows)
        yield connection


def test_rows_are_a_cursors_rows(connection: psycopg.Connection[dict[str, Any]]) -> None:
    for params in (("Ana", 2, None), ("nobody", 5, "x"), ("Bo é", 10**12, None)):
        by_cursor = connection.execute(QUERY, params).fetchall()
        by_libpq = rows(connection, QUERY, params, as_dict)
        assert by_libpq == by_cursor
    tuples = rows(connection, "SELECT n, id FROM people ORDER BY n", (), as_tuple)
    assert tuples is not None and [type(value) for value in tuples[0]] == [int, uuid.UUID]


def test_prepared_on_each_connection_the_first_time(
    connection: psycopg.Connection[dict[str, Any]], postgres_url: str
) -> None:
    query = "SELECT name FROM people WHERE n = %s"
    assert rows(connection, query, (3,), as_dict) == [{"name": "Cy"}]
    with psycopg.connect(postgres_url, autocommit=True) as other:
        assert rows(other, query, (1,), as_dict) == [{"name": "Ana"}]
        assert rows(other, query, (1,), as_dict) == [{"name": "Ana"}]
        prepared = other.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'convo_%'")
        assert prepared.fetchone() == (1,)


def test_errors_are_psycopgs(connection: psycopg.Connection[dict[str, Any]]) -> None:
    taken = connection.execute("SELECT id FROM people LIMIT 1").fetchone()
    assert taken is not None
    insert = "INSERT INTO people (id, name) VALUES (%s, %s) RETURNING id"
    with pytest.raises(psycopg.errors.UniqueViolation):
        rows(connection, insert, (taken["id"], "again"), as_dict)
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        rows(connection, "SELECT %s::int AS n", ("not a number",), as_dict)
    # The connection is still usable, as after a cursor's error.
    assert rows(connection, "SELECT %s::int AS n", (7,), as_dict) == [{"n": 7}]


def test_a_lost_connection_is_an_operational_error(
    connection: psycopg.Connection[dict[str, Any]], postgres_url: str
) -> None:
    query = "SELECT name FROM people WHERE n = %s"
    assert rows(connection, query, (1,), as_dict) == [{"name": "Ana"}]
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (connection.info.backend_pid,))
    with pytest.raises(psycopg.OperationalError):
        rows(connection, query, (1,), as_dict)
    assert connection.broken  # as after a cursor's loss: the pool discards it, and drains its siblings


def test_a_connection_lost_with_no_word_from_the_server_is_an_operational_error_too(
    connection: psycopg.Connection[dict[str, Any]],
) -> None:
    query = "SELECT name FROM people WHERE n = %s"
    assert rows(connection, query, (1,), as_dict) == [{"name": "Ana"}]
    with socket.socket(fileno=os.dup(connection.pgconn.socket)) as sock:
        sock.shutdown(socket.SHUT_RDWR)  # the socket itself, under libpq's descriptor too
    with pytest.raises(psycopg.OperationalError):
        rows(connection, query, (1,), as_dict)
    assert connection.broken


class _LibpqFailure:
    """A result as libpq makes it when it finds the connection gone before the server said why:
    it was met in a PostgreSQL stopped with `-m immediate` under load, the connection not BAD yet."""

    status = pq.ExecStatus.FATAL_ERROR
    error_message = b"server closed the connection unexpectedly"

    def error_field(self, _field: pq.DiagnosticField) -> bytes | None:
        return None  # libpq's own errors carry no SQLSTATE

    def get_error_message(self, _encoding: str = "utf-8") -> str:
        return self.error_message.decode()


def test_an_error_of_libpq_itself_is_an_operational_error_and_breaks_the_connection(
    connection: psycopg.Connection[dict[str, Any]],
) -> None:
    assert connection.pgconn.status == pq.ConnStatus.OK
    with pytest.raises(psycopg.OperationalError, match="server closed the connection unexpectedly"):
        libpq_statements.check(connection, _LibpqFailure())  # type: ignore[arg-type]
    assert connection.broken  # the pool discards it instead of lending it again


def test_what_cannot_run_this_way_is_left_to_a_cursor(
    connection: psycopg.Connection[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert rows(connection, "SELECT name FROM people WHERE n = %(n)s", (1,), as_dict) is None
    assert rows(connection, "SELECT 'a%%' || %s AS t", ("b",), as_dict) is None
    with connection.transaction():
        assert rows(connection, "SELECT name FROM people WHERE n = %s", (1,), as_dict) is None
    monkeypatch.setattr(libpq_statements, "MOST_STATEMENTS", 2)
    for n in range(2):
        assert rows(connection, f"SELECT {n} + %s AS n", (1,), as_dict) == [{"n": n + 1}]
    assert rows(connection, "SELECT 5 + %s AS n", (1,), as_dict) is None
