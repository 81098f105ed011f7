"""The few statements every turn sends, run by libpq directly on a psycopg connection.

A psycopg cursor spends about 50 µs of Python on a statement here (its generators, placeholders,
prepared-statement bookkeeping, result sets) on top of the 25 µs libpq and the system take, and a
turn sends one to three. These go through `pgconn.exec_prepared` instead, which lets go of the
interpreter lock while it waits as psycopg's waiting does, with psycopg's own Transformer dumping
the parameters and loading the rows, and psycopg's errors raised as a cursor raises them. A statement
is prepared on a connection the first time it runs there: PostgreSQL says so when it is not (a round
trip, once per connection and statement). Only MOST_STATEMENTS distinct statements a process are run
this way, each kept prepared on every connection; the rest go through a cursor.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar, cast

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.rows import RowMaker

# Each is kept prepared on every connection that ran it, until the pool renews the connection.
MOST_STATEMENTS = 256

Row = TypeVar("Row")

_BINARY = pq.Format.BINARY
_NOT_PREPARED = b"26000"  # invalid_sql_statement_name: not prepared on this connection yet
_ALREADY_PREPARED = b"42P05"  # duplicate_prepared_statement


# The statements run this way, by their text (with libpq's placeholders) and types.
_STATEMENTS: dict[tuple[bytes, tuple[int, ...]], Prepared] = {}
_NAMING = threading.Lock()
# Their result's column names, by statement name.
_NAMES: dict[bytes, list[str]] = {}


def rows(
    connection: psycopg.Connection[Any],
    query: str,
    params: Sequence[Any],
    make_row: Callable[[list[str]], RowMaker[Row]],
) -> list[Row] | None:
    """The statement's rows, each made by `make_row(column names)`; None where it cannot run this
    way (placeholders other than %s, MOST_STATEMENTS others already run, or a transaction under
    way, which a first run's "not prepared" would abort): use a cursor."""
    numbered = _numbered(query)
    if numbered is None or connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return None
    transformer = Transformer(connection)
    # NULLs are None, which libpq takes (psycopg's own calls pass them too; its stubs say otherwise).
    values = cast(Sequence[bytes], transformer.dump_sequence(params, [PyFormat.AUTO] * len(params)))
    statement = _statement(numbered, tuple(transformer.types or ()))
    if statement is None:
        return None
    result = execute(connection, statement, values, transformer.formats or ())
    transformer.set_pgresult(result)
    loaded: list[Row] = transformer.load_rows(0, result.ntuples, make_row(_names(statement, result)))
    return loaded


class Prepared(NamedTuple):
    name: bytes  # the same on every connection
    text: bytes  # with libpq's placeholders
    types: Sequence[int]  # of its parameters


def named(text: bytes, types: Sequence[int]) -> Prepared:
    """A statement named by its text and types: prepared by any writer, it is the same statement."""
    digest = hashlib.blake2b(text + repr(tuple(types)).encode(), digest_size=8).hexdigest()
    return Prepared(f"convo_{digest}".encode(), text, types)


def execute(
    connection: psycopg.Connection[Any], statement: Prepared, values: Sequence[bytes], formats: Sequence[int]
) -> pq.abc.PGresult:
    """The statement's result, prepared on this connection first where it is not yet; results in
    binary, errors raised as a cursor raises them."""
    pgconn = connection.pgconn
    result = pgconn.exec_prepared(statement.name, values, formats, _BINARY)
    if result.error_field(pq.DiagnosticField.SQLSTATE) == _NOT_PREPARED:
        prepared = pgconn.prepare(statement.name, statement.text, statement.types)
        if prepared.error_field(pq.DiagnosticField.SQLSTATE) != _ALREADY_PREPARED:
            check(connection, prepared)
        result = pgconn.exec_prepared(statement.name, values, formats, _BINARY)
    check(connection, result)
    return result


def check(connection: psycopg.Connection[Any], result: pq.abc.PGresult) -> None:
    """Raises what a cursor would for this result: its error, or the connection's loss."""
    if result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        return
    pgconn = connection.pgconn
    # Every error the server sends has a SQLSTATE; libpq's own (a connection lost while sending or
    # reading: a server stopped with `-m immediate` says nothing) have none, and the connection
    # may not say BAD yet.
    if pgconn.status == pq.ConnStatus.BAD or not result.error_field(pq.DiagnosticField.SQLSTATE):
        message = (result.error_message or pgconn.error_message).decode(errors="replace").strip()
        pgconn.finish()  # broken, as a cursor leaves it: the pool drops it and drains its siblings
        raise psycopg.OperationalError(message or "the connection to PostgreSQL was lost")
    raise psycopg.errors.error_from_result(result, encoding=connection.info.encoding)


def as_dict(names: list[str]) -> RowMaker[dict[str, Any]]:
    return lambda values: dict(zip(names, values, strict=True))


def as_tuple(_names: list[str]) -> RowMaker[tuple[Any, ...]]:
    return tuple


def _names(statement: Prepared, result: pq.abc.PGresult) -> list[str]:
    """The result's column names: a statement's are the same every time it runs, read once."""
    known = _NAMES.get(statement.name)
    if known is None or len(known) != result.nfields:
        known = _NAMES[statement.name] = [
            (result.fname(column) or b"").decode() for column in range(result.nfields)
        ]
    return known


# Asked for every read a turn makes; as many as statements run this way, and their cursor-run kin.
@lru_cache(maxsize=2 * MOST_STATEMENTS)
def _numbered(query: str) -> bytes | None:
    """The query with libpq's placeholders ($1, $2...) for psycopg's %s; None for any other %."""
    pieces = query.split("%s")
    if any("%" in piece for piece in pieces):
        return None
    numbered = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], start=1))
    return numbered.encode()


def _statement(text: bytes, types: tuple[int, ...]) -> Prepared | None:
    key = (text, types)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    with _NAMING:
        if len(_STATEMENTS) >= MOST_STATEMENTS:
            return None
        return _STATEMENTS.setdefault(key, named(text, types))
