"""One lost primary, seen from one worker: what it answers while no node takes writes, and after."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import Container, build
from infrastructure.settings import Settings
from tests.ha import figures
from tests.ha_cluster import Cluster
from tests.turns import KARIM

pytestmark = [pytest.mark.ha, pytest.mark.slow]

TOKEN = "ha-webhook-token"


def cluster_settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, demo_data=True, insecure_webhooks=True)  # type: ignore[call-arg]


@pytest.fixture
def worker(cluster_url: str) -> Iterator[tuple[TestClient, Container]]:
    container = build(cluster_settings(cluster_url))
    try:
        with TestClient(create_app(container)) as client:
            client.headers["Authorization"] = f"Bearer {TOKEN}"
            yield client, container
    finally:
        container.close()


def post(client: TestClient, message_id: str, text: str = "Bonjour") -> httpx.Response:
    response: httpx.Response = client.post(
        "/webhooks/generic", json={"message_id": message_id, "from": KARIM, "text": text}
    )
    return response


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_while_no_node_takes_writes_turns_get_503_redeliveries_their_receipt_and_writes_resume(
    cluster: Cluster, worker: tuple[TestClient, Container]
) -> None:
    client, container = worker
    first = post(client, "ha-1")
    assert first.status_code == 200, first.text
    waker = container.waker()
    waker.wait(0.1)  # listening on the primary
    old_leader = cluster.leader()

    cluster.kill(old_leader)
    killed_at = time.monotonic()

    # No primary for the next 10 s at least: the leader's lease has not run out yet.
    refused, refused_in = timed(lambda: post(client, "ha-2"))
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused_in < 5.0, "a turn must not hang while there is no primary"

    again, again_in = timed(lambda: post(client, "ha-1"))
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True
    assert again.json()["reply"] == first.json()["reply"]
    assert again_in < 5.0

    assert client.get("/readyz").status_code == 503

    _, polled_in = timed(lambda: waker.wait(1.0))
    assert polled_in < 4.0, "the waker polls while it cannot listen"
    assert cluster.primary_now() is None, "the checks above ran while no node took writes"

    promoted_at = cluster.wait_for_promotion(old_leader.name)
    writes_back_at = None
    n = 3
    while writes_back_at is None:
        answer = post(client, f"ha-{n}")
        assert answer.status_code in (200, 503), answer.text
        if answer.status_code == 200:
            writes_back_at = time.monotonic()
        else:
            assert time.monotonic() - promoted_at < 30, "writes never came back"
        n += 1
    assert writes_back_at - promoted_at <= 5.0
    assert client.get("/readyz").status_code == 200

    # The waker is back on the new primary: the next turn's notification wakes it.
    waker.wait(0.1)
    woken = threading.Event()

    def wait_for_notification() -> None:
        waker.wait(15.0)
        woken.set()

    listener = threading.Thread(target=wait_for_notification)
    listener.start()
    time.sleep(0.2)
    assert post(client, f"ha-{n}").status_code == 200
    assert woken.wait(3.0), "the turn's notification did not wake the waker"
    listener.join()
    waker.close()

    figures.report(
        f"one worker, leader killed: a new turn got 503 in {refused_in:.1f} s, a redelivery its receipt in "
        f"{again_in:.1f} s; new primary after {promoted_at - killed_at:.1f} s, writes back "
        f"{writes_back_at - promoted_at:.1f} s after that"
    )
