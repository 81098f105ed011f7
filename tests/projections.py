"""Reading whole read models, to compare them."""

from __future__ import annotations

from typing import Any

from infrastructure.database import Database
from infrastructure.projections.registry import PROJECTIONS


def views(database: Database, names: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the named projections (default: all), in a stable order."""
    dump: dict[str, list[dict[str, Any]]] = {}
    for name in names or list(PROJECTIONS):
        for table in PROJECTIONS[name].tables:
            rows = database.fetch_all(f"SELECT * FROM {table}")
            dump[table] = sorted(rows, key=lambda row: [str(v) for v in row.values()])
    return dump
