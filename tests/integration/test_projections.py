"""Projections: exactly once, resumable, rebuildable, and equal to a rebuild whatever happened."""

from __future__ import annotations

import csv
import io
import random
import threading
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from infrastructure.bootstrap import Container, build
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS
from infrastructure.projections.runner import ProjectionRunner
from infrastructure.settings import Settings
from tests.conftest import FakeClock
from tests.projections import views
from tests.turns import JAMES, KARIM, press, say
from tests.workload import random_workload


def rebuild_all(container: Container, batch_size: int = 50) -> None:
    for projection in PROJECTIONS.values():
        rebuild(container.database, container.store, projection, batch_size=batch_size)


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_equals_rebuild_after_a_random_workload(
    container: Container, clock: FakeClock, seed: int
) -> None:
    rng = random.Random(seed)
    for _ in range(4):
        random_workload(container.service, clock, seed=rng.randint(0, 10**6), turns=40)
        runner = ProjectionRunner(container.database, container.store, batch_size=rng.randint(1, 60))
        assert runner.catch_up() > 0
    incremental = views(container.database)
    assert incremental["sessions"], "the workload opened sessions"
    rebuild_all(container, batch_size=rng.randint(5, 200))
    assert views(container.database) == incremental
    assert container.analytics.contacts_with_several_open_sessions() == []


def test_counts_are_what_the_turns_did(container: Container, clock: FakeClock) -> None:
    service = container.service
    say(service, "Bonjour")
    press(service, "menu.sites", "Mes chantiers")
    press(service, "weird", "???")  # a failed direct action, unrecognised by the pipeline
    say(service, "hi", sender=JAMES)
    clock.advance(hours=2)
    say(service, "mes chantiers")  # rolls Karim's session over
    container.projections.catch_up()

    sessions = container.analytics.sessions(since=None, until=None, contact=KARIM, open_only=False, limit=10)
    assert [(s["messages"], s["presses"], s["fallbacks"], s["close_reason"]) for s in sessions] == [
        (1, 2, 1, "idle_timeout"),
        (1, 0, 0, None),
    ]
    assert sessions[0]["duration_seconds"] == pytest.approx(3600.0)
    [day] = container.analytics.daily(None, None)
    assert (day["active_conversations"], day["sessions"], day["messages"], day["presses"]) == (2, 3, 3, 2)
    assert (day["direct_action_failures"], day["turns"], day["unrecognised"]) == (1, 5, 1)
    assert day["direct_action_success_rate"] == 0.5
    assert day["fallback_rate"] == 0.2


def test_a_failing_tool_is_counted_as_a_failure(container: Container) -> None:
    service = container.service
    say(service, "mes chantiers")
    with container.database.transaction() as cursor:  # the site is taken away meanwhile
        cursor.execute("DELETE FROM assignments WHERE subcontractor_id = 'S-001' AND project_id = 'P-JAU'")
    press(service, "project.P-JAU", "Groupe scolaire Jean Jaurès")
    container.projections.catch_up()
    usage = {
        row["tool"]: (row["calls"], row["failures"])
        for row in container.database.fetch_all("SELECT * FROM tool_usage")
    }
    # The press failed and was refused: the site is no longer theirs.
    assert usage["list_tasks"] == (1, 1)
    assert usage["list_sites"] == (1, 0)


def test_an_interrupted_rebuild_leaves_the_live_view_untouched(
    container: Container, clock: FakeClock
) -> None:
    random_workload(container.service, clock, seed=5, turns=60)
    container.projections.catch_up()
    live = views(container.database)

    def interrupt(position: int, head: int) -> None:
        if position > head // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild(
            container.database, container.store, PROJECTIONS["sessions"], batch_size=10, progress=interrupt
        )
    assert views(container.database) == live
    # Running it again starts cleanly and ends with the same view.
    rebuild(container.database, container.store, PROJECTIONS["sessions"], batch_size=10)
    assert views(container.database) == live


