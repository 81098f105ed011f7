"""Projections killed with SIGKILL, a real process at random points, on PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator

import psycopg
import pytest

from infrastructure.bootstrap import Container, build
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS
from tests.conftest import FakeClock, postgres_settings
from tests.projections import views
from tests.servers import convo
from tests.workload import random_workload

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def busy_log(postgres_url: str) -> Iterator[tuple[Container, dict[str, str]]]:
    clock = FakeClock()
    container = build(postgres_settings(postgres_url), clock=clock)
    random_workload(container.service, clock, seed=3, turns=300)
    env = {**os.environ, "CONVO_DATABASE_URL": postgres_url, "CONVO_PROJECTION_BATCH_SIZE": "5"}
    yield container, env
    container.close()


def positions(container: Container) -> dict[str, int]:
    return {s.name: s.position for s in container.projections.status()}


def test_killed_during_catch_up_it_resumes_to_what_a_rebuild_gives(
    busy_log: tuple[Container, dict[str, str]],
) -> None:
    container, env = busy_log
    head = container.store.recorder.max_notification_id() or 0
    rng = random.Random(11)
    partial_kills = 0
    for _ in range(5):
        runner = convo(env, "projections", "run", "--once")
        deadline = time.monotonic() + 30
        target = rng.randint(1, head - 1)
        # Kill it at a random point of the catch-up, not before it started.
        while max(positions(container).values()) < target and runner.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        reached = positions(container)
        partial_kills += any(0 < p < head for p in reached.values())
    assert partial_kills > 0, "no kill landed in the middle of a catch-up"

    finish = convo(env, "projections", "run", "--once")
    assert finish.wait(timeout=120) == 0
    assert set(positions(container).values()) == {head}
    resumed = views(container.database)
    for projection in PROJECTIONS.values():
        rebuild(container.database, container.store, projection, batch_size=100)
    assert views(container.database) == resumed


def test_killed_during_rebuild_the_live_view_is_untouched(busy_log: tuple[Container, dict[str, str]]) -> None:
    container, env = busy_log
    container.projections.catch_up()
    live = views(container.database)
    url = env["CONVO_DATABASE_URL"]
    for _ in range(2):
        rebuilding = convo(env, "projections", "rebuild", "sessions")
        deadline = time.monotonic() + 30
        with psycopg.connect(url, autocommit=True) as connection:
            while True:  # until the copy is partly filled
                assert time.monotonic() < deadline and rebuilding.poll() is None
                exists = connection.execute("SELECT to_regclass('sessions__rebuild')").fetchone()
                if (
                    exists
                    and exists[0]
                    and connection.execute("SELECT count(*) FROM sessions__rebuild").fetchone()[0]
                ):  # type: ignore[index]
                    break
                time.sleep(0.01)
        rebuilding.send_signal(signal.SIGKILL)
        rebuilding.wait()
        assert views(container.database) == live

    again = convo(env, "projections", "rebuild", "sessions")
    assert again.wait(timeout=120) == 0
    assert views(container.database) == live
