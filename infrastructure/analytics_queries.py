"""Reads of the analytics read models (the tables the projections keep)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.analytics import rate
from infrastructure.database import Database

_SESSION_COLUMNS = (
    "session_id, conversation_id, contact, opened_at, closed_at, close_reason, last_activity_at, "
    "messages, presses, fallbacks, tool_calls, duration_seconds"
)


class SqlAnalytics:
    def __init__(self, database: Database) -> None:
        self._db = database

    def daily(self, since: date | None, until: date | None) -> list[dict[str, Any]]:
        where, params = _where(("day >= %s", since), ("day <= %s", until))
        rows = self._db.fetch_all(
            "SELECT day, active_conversations, sessions, messages, presses, direct_action_failures, "
            f"unrecognised FROM daily_metrics {where} ORDER BY day",
            params,
        )
        for row in rows:
            row["day"] = str(row["day"])
            row["turns"] = row["messages"] + row["presses"]  # every turn is one message or press
            presses = row["presses"]
            row["direct_action_success_rate"] = rate(presses - row["direct_action_failures"], presses)
            row["fallback_rate"] = rate(row["direct_action_failures"], row["turns"])
            row["unrecognised_rate"] = rate(row["unrecognised"], row["turns"])
        return rows

    def sessions(
        self,
        *,
        since: datetime | None,
        until: datetime | None,
        contact: str | None,
        open_only: bool,
        limit: int,
    ) -> list[dict[str, Any]]:
        where, params = _where(
            ("opened_at >= %s", since),
            ("opened_at < %s", until),
            ("contact = %s", contact),
            ("closed_at IS NULL AND %s", True if open_only else None),
        )
        rows = self._db.fetch_all(
            f"SELECT {_SESSION_COLUMNS} FROM sessions {where} ORDER BY opened_at, session_id LIMIT %s",
            [*params, limit],
        )
        return [_plain(row) for row in rows]

    def contacts_with_several_open_sessions(self) -> list[dict[str, Any]]:
        """The old system's nightmare, as a query that must return no rows."""
        return self._db.fetch_all(
            "SELECT contact, count(*) AS open_sessions FROM sessions WHERE closed_at IS NULL "
            "GROUP BY contact HAVING count(*) > 1"
        )


def _where(*conditions: tuple[str, object]) -> tuple[str, list[object]]:
    """A WHERE clause of the conditions whose value is given; values stay parameters."""
    used = [(clause, value) for clause, value in conditions if value is not None]
    if not used:
        return "", []
    return "WHERE " + " AND ".join(clause for clause, _ in used), [value for _, value in used]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if key.endswith("_id")
        else value
        for key, value in row.items()
    }
