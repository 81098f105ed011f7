"""Erasure racing the person's own turns, from two processes on PostgreSQL.

Whatever the interleaving: no turn fails, nothing of the erased subject stays
readable (in the log or the read models), and nothing of the new subject that
starts on the same number is written with a key the erasure destroys.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any
from uuid import UUID

import pytest

from application.event_log.records import EventRecord, decode_state
from application.sealing import CLEAR_FIELDS, ERASED
from application.transcoding import SEALED
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container, build
from infrastructure.database_errors import DatabaseUnavailableError
from infrastructure.settings import Settings
from tests.conftest import postgres_settings
from tests.postgres import scratch_database
from tests.turns import KARIM, say
from tests.workers import Delivery, talk_through_erasure, warmed_up

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

WORKERS = 2
ROUNDS = 6
SCRIPT: list[dict[str, Any]] = [
    {"text": "mes chantiers"},
    {"text": "problème : fuite chez Zorglub"},
    {"text": "tilleuls"},
    {"text": "Bonjour"},
    {"button": ["project.P-TIL", "Résidence Les Tilleuls"]},
    {"text": "2"},
    {"text": "c'est fait"},
    {"text": "aide"},
]


def scripts(round_: int) -> list[list[Delivery]]:
    """Each process types its own messages; every third one also reaches the other (a redelivery)."""
    played: list[list[Delivery]] = []
    for worker in range(WORKERS):
        own = [
            {"message_id": f"race-{round_}-{worker}-{n}", "sender": KARIM, **step}
            for n, step in enumerate(SCRIPT)
        ]
        played.append(own)
    for n in range(0, len(SCRIPT), 3):
        played[1].insert(n, dict(played[0][n]))
    return played


@pytest.fixture
def database_url(postgres_server: None) -> Iterator[str]:
    with scratch_database() as url:
        yield url


def test_erasure_racing_the_persons_turns_from_two_processes(database_url: str) -> None:
    settings = postgres_settings(database_url)
    container = build(settings)
    rng = random.Random(20261124)
    context = multiprocessing.get_context("spawn")
    interleaved = 0
    checked = 0  # the log's last version at the previous round's check
    try:
        with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as pool:
            assert len(set(pool.map(warmed_up, [database_url] * WORKERS))) == WORKERS
            for round_ in range(ROUNDS):
                say(container.service, "Bonjour", message_id=f"prime-{round_}")  # something to erase
                start_at = time.time() + 1.0
                futures = [
                    pool.submit(
                        talk_through_erasure, database_url, script, start_at, seed=round_ * 10 + worker
                    )
                    for worker, script in enumerate(scripts(round_))
                ]
                with projections_running(settings):
                    # Anywhere from before the first turn to after the last.
                    time.sleep(max(0.0, start_at - time.time()) + rng.uniform(0.0, 0.6))
                    container.eraser().forget(KARIM, f"ticket-{round_}")
                    runs = [future.result(timeout=60) for future in futures]
                failed = [r["error"] for run in runs for r in run["results"] if "error" in r]
                assert not failed, "\n".join(failed)
                before, after, checked = check_the_log_and_read_models(settings, checked)
                interleaved += bool(before and after)
    finally:
        container.close()
    # Turns of the race landed on both sides of the erasure in some round, or the test proved little.
    assert interleaved, "no round had turns both before and after the erasure"


class projections_running:  # noqa: N801 (used as a context manager)
    """The projections follow the log meanwhile, as `convo serve` does: they meet `Erased` too."""

    def __init__(self, settings: Settings) -> None:
        self._container = build(settings)
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._container.projections.catch_up()
                except DatabaseUnavailableError as error:
                    # The erasure deletes the rows a projection may be writing: PostgreSQL aborts
                    # one of the two, and, as in `convo serve`, the projection's batch runs again.
                    if "deadlock detected" not in str(error):
                        raise
                time.sleep(0.01)
        except BaseException as error:  # reported by __exit__
            self._errors.append(error)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(30)
        self._container.close()
        if self._errors:
            raise self._errors[0]


def check_the_log_and_read_models(settings: Settings, since: int) -> tuple[int, int, int]:
    """Read by a process with nothing cached; returns how many of the round's messages (after
    version `since`) landed before and after its erasure, and the log's last version."""
    container = build(settings)
    try:
        conversation_id = conversation_id_for(KARIM)
        records = container.audit.events(conversation_id, limit=100_000).items
        erased_at = max(r.version for r in records if r.type == "Erased")
        old = [r for r in records if r.version <= erased_at]
        new = [r for r in records if r.version > erased_at]

        # Nothing before the erasure opens; everything after it does, as a new subject.
        leaks = [(r.version, r.type, text) for r in old for text in personal_strings(r) if text != ERASED]
        assert not leaks, f"readable after erasure: {leaks}"
        if new:
            assert new[0].type == "Restarted", [r.type for r in new]
            assert new[0].payload["contact"] == KARIM
            said = [r for r in new if r.type == "MessageReceived"]
            assert said and all(r.payload["text"] != ERASED for r in said), said

        no_event_sealed_with_a_destroyed_key(container, conversation_id, erased_at)
        container.projections.catch_up()
        only_the_new_subject_in_read_models(container, conversation_id, new)
        race = [r for r in records if r.version > since and r.type in ("MessageReceived", "ButtonPressed")]
        landed_after = sum(1 for r in race if r.version > erased_at)
        landed_before = sum(1 for r in race if r.version <= erased_at) - 1  # less the priming message
        return landed_before, landed_after, records[-1].version
    finally:
        container.close()


