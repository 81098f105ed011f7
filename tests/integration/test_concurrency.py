"""Racing writers on PostgreSQL: real threads in real worker processes, one conversation."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import psycopg
import pytest

from domain.identity import conversation_id_for
from infrastructure.bootstrap import build
from infrastructure.settings import Settings
from tests.conftest import postgres_settings
from tests.turns import KARIM, named
from tests.workers import Delivery, handle_deliveries

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROCESSES = 2
THREADS = 8


def race(url: str, plans: list[list[Delivery]]) -> list[dict[str, Any]]:
    """Runs one plan per process, all starting together; returns every outcome."""
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 4.0  # leaves time for each process to import and connect
    with ProcessPoolExecutor(max_workers=len(plans), mp_context=context) as pool:
        futures = [pool.submit(handle_deliveries, url, plan, THREADS, start_at) for plan in plans]
        return [future.result(timeout=180) for future in futures]


def message_plan(count: int) -> list[Delivery]:
    kinds: list[dict[str, Any]] = [
        {"text": "Bonjour"},
        {"button": ["menu.sites", "Mes chantiers"]},
        {"text": "mes chantiers"},
        {"button": ["project.P-TIL", "Résidence Les Tilleuls"]},
        {"text": "aide"},
        {"text": "2"},
    ]
    return [{"message_id": f"race-{n}", "sender": KARIM, **kinds[n % len(kinds)]} for n in range(count)]


def test_concurrent_turns_presses_and_redeliveries_make_one_session(postgres_url: str) -> None:
    settings = postgres_settings(postgres_url)
    messages = message_plan(40)
    rng = random.Random(7)
    plans = []
    for _ in range(PROCESSES):
        # Every process delivers every message, some twice: redeliveries race
        # across processes and across threads of one process.
        plan = messages + rng.sample(messages, 10)
        rng.shuffle(plan)
        plans.append(plan)

    runs = race(settings.database_url, plans)
    outcomes = [result for run in runs for result in run["results"]]
    assert len(outcomes) == sum(len(plan) for plan in plans)

    by_message: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for outcome in outcomes:
        by_message[outcome["message_id"]].append(outcome)
    assert set(by_message) == {m["message_id"] for m in messages}
    for message_id, answers in by_message.items():
        firsts = [a for a in answers if not a["duplicate"]]
        assert len(firsts) == 1, f"{message_id} handled {len(firsts)} times"
        assert all(a["reply"] == firsts[0]["reply"] for a in answers), f"{message_id} got different replies"
    assert len({o["session_id"] for o in outcomes}) == 1
    assert len({o["conversation_id"] for o in outcomes}) == 1

    container = build(Settings(database_url=settings.database_url, demo_data=False))
    try:
        events = list(container.store.events.get(conversation_id_for(KARIM)))
        # The old system's check, on the read model right after the load: nobody has two open sessions.
        container.projections.catch_up()
        assert container.analytics.contacts_with_several_open_sessions() == []
        open_sessions = container.analytics.sessions(
            since=None, until=None, contact=KARIM, open_only=True, limit=9
        )
        assert len(open_sessions) == 1
        assert open_sessions[0]["messages"] + open_sessions[0]["presses"] == len(messages)
    finally:
        container.close()
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))  # no gap
    assert len(named(events, "Started")) == 1
    assert len(named(events, "SessionOpened")) == 1
    inbound = named(events, "MessageReceived") + named(events, "ButtonPressed")
    assert sorted(e.message_id for e in inbound) == sorted(m["message_id"] for m in messages)
    replies = named(events, "ReplySent")
    assert len(replies) == len(messages)
    # The race really happened: writers in one process lost to the other and retried.
    assert sum(run["conflicts"] for run in runs) > 0


def test_concurrent_first_contact_from_two_processes_creates_one_conversation(postgres_url: str) -> None:
    settings = postgres_settings(postgres_url)
    newcomer = "+33600000077"
    with psycopg.connect(settings.database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO subcontractors (id, phone, name, company, language) "
            "VALUES ('S-077', %s, 'Léa Roux', 'Roux Menuiserie', 'fr')",
            (newcomer,),
        )
    plans = [
        [{"message_id": f"first-{p}-{t}", "sender": newcomer, "text": "Bonjour"} for t in range(THREADS)]
        for p in range(PROCESSES)
    ]
    runs = race(settings.database_url, plans)
    outcomes = [result for run in runs for result in run["results"]]
    assert not any(o["duplicate"] for o in outcomes)
    assert len({o["conversation_id"] for o in outcomes}) == 1
    assert len({o["session_id"] for o in outcomes}) == 1

    # Ids are keyed with the database's own secret: this process may hold another test's.
    build(Settings(database_url=settings.database_url, demo_data=False)).close()
    with psycopg.connect(settings.database_url) as connection:
        rows = connection.execute(
            "SELECT originator_version, topic FROM convo_events "
            "WHERE originator_id = %s ORDER BY originator_version",
            (conversation_id_for(newcomer),),
        ).fetchall()
    topics = [topic.rsplit(".", 1)[-1] for _, topic in rows]
    assert topics.count("Started") == 1
    assert topics.count("SessionOpened") == 1
    assert topics.count("MessageReceived") == PROCESSES * THREADS
    assert [version for version, _ in rows] == list(range(1, len(rows) + 1))
