"""`sessions`: one row per session (and `conversations`, to know whose it is)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from uuid import UUID

from application.analytics import fold_conversations, fold_sessions
from application.event_log.records import EventRecord
from infrastructure.database import Cursor
from infrastructure.projections.base import SqlProjection, between_erasures

_COUNTS = ("messages", "presses", "fallbacks", "tool_calls")
_CONVERSATION_COLUMNS = (
    ("conversation_id", "uuid"),
    ("contact", "text"),
    ("subcontractor_id", "text"),
    ("started_at", "timestamptz"),
)
_SESSION_COLUMNS = (
    ("session_id", "uuid"), ("conversation_id", "uuid"), ("contact", "text"), ("opened_at", "timestamptz"),
    ("closed_at", "timestamptz"), ("close_reason", "text"), ("last_activity_at", "timestamptz"),
    *((count, "integer") for count in _COUNTS),
)  # fmt: skip


class _Contacts:
    """Conversation id -> contact. Ids are derived from contacts, so an entry never goes stale;
    it is forgotten when its conversation is erased (no one's number outlives their erasure)."""

    def __init__(self, size: int = 100_000) -> None:
        self._known: OrderedDict[UUID, str] = OrderedDict()
        self._size = size

    def remember(self, conversation_id: UUID, contact: str) -> None:
        self._known[conversation_id] = contact
        if len(self._known) > self._size:
            self._known.popitem(last=False)

    def forget(self, conversation_id: UUID) -> None:
        self._known.pop(conversation_id, None)

    def of(self, cursor: Cursor, conversations: str, ids: set[UUID]) -> dict[UUID, str]:
        missing = [i for i in ids if i not in self._known]
        if missing:
            placeholders = ", ".join(["%s"] * len(missing))
            for row in cursor.fetch_all(
                f"SELECT conversation_id, contact FROM {conversations} "
                f"WHERE conversation_id IN ({placeholders})",
                missing,
            ):
                found = row["conversation_id"]
                self.remember(found if isinstance(found, UUID) else UUID(found), row["contact"])
        return {i: self._known[i] for i in ids if i in self._known}


class SessionsProjection(SqlProjection):
    name = "sessions"
    tables = ("conversations", "sessions")
    event_types = (
        "Started", "Restarted", "SessionOpened", "SessionClosed", "MessageReceived", "ButtonPressed",
        "DirectActionFailed", "ToolOutputRecorded", "Erased",
    )  # fmt: skip
    opens = ("Started", "Restarted")  # whose conversation it is; sessions are counted from clear fields

    def __init__(self) -> None:
        self._contacts = _Contacts()

    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        for run, erased in between_erasures(records):
            if run:
                self._fold(cursor, run, tables)
            if erased is not None:
                self._forget(cursor, erased, tables)

    def _forget(self, cursor: Cursor, conversation_id: UUID, tables: dict[str, str]) -> None:
        for table in (tables["sessions"], tables["conversations"]):
            cursor.execute(f"DELETE FROM {table} WHERE conversation_id = %s", (str(conversation_id),))
        self._contacts.forget(conversation_id)

    def _fold(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        conversations, sessions = tables["conversations"], tables["sessions"]
        started = fold_conversations(records)
        cursor.insert_many(
            conversations,
            _CONVERSATION_COLUMNS,
            [(c.conversation_id, c.contact, c.subcontractor_id, c.started_at) for c in started.values()],
            # A restart is a new subject on the conversation: its row replaces the erased one's.
            "ON CONFLICT (conversation_id) DO UPDATE SET contact = excluded.contact, "
            "subcontractor_id = excluded.subcontractor_id, started_at = excluded.started_at",
        )
        for facts in started.values():
            self._contacts.remember(facts.conversation_id, facts.contact)
        deltas = fold_sessions(records)
        contacts = self._contacts.of(cursor, conversations, {d.conversation_id for d in deltas.values()})
        added = ", ".join(f"{c} = {sessions}.{c} + excluded.{c}" for c in _COUNTS)
        cursor.insert_many(
            sessions,
            _SESSION_COLUMNS,
            [
                (
                    d.session_id,
                    d.conversation_id,
                    contacts.get(d.conversation_id),
                    d.opened_at,
                    d.closed_at,
                    d.close_reason,
                    d.last_activity_at,
                    *(getattr(d, c) for c in _COUNTS),
                )
                for d in deltas.values()
            ],
            "ON CONFLICT (session_id) DO UPDATE SET "
            f"contact = COALESCE({sessions}.contact, excluded.contact), "
            f"opened_at = COALESCE({sessions}.opened_at, excluded.opened_at), "
            f"closed_at = COALESCE(excluded.closed_at, {sessions}.closed_at), "
            f"close_reason = COALESCE(excluded.close_reason, {sessions}.close_reason), "
            f"last_activity_at = CASE WHEN {sessions}.last_activity_at IS NULL "
            f"OR excluded.last_activity_at > {sessions}.last_activity_at "
            f"THEN excluded.last_activity_at ELSE {sessions}.last_activity_at END, {added}",
        )
