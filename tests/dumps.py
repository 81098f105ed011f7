"""The whole database as bytes, the way someone holding a copy of it would read it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from infrastructure.settings import Settings


def database_dump(settings: Settings) -> bytes:
    """SQLite: the file and its write-ahead log, raw (free pages too). PostgreSQL: `pg_dump`."""
    if settings.is_postgres:
        return subprocess.run(
            ["pg_dump", "--no-owner", settings.database_url], check=True, capture_output=True, timeout=60
        ).stdout
    path = settings.sqlite_path
    parts = [path, Path(f"{path}-wal"), Path(f"{path}-journal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def found_in(dump: bytes, *needles: str) -> list[str]:
    return [needle for needle in needles if needle.encode() in dump]
