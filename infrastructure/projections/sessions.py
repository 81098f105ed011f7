"""`sessions`: one row per session (and `conversations`, to know whose it is)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from application.analytics import fold_conversations, fold_sessions
from application.event_records import EventRecord
from infrastructure.database import Cursor
from infrastructure.projections.base import SqlProjection

_COUNTS = ("messages", "presses", "fallbacks", "tool_calls", "replies")


class SessionsProjection(SqlProjection):
    name = "sessions"
    tables = ("conversations", "sessions")

    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        conversations, sessions = tables["conversations"], tables["sessions"]
        cursor.execute_many(
            f"INSERT INTO {conversations} (conversation_id, contact, subcontractor_id, started_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (conversation_id) DO NOTHING",
            [
                (c.conversation_id, c.contact, c.subcontractor_id, c.started_at)
                for c in fold_conversations(records).values()
            ],
        )
        deltas = fold_sessions(records)
        added = ", ".join(f"{c} = {sessions}.{c} + excluded.{c}" for c in _COUNTS)
        cursor.execute_many(
            f"INSERT INTO {sessions} (session_id, conversation_id, contact, opened_at, closed_at, "
            f"close_reason, last_activity_at, {', '.join(_COUNTS)}) "
            f"VALUES (%s, %s, (SELECT contact FROM {conversations} WHERE conversation_id = %s), "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (session_id) DO UPDATE SET "
            f"contact = COALESCE({sessions}.contact, excluded.contact), "
            f"opened_at = COALESCE({sessions}.opened_at, excluded.opened_at), "
            f"closed_at = COALESCE(excluded.closed_at, {sessions}.closed_at), "
            f"close_reason = COALESCE(excluded.close_reason, {sessions}.close_reason), "
            f"last_activity_at = CASE WHEN {sessions}.last_activity_at IS NULL "
            f"OR excluded.last_activity_at > {sessions}.last_activity_at "
            f"THEN excluded.last_activity_at ELSE {sessions}.last_activity_at END, {added}",
            [
                (
                    d.session_id,
                    d.conversation_id,
                    d.conversation_id,
                    d.opened_at,
                    d.closed_at,
                    d.close_reason,
                    d.last_activity_at,
                    *(getattr(d, c) for c in _COUNTS),
                )
                for d in deltas.values()
            ],
        )
        closed = [d.session_id for d in deltas.values() if d.closed_at is not None]
        if closed:
            self._set_durations(cursor, sessions, closed)

    @staticmethod
    def _set_durations(cursor: Cursor, sessions: str, session_ids: list[str]) -> None:
        placeholders = ", ".join(["%s"] * len(session_ids))
        rows = cursor.fetch_all(
            f"SELECT session_id, opened_at, closed_at FROM {sessions} "
            f"WHERE session_id IN ({placeholders}) AND opened_at IS NOT NULL",
            session_ids,
        )
        cursor.execute_many(
            f"UPDATE {sessions} SET duration_seconds = %s WHERE session_id = %s",
            [
                (
                    (_as_datetime(r["closed_at"]) - _as_datetime(r["opened_at"])).total_seconds(),
                    r["session_id"],
                )
                for r in rows
            ],
        )


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
