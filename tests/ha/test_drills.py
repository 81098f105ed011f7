"""Nodes lost under load, and a planned switchover: nothing acknowledged is lost, nothing is doubled.

Two `convo serve --workers 2`, `convo deliver` and `convo projections run` on the cluster's
multi-host URL, six threads of webhooks with unique message ids, every answer recorded.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from infrastructure.bootstrap import Container, build, migrate
from infrastructure.settings import Settings
from tests import postgres
from tests.ha import figures
from tests.ha.checks import check_drill
from tests.ha.deployment import Deployment, deployed
from tests.ha.load import Load
from tests.ha_cluster import Cluster, Node

pytestmark = [pytest.mark.ha, pytest.mark.slow]

DRILL_SECONDS = 60.0
WRITES_BACK_WITHIN = 5.0


@dataclass(frozen=True)
class Failover:
    lost: str
    started_at: float  # the kill, or the switchover's request (time.monotonic(), as the answers)
    promoted_at: float  # the new primary's promotion: Patroni's log, or PostgreSQL leaving recovery
    writes_back_at: float  # the first acknowledged turn sent after `started_at` was answered

    @property
    def writes_back_after_promotion(self) -> float:
        return self.writes_back_at - self.promoted_at

    def describe(self, load: Load) -> str:
        # The longest time without an acknowledged write around it: the outage as clients saw it.
        ends = sorted(
            a.ended
            for a in load.answers
            if a.acknowledged and self.started_at - 5 <= a.ended <= self.writes_back_at
        )
        quiet = max((b - a for a, b in itertools.pairwise(ends)), default=0.0)
        return (
            f"new primary {self.promoted_at - self.started_at:.1f} s after, writes back "
            f"{self.writes_back_after_promotion:.1f} s after promotion, {quiet:.1f} s without writes"
        )


def fail_over(cluster: Cluster, load: Load, act: Callable[[Node], None]) -> Failover:
    """`act` on the leader (kill it, hand over to another), and measure what follows."""
    leader = cluster.leader()
    promoted: list[float] = []
    # Watching from before the act: a switchover's command returns after the promotion.
    watcher = threading.Thread(target=lambda: promoted.append(cluster.wait_for_promotion(leader.name)))
    watcher.start()
    started_at, started_wall = time.monotonic(), time.time()
    act(leader)
    watcher.join()
    assert promoted, f"no new primary; {cluster.describe()}"
    new_leader = cluster.primary_now()
    assert new_leader is not None
    logged = cluster.promotion_logged(new_leader, since=started_wall)
    # The earlier of the two moments: writes are timed from Patroni's decision when it logged one.
    promoted_at = min(promoted[0], logged - started_wall + started_at if logged else promoted[0])
    return Failover(leader.name, started_at, promoted_at, writes_back(load, started_at, promoted_at))


@pytest.fixture(scope="module")
def deployment(ha_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    ha_cluster.heal()
    with postgres.scratch_database("convo_drill", server_url=ha_cluster.url()) as url:
        migrate(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        read_url = url.replace("target_session_attrs=read-write", "target_session_attrs=prefer-standby")
        with deployed(url, read_url, tmp_path_factory.mktemp("drill-logs")) as running:
            yield running


@pytest.fixture
def reader(deployment: Deployment) -> Iterator[Container]:
    container = build(Settings(_env_file=None, database_url=deployment.database_url, demo_data=False))  # type: ignore[call-arg]
    yield container
    container.close()


def test_two_lost_leaders_under_load_lose_no_acknowledged_message_and_double_none(
    ha_cluster: Cluster, deployment: Deployment, reader: Container
) -> None:
    ha_cluster.heal()
    load = Load(deployment, "kill", series=1)
    load.start()
    try:
        time.sleep(5)
        first = fail_over(ha_cluster, load, ha_cluster.kill)
        rejoin(ha_cluster, ha_cluster.node(first.lost))
        second = fail_over(ha_cluster, load, ha_cluster.kill)
        while time.monotonic() - load.started < DRILL_SECONDS or time.monotonic() - second.writes_back_at < 3:
            time.sleep(0.5)
    finally:
        load.stop()

    refused, slowest = check_drill(deployment, reader, load.answers)
    for failover in (first, second):
        assert failover.writes_back_after_promotion <= WRITES_BACK_WITHIN, failover
    seconds = load.stopped - load.started
    figures.report(
        f"2 leaders killed under load: {len(load.answers)} messages in {seconds:.0f} s, {refused} got 503, "
        f"the slowest answer took {slowest:.1f} s"
    )
    figures.report(f"  kill 1 ({first.lost}): {first.describe(load)}")
    figures.report(f"  kill 2 ({second.lost}): {second.describe(load)}")


def test_a_planned_switchover_under_load(
    ha_cluster: Cluster, deployment: Deployment, reader: Container
) -> None:
    ha_cluster.heal()
    load = Load(deployment, "switch", series=2)
    load.start()
    try:
        time.sleep(3)
        candidate = ha_cluster.sync_standby()
        switched = fail_over(ha_cluster, load, lambda _leader: ha_cluster.switchover(candidate))
        time.sleep(3)
    finally:
        load.stop()

    refused, slowest = check_drill(deployment, reader, load.answers)
    assert switched.writes_back_after_promotion <= WRITES_BACK_WITHIN, switched
    figures.report(
        f"switchover {switched.lost} -> {candidate.name} under load, {len(load.answers)} messages, "
        f"{refused} answered 503, the slowest in {slowest:.1f} s: {switched.describe(load)}"
    )


def writes_back(load: Load, since: float, promoted_at: float) -> float:
    """When the first turn sent after `since` was acknowledged by the new primary."""
    deadline = promoted_at + 30
    while time.monotonic() < deadline:
        acknowledged = [a.ended for a in load.acknowledged_since(since) if a.ended >= promoted_at]
        if acknowledged:
            return min(acknowledged)
        time.sleep(0.1)
    raise AssertionError("writes did not come back")


def rejoin(cluster: Cluster, node: Node, timeout: float = 90.0) -> None:
    """Starts the lost node's Patroni again and waits until it streams from the new primary."""
    cluster.start_node(node)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = {m["name"]: m for m in cluster.members()}.get(node.name)
        if state is not None and state["role"] != "leader" and state["state"] == "streaming":
            return
        time.sleep(0.5)
    raise AssertionError(f"{node.name} did not rejoin; {cluster.describe()}")