def test_two_followers_of_one_projection_apply_each_event_once(settings: Settings, clock: FakeClock) -> None:
    first, second = build(settings, clock=clock), build(settings, clock=clock)
    try:
        random_workload(first.service, clock, seed=9, turns=80)
        runners = [
            ProjectionRunner(c.database, c.store, batch_size=size) for c, size in ((first, 7), (second, 11))
        ]
        threads = [threading.Thread(target=runner.catch_up) for runner in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        racing = views(first.database)
        rebuild_all(first)
        assert views(first.database) == racing
    finally:
        first.close()
        second.close()


def test_status_shows_position_head_and_lag(container: Container) -> None:
    say(container.service, "Bonjour")
    before = {s.name: s for s in container.projections.status()}
    assert all(s.position == 0 and s.lag == s.head > 0 for s in before.values())
    container.projections.catch_up()
    after = container.projections.status()
    assert all(s.lag == 0 and s.position == s.head for s in after)


def test_analytics_and_projection_endpoints(container: Container, client: TestClient) -> None:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr("t")})
    auth = {"Authorization": "Bearer t"}
    say(container.service, "Bonjour")
    press(container.service, "menu.sites", "Mes chantiers")
    status = client.get("/projections", headers=auth).json()["items"]
    assert {s["name"] for s in status} == set(PROJECTIONS)
    assert all(s["lag"] > 0 for s in status)

    started = client.post("/projections/sessions/rebuild", headers=auth)
    assert started.status_code == 202
    deadline = time.monotonic() + 20
    while client.get("/projections", headers=auth).json()["items"][0]["rebuild"]["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    sessions_status = next(
        s for s in client.get("/projections", headers=auth).json()["items"] if s["name"] == "sessions"
    )
    assert sessions_status["rebuild"]["state"] == "done"
    assert sessions_status["lag"] == 0
    assert client.post("/projections/nope/rebuild", headers=auth).status_code == 404

    container.projections.catch_up()
    daily = client.get("/analytics/daily", headers=auth).json()["items"]
    assert daily[0]["messages"] == 1
    assert daily[0]["presses"] == 1
    as_csv = client.get("/analytics/sessions", params={"format": "csv"}, headers=auth)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 1
    assert rows[0]["contact"] == KARIM
    assert rows[0]["presses"] == "1"
    by_accept = client.get("/analytics/daily", headers={**auth, "Accept": "text/csv"})
    assert by_accept.text.splitlines()[0].startswith("day,active_conversations")
    only_open = client.get(
        "/analytics/sessions", params={"open": "true", "subcontractor": "33600000001"}, headers=auth
    )
    assert len(only_open.json()["items"]) == 1


@pytest.mark.postgres
def test_on_postgres_followers_wake_on_notifications_not_polls(postgres_url: str) -> None:
    from tests.conftest import postgres_settings

    settings = postgres_settings(postgres_url, projection_poll_seconds=60)
    container = build(settings)
    following = container.follow_in_background()
    try:
        time.sleep(0.5)  # caught up with the empty log, now waiting for a minute-long poll
        say(container.service, "Bonjour")
        written = time.monotonic()
        while any(s.lag for s in container.projections.status()):
            assert time.monotonic() - written < 10, "a notification should have woken the followers"
            time.sleep(0.02)
        assert container.analytics.sessions(since=None, until=None, contact=KARIM, open_only=True, limit=5)
    finally:
        following.close()
        container.close()


def test_rebuild_while_turns_arrive_and_readers_read(settings: Settings, clock: FakeClock) -> None:
    writer_side, rebuild_side = build(settings, clock=clock), build(settings, clock=clock)
    try:
        random_workload(writer_side.service, clock, seed=21, turns=60)
        rebuild_side.projections.catch_up()
        stop = threading.Event()
        seen_counts: list[int] = []

        def write() -> None:
            for n in range(40):
                say(writer_side.service, "mes chantiers" if n % 2 else "Bonjour", sender=JAMES)

        def read() -> None:
            while not stop.is_set():
                seen_counts.append(len(writer_side.database.fetch_all("SELECT session_id FROM sessions")))

        threads = [threading.Thread(target=write), threading.Thread(target=read)]
        for thread in threads:
            thread.start()
        rebuild(rebuild_side.database, rebuild_side.store, PROJECTIONS["sessions"], batch_size=3)
        threads[0].join()
        stop.set()
        threads[1].join()
        # Readers only ever saw whole views: the number of sessions never went down.
        assert seen_counts == sorted(seen_counts)
        rebuild_side.projections.catch_up()
        caught_up = views(rebuild_side.database)
        rebuild_all(rebuild_side)
        assert views(rebuild_side.database) == caught_up
    finally:
        writer_side.close()
        rebuild_side.close()
