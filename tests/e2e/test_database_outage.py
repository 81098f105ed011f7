"""PostgreSQL stopped under load (`pg_ctl stop -m immediate`, as a crash), then started again.

The real processes on a server of the test's own (tests/throwaway_postgres.py): `convo serve
--workers 2`, `convo deliver` and `convo projections run`, with webhooks from several threads.
While the database is away every webhook is answered within 2 s, 200 or 503 with Retry-After;
within 2 s of it being back turns succeed again; afterwards every message, redelivered as
providers do, has exactly one turn, and the workers, still the same processes, caught up.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrastructure.bootstrap import Container, build, migrate
from infrastructure.settings import Settings
from tests import postgres
from tests.ha.checks import check_drill
from tests.ha.deployment import Deployment, deployed
from tests.ha.load import Load
from tests.throwaway_postgres import ThrowawayServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ANSWERED_WITHIN = 2.0
BACK_WITHIN = 2.0
OUTAGE_SECONDS = 4.0


@pytest.fixture
def deployment(throwaway_postgres: ThrowawayServer, tmp_path: Path) -> Iterator[Deployment]:
    with postgres.scratch_database("convo_outage", server_url=throwaway_postgres.url()) as url:
        migrate(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        with deployed(url, "", tmp_path, servers=1) as running:
            yield running


@pytest.fixture
def reader(deployment: Deployment) -> Iterator[Container]:
    container = build(Settings(_env_file=None, database_url=deployment.database_url, demo_data=False))  # type: ignore[call-arg]
    yield container
    container.close()


def test_a_stopped_database_gets_quick_503s_and_loses_nothing(
    throwaway_postgres: ThrowawayServer, deployment: Deployment, reader: Container
) -> None:
    load = Load(deployment, "outage", series=3, threads=4)
    load.start()
    try:
        time.sleep(3)
        throwaway_postgres.stop_immediately()
        stopped_at = time.monotonic()  # answers to requests sent before may still be 200s
        time.sleep(OUTAGE_SECONDS)
        restarting_at = time.monotonic()
        throwaway_postgres.start()  # returns once the server accepts connections
        back_at = time.monotonic()
        first_turn = first_acknowledged_after(load, back_at, timeout=15)
        time.sleep(2)
    finally:
        load.stop()

    statuses = Counter(a.status for a in load.answers)
    during = [a for a in load.answers if stopped_at <= a.started < restarting_at]
    slowest = max(a.ended - a.started for a in load.answers)
    # 503 is the answer while it is down. A rare 200 right at the stop has been seen once (a turn
    # whose commit beat the stop to the disk): allowed, since the checks below find it exactly once.
    during_statuses = Counter(a.status for a in during)
    assert during and set(during_statuses) <= {200, 503}, during_statuses
    assert during_statuses[503] >= during_statuses[200], during_statuses
    assert slowest <= ANSWERED_WITHIN, f"an answer took {slowest:.1f} s"
    assert first_turn - back_at <= BACK_WITHIN, f"turns came back {first_turn - back_at:.1f} s after"
    check_drill(deployment, reader, load.answers)
    for name, process in deployment.workers.items():
        assert process.poll() is None, f"convo {name} exited"
    print(
        f"PostgreSQL stopped {OUTAGE_SECONDS:.0f} s under load: {len(load.answers)} messages "
        f"{dict(statuses)}, "
        f"the slowest answer {slowest:.2f} s, turns back {first_turn - back_at:.2f} s after it was"
    )


def first_acknowledged_after(load: Load, moment: float, timeout: float) -> float:
    """When the first turn sent after `moment` was answered 200."""
    deadline = moment + timeout
    while time.monotonic() < deadline:
        ends = [a.ended for a in load.acknowledged_since(moment)]
        if ends:
            return min(ends)
        time.sleep(0.05)
    raise AssertionError(f"no turn succeeded within {timeout:.0f} s of the database being back")
