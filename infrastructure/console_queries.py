"""What the web console reads from the read models and the directory, a page at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from infrastructure.database import Database

_ACTIVITY = (
    "SELECT contact, max(last_activity_at) AS last_activity, count(*) AS sessions, "
    "sum(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) AS open_sessions FROM sessions GROUP BY contact"
)


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class ConsoleQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def conversations(self, search: str, page: int, per_page: int) -> Page:
        """Conversations whose phone, name, company or site matches, most recently active first."""
        where, params = _search(search)
        total_row = self._db.fetch_one(
            "SELECT count(*) AS n FROM conversations c LEFT JOIN subcontractors sc ON sc.phone = c.contact "
            f"{where}",
            params,
        )
        rows = self._db.fetch_all(
            f"WITH activity AS ({_ACTIVITY}) "
            "SELECT c.conversation_id, c.contact, c.started_at, sc.name, sc.company, "
            "a.last_activity, a.sessions, a.open_sessions "
            "FROM conversations c LEFT JOIN subcontractors sc ON sc.phone = c.contact "
            f"LEFT JOIN activity a ON a.contact = c.contact {where} "
            "ORDER BY (a.last_activity IS NULL), a.last_activity DESC, c.contact "
            "LIMIT %s OFFSET %s",
            [*params, per_page, (page - 1) * per_page],
        )
        ids = [_uuid(r["conversation_id"]) for r in rows]
        unrecognised = self.unrecognised_counts(ids)
        for row, conversation_id in zip(rows, ids, strict=True):
            row["conversation_id"] = conversation_id
            row["unrecognised"] = unrecognised.get(conversation_id, 0)
            row["last_activity"] = _moment(row["last_activity"])
            row["started_at"] = _moment(row["started_at"])
            row["sessions"] = int(row["sessions"] or 0)
            row["open_sessions"] = int(row["open_sessions"] or 0)
        return Page(rows, int(total_row["n"]) if total_row else 0, page, per_page)

    def conversation(self, conversation_id: UUID) -> dict[str, Any] | None:
        rows = self._db.fetch_all(
            "SELECT c.conversation_id, c.contact, sc.name, sc.company, sc.language "
            "FROM conversations c LEFT JOIN subcontractors sc ON sc.phone = c.contact "
            "WHERE c.conversation_id = %s",
            [conversation_id],
        )
        if not rows:
            return None
        row = rows[0]
        activity = self._db.fetch_one(
            "SELECT max(last_activity_at) AS last_activity, count(*) AS sessions, "
            "sum(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) AS open_sessions "
            "FROM sessions WHERE contact = %s",
            [row["contact"]],
        )
        row["last_activity"] = _moment(activity["last_activity"]) if activity else None
        row["sessions"] = int(activity["sessions"] or 0) if activity else 0
        row["open_sessions"] = int(activity["open_sessions"] or 0) if activity else 0
        row["unrecognised"] = self.unrecognised_counts([conversation_id]).get(conversation_id, 0)
        return row

    def unrecognised_counts(self, conversation_ids: list[UUID]) -> dict[UUID, int]:
        if not conversation_ids:
            return {}
        marks = ", ".join(["%s"] * len(conversation_ids))
        rows = self._db.fetch_all(
            "SELECT conversation_id, count(*) AS n FROM attention "
            f"WHERE kind = 'unrecognised' AND conversation_id IN ({marks}) GROUP BY conversation_id",
            conversation_ids,
        )
        return {_uuid(r["conversation_id"]): int(r["n"]) for r in rows}

    def attention(self, kind: str, page: int, per_page: int) -> Page:
        """Newest first; with each row, whose conversation it is (when the read models know)."""
        total_row = self._db.fetch_one("SELECT count(*) AS n FROM attention WHERE kind = %s", [kind])
        rows = self._db.fetch_all(
            "SELECT a.source_id, a.version, a.kind, a.conversation_id, a.message_id, a.channel, a.at, "
            "a.detail, c.contact, sc.name FROM attention a "
            "LEFT JOIN conversations c ON c.conversation_id = a.conversation_id "
            "LEFT JOIN subcontractors sc ON sc.phone = c.contact "
            "WHERE a.kind = %s ORDER BY a.at DESC, a.source_id, a.version LIMIT %s OFFSET %s",
            [kind, per_page, (page - 1) * per_page],
        )
        for row in rows:
            row["source_id"] = _uuid(row["source_id"])
            row["conversation_id"] = _uuid(row["conversation_id"]) if row["conversation_id"] else None
            row["at"] = _moment(row["at"])
        return Page(rows, int(total_row["n"]) if total_row else 0, page, per_page)

    def attention_counts(self) -> dict[str, int]:
        rows = self._db.fetch_all("SELECT kind, count(*) AS n FROM attention GROUP BY kind")
        return {r["kind"]: int(r["n"]) for r in rows}

    def contacts(self, conversation_ids: list[UUID]) -> dict[UUID, str]:
        if not conversation_ids:
            return {}
        marks = ", ".join(["%s"] * len(conversation_ids))
        rows = self._db.fetch_all(
            f"SELECT conversation_id, contact FROM conversations WHERE conversation_id IN ({marks})",
            conversation_ids,
        )
        return {_uuid(r["conversation_id"]): r["contact"] for r in rows}

    def leases(self) -> list[dict[str, Any]]:
        return self._db.fetch_all("SELECT name, holder, expires_at FROM worker_leases ORDER BY name")


def _search(search: str) -> tuple[str, list[object]]:
    words = search.strip().lower()
    if not words:
        return "", []
    like = "%" + re.sub(r"([\\%_])", r"\\\1", words) + "%"
    digits = re.sub(r"\D", "", words)
    if digits.startswith("0"):
        digits = digits[1:]  # a national number: 06 00 00 00 01 is +33 6 00 00 00 01
    clauses = [
        "lower(sc.name) LIKE %s ESCAPE '\\'",
        "lower(sc.company) LIKE %s ESCAPE '\\'",
        "lower(c.contact) LIKE %s ESCAPE '\\'",
        "EXISTS (SELECT 1 FROM assignments asg JOIN projects p ON p.id = asg.project_id "
        "WHERE asg.subcontractor_id = sc.id AND (lower(p.name) LIKE %s ESCAPE '\\' "
        "OR lower(p.city) LIKE %s ESCAPE '\\'))",
    ]
    params: list[object] = [like, like, like, like, like]
    if len(digits) >= 3:
        clauses.append("c.contact LIKE %s")
        params.append(f"%{digits}%")
    return "WHERE " + " OR ".join(clauses), params


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
