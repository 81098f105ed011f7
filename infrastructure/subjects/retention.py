"""Retention: the content of sessions over for longer than `CONVO_RETENTION_DAYS` is shredded.

Every session has a key of its own (see `application/sealing.py`), so shredding
a session is destroying one key: what the person said and was answered in it
becomes "[erased]", the structure stays for analytics, and who the person is
(their subject key) stays while they are still a user. A session is over when it
was closed, or when it has been idle longer than the idle timeout (the next
message would close it). Snapshots of the conversation, which may hold content
of that session, are deleted with it: the next load replays the log.

The job works in batches, each its own transaction: stopped at any point, the
next run carries on; run twice, it finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from application.event_store import ConversationStore
from infrastructure.database import Database, Row
from infrastructure.keys.sql_keyring import SqlKeyring
from infrastructure.subjects.snapshots import delete_snapshots

REASON = "retention"
_BATCH = 500


@dataclass(frozen=True)
class RetentionStatus:
    retention_days: float | None
    cutoff: datetime | None
    sessions_due: int  # over before the cut-off, with their key still live
    sessions_shredded: int  # by retention, ever
    last_run_finished_at: datetime | None


class Retention:
    def __init__(
        self,
        database: Database,
        keyring: SqlKeyring,
        store: ConversationStore,
        clock: Callable[[], datetime],
        retention_days: float | None,
        idle_timeout: timedelta,
    ) -> None:
        self._database = database
        self._keyring = keyring
        self._store = store
        self._clock = clock
        self._days = retention_days
        self._idle = idle_timeout

    def cutoff(self) -> datetime | None:
        return None if self._days is None else self._clock() - timedelta(days=self._days)

    def status(self) -> RetentionStatus:
        cutoff = self.cutoff()
        due = len(self._due(cutoff, limit=None)) if cutoff is not None else 0
        # Sessions, not keys: a session's late closing event may have had a key of its own.
        shredded = self._database.fetch_one(
            "SELECT count(*) AS n FROM (SELECT DISTINCT conversation_id, scope FROM subject_keys "
            "WHERE shred_reason = %s) AS shredded",
            (REASON,),
        )
        last = self._database.fetch_one(
            "SELECT max(finished_at) AS at FROM retention_runs WHERE finished_at IS NOT NULL"
        )
        return RetentionStatus(
            self._days,
            cutoff,
            due,
            int(shredded["n"]) if shredded else 0,
            _datetime(last["at"]) if last and last["at"] else None,
        )

    def run(self, progress: Callable[[int, int], None] = lambda _done, _total: None) -> int:
        """Shreds every session due; returns how many. `progress(done, total)` after each batch."""
        cutoff = self.cutoff()
        if cutoff is None:
            return 0
        run_id, started = uuid4(), self._clock()
        with self._database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO retention_runs (run_id, cutoff, started_at) VALUES (%s, %s, %s)",
                (run_id, cutoff, started),
            )
        total = len(self._due(cutoff, limit=None))
        done = 0
        progress(0, total)
        while batch := self._due(cutoff, limit=_BATCH):
            done += self._shred(batch)
            progress(min(done, total), total)
        with self._database.transaction() as cursor:
            cursor.execute(
                "UPDATE retention_runs SET finished_at = %s, sessions_shredded = %s WHERE run_id = %s",
                (self._clock(), done, run_id),
            )
        return done

    def _shred(self, batch: list[Row]) -> int:
        by_conversation: dict[UUID, list[str]] = {}
        for row in batch:
            by_conversation.setdefault(_uuid(row["conversation_id"]), []).append(str(row["scope"]))
        shredded = 0
        with self._database.transaction() as cursor:
            for conversation_id, scopes in by_conversation.items():
                shredded += self._keyring.shred(cursor, conversation_id, REASON, scopes)
                delete_snapshots(cursor, self._store, conversation_id)
        for conversation_id in by_conversation:
            self._store.forget_cached(conversation_id)
        return shredded

    def _due(self, cutoff: datetime, limit: int | None) -> list[Row]:
        """Live session keys whose session was over before the cut-off."""
        # Joined on the live-key index (conversation, scope); no order, so each batch stops at
        # its limit instead of sorting every due key first: the ones shredded drop out.
        query = (
            "SELECT k.conversation_id, k.scope FROM sessions s "
            "JOIN subject_keys k ON k.conversation_id = s.conversation_id "
            " AND k.scope = CAST(s.session_id AS text) AND k.wrapped IS NOT NULL "
            "WHERE s.closed_at < %s OR (s.closed_at IS NULL AND s.last_activity_at < %s)"
        )
        params: list[object] = [cutoff, cutoff - self._idle]
        if limit is not None:
            query += " LIMIT %s"
            params.append(limit)
        return self._database.fetch_all(query, params)


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
