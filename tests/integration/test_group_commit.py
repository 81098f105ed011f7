"""Group commit on PostgreSQL: turns that arrive together share a transaction, and fail alone."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.event_store import ConversationStore
from infrastructure.persistence import event_store_env
from tests.conftest import postgres_settings

pytestmark = [pytest.mark.postgres]

CALLERS = 12


@pytest.fixture
def store(postgres_url: str) -> Iterator[ConversationStore]:
    store = ConversationStore(event_store_env(postgres_settings(postgres_url)))
    try:
        yield store
    finally:
        store.close()


def events_of(originator: uuid.UUID, versions: range) -> list[StoredEvent]:
    return [StoredEvent(originator, v, "t", f"{originator}:{v}".encode()) for v in versions]


def insert_while_locked(
    store: ConversationStore, url: str, batches: list[list[StoredEvent]]
) -> list[list[int] | str]:
    """Each batch from its own thread, all started while another transaction holds the table
    lock: they queue up as turns do under load."""

    def insert(batch: list[StoredEvent]) -> list[int] | str:
        try:
            return list(store.recorder.insert_events(batch) or [])
        except IntegrityError as error:
            return f"conflict: {error}"

    with psycopg.connect(url) as blocker, ThreadPoolExecutor(max_workers=len(batches)) as pool:
        blocker.execute("LOCK TABLE convo_events IN EXCLUSIVE MODE")
        futures = [pool.submit(insert, batch) for batch in batches]
        time.sleep(0.5)  # the first insert waits on the lock, the others behind it
        blocker.commit()
        return [future.result(timeout=30) for future in futures]


def recorded(url: str) -> list[tuple[int, uuid.UUID, int, str]]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT notification_id, originator_id, originator_version, xmin::text FROM convo_events "
            "ORDER BY notification_id"
        ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_turns_arriving_together_share_one_transaction_in_notification_order(
    store: ConversationStore, postgres_url: str
) -> None:
    originators = [uuid.uuid4() for _ in range(CALLERS)]
    results = insert_while_locked(store, postgres_url, [events_of(o, range(1, 4)) for o in originators])
    rows = recorded(postgres_url)
    assert len(rows) == 3 * CALLERS
    for originator, ids in zip(originators, results, strict=True):
        assert isinstance(ids, list)
        assert [(r[1], r[2]) for r in rows if r[0] in ids] == [
            (originator, 1),
            (originator, 2),
            (originator, 3),
        ]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    transactions = {r[3] for r in rows}
    assert len(transactions) < CALLERS  # the queued turns shared commits


def test_a_conflict_in_a_shared_transaction_fails_only_its_own_turn(
    store: ConversationStore, postgres_url: str
) -> None:
    taken = uuid.uuid4()
    store.recorder.insert_events(events_of(taken, range(1, 3)))
    fresh = [uuid.uuid4() for _ in range(CALLERS - 1)]
    batches = [events_of(o, range(1, 3)) for o in fresh]
    batches.insert(CALLERS // 2, events_of(taken, range(2, 4)))  # version 2 is taken: a conflict
    results = insert_while_locked(store, postgres_url, batches)
    conflicts = [r for r in results if isinstance(r, str)]
    assert len(conflicts) == 1 and results[CALLERS // 2] == conflicts[0]
    rows = recorded(postgres_url)
    assert [(r[1], r[2]) for r in rows if r[1] == taken] == [(taken, 1), (taken, 2)]
    assert {r[1] for r in rows} == {taken, *fresh}
    assert len(rows) == 2 + 2 * len(fresh)
