"""What the analytics read models count, as pure folds over event records.

Projections fold each batch of the log into deltas and add them to their
tables; the audit trail folds one conversation's events the same way, so
both always agree on what a session, a fallback or a tool call is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.event_log.records import EventRecord


@dataclass
class ConversationFacts:
    conversation_id: UUID
    contact: str
    subcontractor_id: str | None
    started_at: datetime


@dataclass
class SessionDelta:
    session_id: str
    conversation_id: UUID
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    last_activity_at: datetime | None = None
    messages: int = 0
    presses: int = 0
    fallbacks: int = 0
    tool_calls: int = 0

    def touch(self, at: datetime) -> None:
        self.last_activity_at = at if self.last_activity_at is None else max(self.last_activity_at, at)


@dataclass
class DailyDelta:
    sessions: int = 0
    messages: int = 0
    presses: int = 0
    direct_action_failures: int = 0
    unrecognised: int = 0


@dataclass
class ToolDelta:
    calls: int = 0
    failures: int = 0


def fold_conversations(records: Iterable[EventRecord]) -> dict[UUID, ConversationFacts]:
    found: dict[UUID, ConversationFacts] = {}
    for record in records:
        if record.type in ("Started", "Restarted"):  # Restarted: a new subject, as Started
            found[record.conversation_id] = ConversationFacts(
                conversation_id=record.conversation_id,
                contact=record.payload["contact"],
                subcontractor_id=record.payload.get("subcontractor_id"),
                started_at=record.payload["at"],
            )
    return found


def fold_sessions(records: Iterable[EventRecord]) -> dict[str, SessionDelta]:
    """Per session: what these records add to it (counts) or set on it (times).

    Every turn starts with exactly one message or press, so turns need no
    count of their own, and the turn's time is the session's last activity.
    """
    sessions: dict[str, SessionDelta] = {}
    for record in records:
        session_id = record.session_id
        if session_id is None:
            continue
        delta = sessions.get(session_id)
        if delta is None:
            delta = sessions[session_id] = SessionDelta(session_id, record.conversation_id)
        kind, payload = record.type, record.payload
        if kind == "SessionOpened":
            delta.opened_at = payload["at"]
            delta.touch(payload["at"])
        elif kind == "SessionClosed":
            delta.closed_at = payload["closed_at"]
            delta.close_reason = payload["reason"]
        elif kind == "MessageReceived":
            delta.messages += 1
            delta.touch(payload["at"])
        elif kind == "ButtonPressed":
            delta.presses += 1
            delta.touch(payload["at"])
        elif kind == "DirectActionFailed":
            delta.fallbacks += 1
        elif kind == "ToolOutputRecorded":
            delta.tool_calls += 1
    return sessions


def fold_daily(records: Iterable[EventRecord]) -> tuple[dict[date, DailyDelta], set[tuple[date, UUID]]]:
    """Per day (UTC, by the event's time): counts, and which conversations were active."""
    days: dict[date, DailyDelta] = {}
    active: set[tuple[date, UUID]] = set()
    for record in records:
        day = record.timestamp.date()
        delta = days.setdefault(day, DailyDelta())
        kind = record.type
        if kind == "SessionOpened":
            delta.sessions += 1
        elif kind == "MessageReceived":
            delta.messages += 1
            active.add((day, record.conversation_id))
        elif kind == "ButtonPressed":
            delta.presses += 1
            active.add((day, record.conversation_id))
        elif kind == "DirectActionFailed":
            delta.direct_action_failures += 1
        elif kind == "IntentClassified" and record.payload.get("intent") == "unknown":
            delta.unrecognised += 1
    return {day: d for day, d in days.items() if d != DailyDelta()}, active


def fold_tools(records: Iterable[EventRecord]) -> dict[tuple[date, str], ToolDelta]:
    tools: dict[tuple[date, str], ToolDelta] = {}
    for record in records:
        if record.type != "ToolOutputRecorded":
            continue
        delta = tools.setdefault((record.timestamp.date(), record.payload["tool"]), ToolDelta())
        delta.calls += 1
        if not record.payload.get("succeeded", True):
            delta.failures += 1
    return tools


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class AnalyticsReader(Protocol):
    """Reads the read models; rows are plain dicts, ready for JSON or CSV."""

    def daily(self, since: date | None, until: date | None) -> list[dict[str, Any]]: ...

    def sessions(
        self,
        *,
        since: datetime | None,
        until: datetime | None,
        contact: str | None,
        open_only: bool,
        limit: int,
    ) -> list[dict[str, Any]]: ...

    def contacts_with_several_open_sessions(self) -> list[dict[str, Any]]: ...
