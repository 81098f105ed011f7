"""On the cluster, with every node up: writers reach the primary, readers may stay on a standby."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from eventsourcing.persistence import OperationalError, StoredEvent
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.replica_lag import HEADER
from application.event_store import ConversationStore
from infrastructure.bootstrap import build, migrate
from infrastructure.database import PostgresDatabase
from infrastructure.database_errors import PoolExhaustedError, PrimaryUnavailableError
from infrastructure.persistence import read_store_env
from infrastructure.primary import PrimaryPool
from infrastructure.recorders import ConvoPostgresRecorder
from infrastructure.settings import Settings
from tests.ha_cluster import Cluster, Node
from tests.turns import KARIM, say

pytestmark = [pytest.mark.ha, pytest.mark.slow]

API_TOKEN = "ha-api-token"


def settings_of(url: str, **overrides: object) -> Settings:
    return Settings(_env_file=None, database_url=url, demo_data=True, **overrides)  # type: ignore[call-arg, arg-type]


def standbys_first(cluster: Cluster, url: str) -> str:
    """The same URL with the primary named last: libpq tries hosts in order."""
    leader = cluster.leader()
    ordered = [n for n in cluster.nodes if n is not leader] + [leader]
    hosts = ",".join(f"127.0.0.1:{n.port}" for n in ordered)
    first_hosts = ",".join(f"127.0.0.1:{n.port}" for n in cluster.nodes)
    return url.replace(first_hosts, hosts)


def server_port(connection: psycopg.Connection[dict[str, object]]) -> int:
    # The library's connections give rows as dicts.
    row = connection.execute("SELECT inet_server_port() AS port").fetchone()
    assert row is not None
    return int(str(row["port"]))


def a_standby(cluster: Cluster) -> Node:
    leader = cluster.leader()
    return next(n for n in cluster.nodes if n is not leader)


def test_every_writer_reaches_the_primary_when_standbys_are_named_first(
    cluster: Cluster, cluster_url: str
) -> None:
    url = standbys_first(cluster, cluster_url)
    leader_port = cluster.leader().port
    assert migrate(settings_of(url)) == []  # on a standby its ledger could not even be created
    container = build(settings_of(url))
    try:
        outcome = say(container.service, "Bonjour", message_id="first-on-the-primary")
        assert outcome.reply["text"].startswith("Bonjour Karim")
        recorder = container.store.recorder
        assert isinstance(recorder, ConvoPostgresRecorder)
        with recorder.datastore.get_connection() as connection:
            assert server_port(connection) == leader_port
        row = container.database.fetch_one("SELECT inet_server_port() AS port")
        assert row is not None and row["port"] == leader_port
    finally:
        container.close()


def test_a_connection_on_a_standby_is_never_lent_for_writes(cluster: Cluster) -> None:
    standby = a_standby(cluster)
    # Told nothing about the node kind, libpq settles on this standby; the pool must not.
    pool: PrimaryPool[psycopg.Connection[object]] = PrimaryPool(
        standby.dsn(), min_size=1, max_size=1, timeout=1, open=True
    )
    try:
        # Given up on like any wait for a busy pool: a 503, never a retry by the event store library.
        with pytest.raises(PoolExhaustedError):
            pool.getconn()
    finally:
        pool.close()


def test_a_write_that_lands_on_a_standby_is_unavailable_not_an_error(cluster: Cluster) -> None:
    standby = a_standby(cluster)
    database = PostgresDatabase(standby.dsn(), min_size=1, max_size=1, timeout=2, for_writes=False)
    try:
        before = database.fetch_one("SELECT pg_backend_pid() AS pid")
        with pytest.raises(PrimaryUnavailableError, match="read-only"), database.transaction() as cursor:
            cursor.execute("CREATE TABLE nowhere (id int)")
        after = database.fetch_one("SELECT pg_backend_pid() AS pid")
        # The pool's only connection was dropped, not handed to the next caller.
        assert before is not None and after is not None and before["pid"] != after["pid"]
    finally:
        database.close()


def test_an_event_store_insert_on_a_standby_is_retried_and_then_unavailable(
    cluster: Cluster, cluster_url: str
) -> None:
    settings = settings_of(cluster_url)
    store = ConversationStore(read_store_env(settings, cluster_url, "standby"))
    try:
        event = StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="t", state=b"{}")
        # "cannot execute LOCK TABLE during recovery": an OperationalError (a 503), no longer a 500.
        with pytest.raises(OperationalError, match="recovery"):
            store.recorder.insert_events([event])
    finally:
        store.close()


@pytest.fixture
def reading_from_standbys(cluster_url: str) -> Iterator[TestClient]:
    read_url = cluster_url.replace("target_session_attrs=read-write", "target_session_attrs=prefer-standby")
    container = build(
        settings_of(
            cluster_url, read_database_url=read_url, api_token=SecretStr(API_TOKEN), insecure_webhooks=True
        )
    )
    try:
        with TestClient(create_app(container)) as client:
            yield client
    finally:
        container.close()


def test_audit_and_analytics_read_on_a_standby_and_say_how_far_behind(
    reading_from_standbys: TestClient,
) -> None:
    client = reading_from_standbys
    container = client.app.state.container  # type: ignore[attr-defined]
    standby = container.standby
    assert standby is not None and standby.database is not None
    assert container.read_database is standby.database  # what the console lists from
    assert standby.database.fetch_one("SELECT pg_is_in_recovery() AS standby")["standby"] is True
    with standby.store.recorder.datastore.get_connection() as connection:
        assert connection.execute("SELECT pg_is_in_recovery() AS standby").fetchone()["standby"] is True

    turn = client.post(
        "/webhooks/generic", json={"message_id": "read-1", "from": KARIM, "text": "Bonjour"}, headers=auth()
    )
    assert turn.status_code == 200, turn.text
    assert HEADER not in turn.headers  # the turn is the primary's

    deadline = time.monotonic() + 10
    while True:
        events = client.get(f"/conversations/{KARIM}/events", headers=auth())
        assert events.status_code == 200, events.text
        if events.json()["items"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # a moment stale, as said
    assert events.json()["items"], "the standby never showed the turn"
    assert 0 <= float(events.headers[HEADER]) < 5
    analytics = client.get("/analytics/daily", headers=auth())
    assert analytics.status_code == 200
    assert 0 <= float(analytics.headers[HEADER]) < 5


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_TOKEN}"}
