"""The audit trail answers what the turns did, on both stores, over HTTP."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container
from tests.conftest import API_AUTH, API_TOKEN, FakeClock
from tests.turns import KARIM, press, recorded, say

TOKEN = API_TOKEN
AUTH = API_AUTH


def get(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def scenario(container: Container, clock: FakeClock) -> None:
    service = container.service
    say(service, "Bonjour", message_id="a-1")
    press(service, "menu.sites", "Mes chantiers", message_id="a-2")
    press(service, "gone-payload", "Les Tilleuls", message_id="a-3")  # unknown: falls back
    clock.advance(hours=2)
    say(service, "mes chantiers", message_id="a-4")  # a new session


def test_events_match_what_the_turns_did(audited: Container, client: TestClient, clock: FakeClock) -> None:
    scenario(audited, clock)
    body = get(client, f"/conversations/{KARIM}/events", limit=1000)
    stored = recorded(audited)
    assert [e["version"] for e in body["items"]] == [e.originator_version for e in stored]
    assert [e["type"] for e in body["items"]] == [type(e).__name__ for e in stored]
    assert body["next"] is None
    fallback = [e for e in body["items"] if e["message_id"] == "a-3"]
    assert [e["type"] for e in fallback] == [
        "ButtonPressed", "DirectActionFailed", "IntentClassified", "ToolOutputRecorded", "ReplySent",
    ]  # fmt: skip
    assert fallback[1]["payload"]["reason"] == "unknown_choice"

    # The same conversation by its id, and filters by type and session.
    by_id = get(client, f"/conversations/{conversation_id_for(KARIM)}/events", types="ReplySent")
    assert [e["message_id"] for e in by_id["items"]] == ["a-1", "a-2", "a-3", "a-4"]
    first_session = body["items"][1]["session_id"]
    in_first = get(
        client, f"/conversations/{KARIM}/events", session=first_session, types="MessageReceived,ButtonPressed"
    )
    assert [e["message_id"] for e in in_first["items"]] == ["a-1", "a-2", "a-3"]
    # Times are when events were recorded (their timestamps).
    a4 = next(e for e in body["items"] if e["message_id"] == "a-4")
    later = get(client, f"/conversations/{KARIM}/events", **{"from": a4["timestamp"]})
    assert {e["message_id"] for e in later["items"]} == {"a-4"}
    earlier = get(client, f"/conversations/{KARIM}/events", to=a4["timestamp"])
    assert "a-4" not in {e["message_id"] for e in earlier["items"]}
    assert len(earlier["items"]) + len(later["items"]) == len(stored)


def test_sessions_and_their_counts(audited: Container, client: TestClient, clock: FakeClock) -> None:
    scenario(audited, clock)
    sessions = get(client, f"/conversations/{KARIM}/sessions")["sessions"]
    assert len(sessions) == 2
    first, second = sessions
    assert first["close_reason"] == "idle_timeout"
    assert (first["messages"], first["presses"], first["fallbacks"], first["tool_calls"]) == (1, 2, 1, 2)
    assert second["closed_at"] is None
    assert second["messages"] == 1


def test_time_travel(audited: Container, client: TestClient, clock: FakeClock) -> None:
    scenario(audited, clock)
    then = get(client, f"/conversations/{KARIM}/state", version=5)
    assert then["version"] == 5
    assert then["messages_handled"] == 1
    assert then["offers"].keys() == {"menu.sites", "menu.help"}
    now = get(client, f"/conversations/{KARIM}/state")
    assert now["sessions_opened"] == 2
    assert now["messages_handled"] == 4
    events = get(client, f"/conversations/{KARIM}/events", limit=1000)["items"]
    last_of_a3 = [e for e in events if e["message_id"] == "a-3"][-1]["timestamp"]
    before_idle = get(client, f"/conversations/{KARIM}/state", at=last_of_a3)
    assert before_idle["sessions_opened"] == 1
    assert before_idle["messages_handled"] == 3
    missing = client.get(f"/conversations/{KARIM}/state", params={"version": 999}, headers=AUTH)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_global_feed_pages_with_positions(audited: Container, client: TestClient, clock: FakeClock) -> None:
    scenario(audited, clock)
    say(audited.service, "hi", sender="+447700900001")
    seen: list[dict[str, Any]] = []
    after = 0
    while True:
        page = get(client, "/events", after=after, limit=4)
        if not page["items"]:
            break
        seen.extend(page["items"])
        after = page["next"]
    positions = [e["position"] for e in seen]
    assert positions == sorted(set(positions))
    assert len(seen) == len(recorded(audited)) + len(recorded(audited, "+447700900001"))
    replies = get(client, "/events", types="ReplySent", limit=100)["items"]
    assert len(replies) == 5
    assert client.get("/events", params={"types": "Nope"}, headers=AUTH).status_code == 422


def test_pagination_under_concurrent_writes_neither_skips_nor_repeats(audited: Container) -> None:
    service = audited.service
    say(service, "Bonjour")
    done = threading.Event()

    def write() -> None:
        for n in range(60):
            say(service, "aide" if n % 2 else "mes chantiers")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    versions: list[int] = []
    after = 0
    conversation_id = conversation_id_for(KARIM)
    while True:
        # Read "finished" before the page: an empty page read after the last
        # write really is the end; one read before it may not be.
        finished = done.is_set()
        page = audited.audit.events(conversation_id, after=after, limit=7)
        versions.extend(r.version for r in page.items)
        if page.next_after is not None:
            after = page.next_after
        elif page.items:
            after = page.items[-1].version
        elif finished:
            break
    writer.join()
    assert versions == list(range(1, len(recorded(audited)) + 1))


@pytest.mark.parametrize(
    "url", ["/conversations/+33600000001/events", "/conversations/+33600000001/sessions",
            "/conversations/+33600000001/state", "/events", "/analytics/daily", "/analytics/sessions",
            "/projections"],
)  # fmt: skip
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"}])
def test_everything_but_webhooks_needs_the_token(
    audited: Container, client: TestClient, url: str, headers: dict[str, str]
) -> None:
    say(audited.service, "Bonjour")
    response = client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "a valid bearer token is required"
    assert response.headers["www-authenticate"] == "Bearer"


def test_without_a_configured_token_nothing_is_open(container: Container, client: TestClient) -> None:
    assert container.settings.api_token is None
    assert client.get("/events", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/healthz").status_code == 200


def test_unknown_conversation_is_404(audited: Container, client: TestClient) -> None:
    response = client.get("/conversations/+33611111111/events", headers=AUTH)
    assert response.status_code == 404
    assert client.get("/conversations/not-a-phone/events", headers=AUTH).status_code == 404