def personal_strings(record: EventRecord) -> Iterator[str]:
    def walk(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in CLEAR_FIELDS:
                    yield from walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)

    return walk({k: v for k, v in record.payload.items() if k not in CLEAR_FIELDS})


def no_event_sealed_with_a_destroyed_key(container: Container, conversation_id: UUID, erased_at: int) -> None:
    keys = {
        UUID(str(row["key_id"])): row["wrapped"] is None
        for row in container.database.fetch_all(
            "SELECT key_id, wrapped FROM subject_keys WHERE conversation_id = %s", (conversation_id,)
        )
    }
    old: set[UUID] = set()
    new: set[UUID] = set()
    others: list[tuple[UUID, int, UUID]] = []  # receipts, deliveries: other aggregates of the person
    for row in container.database.fetch_all(
        "SELECT originator_id, originator_version, state FROM convo_events"
    ):
        state = decode_state(container.store.mapper, bytes(row["state"]))
        if SEALED not in state:
            continue
        key = UUID(state[SEALED]["k"])
        originator, version = UUID(str(row["originator_id"])), int(row["originator_version"])
        if originator == conversation_id:
            assert key in keys, f"version {version} is sealed with a key of someone else"
            (old if version <= erased_at else new).add(key)
            assert keys[key] == (version <= erased_at), (
                f"version {version} (erased at {erased_at}) is sealed with a "
                f"{'destroyed' if keys[key] else 'live'} key"
            )
        elif key in keys:
            others.append((originator, version, key))
    assert not old & new, "the new subject writes with a key of the erased one"
    for originator, version, key in others:
        assert key in old | new, f"{originator}@{version} is sealed with a key no conversation event uses"
        assert keys[key] == (key in old), (
            f"{originator}@{version}: its key outlived, or died with, the wrong subject"
        )


def only_the_new_subject_in_read_models(
    container: Container, conversation_id: UUID, new: list[EventRecord]
) -> None:
    database = container.database
    params = (conversation_id,)
    new_sessions = {r.session_id for r in new if r.type == "SessionOpened"}
    sessions = database.fetch_all(
        "SELECT session_id, contact FROM sessions WHERE conversation_id = %s", params
    )
    assert {str(row["session_id"]) for row in sessions} == new_sessions
    assert {row["contact"] for row in sessions} <= {KARIM}
    conversations = database.fetch_all("SELECT contact FROM conversations WHERE conversation_id = %s", params)
    assert [row["contact"] for row in conversations] == ([KARIM] if new else [])
    days = database.fetch_all("SELECT day FROM daily_active_conversations WHERE conversation_id = %s", params)
    active = {r.timestamp.date() for r in new if r.type in ("MessageReceived", "ButtonPressed")}
    assert {row["day"] for row in days} == active
    first_new = new[0].version if new else None
    attention = database.fetch_all("SELECT version FROM attention WHERE conversation_id = %s", params)
    assert all(first_new is not None and row["version"] >= first_new for row in attention), attention
