"""Applies the numbered SQL files of `migrations/<dialect>/` once each, in order.

Two migrators starting at once are safe: on PostgreSQL they queue on an
advisory lock, on SQLite on the write lock; the second finds nothing to do.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any constant works; it only has to be the same for every migrator.
_ADVISORY_LOCK_KEY = 0x636F6E766F  # "convo"
_LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
    "applied_at text NOT NULL)"
)


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def discover(directory: Path) -> list[Migration]:
    if not directory.is_dir():
        raise MigrationError(f"no migrations folder at {directory}")
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations numbered {version:04d} in {directory}")
        found[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def _pending(migrations: list[Migration], applied: dict[int, str]) -> list[Migration]:
    for migration in migrations:
        checksum = applied.get(migration.version)
        if checksum is not None and checksum != migration.checksum:
            raise MigrationError(
                f"migration {migration.label} was changed after it was applied; add a new migration instead"
            )
    return [m for m in migrations if m.version not in applied]


Progress = Callable[[Migration], None]


def migrate_postgres(conninfo: str, directory: Path, on_applied: Progress | None = None) -> list[Migration]:
    migrations = discover(directory)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_KEY,))
        try:
            connection.execute(_LEDGER)
            rows = connection.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            pending = _pending(migrations, {int(v): str(c) for v, c in rows})
            for migration in pending:
                with connection.transaction():
                    connection.execute(migration.sql.encode())
                    connection.execute(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                        "VALUES (%s, %s, %s, now()::text)",
                        (migration.version, migration.name, migration.checksum),
                    )
                if on_applied:
                    on_applied(migration)
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_KEY,))
    return pending


def migrate_sqlite(path: Path, directory: Path, on_applied: Progress | None = None) -> list[Migration]:
    migrations = discover(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(_LEDGER)
            rows = connection.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            pending = _pending(migrations, {int(v): str(c) for v, c in rows})
            for migration in pending:
                for statement in _statements(migration.sql):
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                    "VALUES (?, ?, ?, datetime('now'))",
                    (migration.version, migration.name, migration.checksum),
                )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()
    if on_applied:
        for migration in pending:
            on_applied(migration)
    return pending


def _statements(script: str) -> list[str]:
    """Splits a script where SQLite itself says a statement is complete."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in current.splitlines()
    ):
        raise MigrationError(f"unterminated statement: {current.strip()[:60]}")
    return statements
