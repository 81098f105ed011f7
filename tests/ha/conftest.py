"""The three-node cluster for the `ha` tests: one per session, healed before each test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from infrastructure.bootstrap import migrate
from infrastructure.settings import Settings
from tests import postgres
from tests.ha_cluster import Cluster, ClusterError, cluster_problem, running_cluster

# CI sets it: a cluster that cannot start fails the run instead of skipping these tests.
REQUIRED = os.environ.get("CONVO_TEST_REQUIRE_HA", "") not in ("", "0", "false", "no")


def _cannot(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"the PostgreSQL cluster is required here: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def ha_cluster() -> Iterator[Cluster]:
    problem = cluster_problem()
    if problem is not None:
        _cannot(problem)
    try:
        with running_cluster() as cluster:
            yield cluster
    except ClusterError as error:
        _cannot(f"the cluster did not start: {error}")


@pytest.fixture
def cluster(ha_cluster: Cluster) -> Cluster:
    """All three nodes up, a leader and a synchronous standby, whatever the last test killed."""
    ha_cluster.heal()
    return ha_cluster


@pytest.fixture
def cluster_url(cluster: Cluster) -> Iterator[str]:
    """A fresh, migrated database on the cluster, named by the multi-host URL."""
    with postgres.scratch_database("convo_ha", server_url=cluster.url()) as url:
        migrate(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        yield url
