"""WhatsApp Cloud API end to end: signed webhooks in, replies out to a fake Graph API on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from infrastructure.bootstrap import Container
from tests.channels import Wired, wired
from tests.fake_providers import FakeProviders
from tests.provider_payloads import (
    APP_SECRET,
    KARIM_WA_ID,
    VERIFY_TOKEN,
    post_whatsapp,
    wa_button_reply,
    wa_list_reply,
    wa_message,
    wa_status,
    wa_text,
    whatsapp_notification,
)
from tests.turns import KARIM, log_size, named, recorded


@pytest.fixture
def whatsapp(container: Container) -> Iterator[Wired]:
    with wired(container) as wiring:
        yield wiring


def send(client: TestClient, *messages: dict[str, Any]) -> dict[str, Any]:
    response = post_whatsapp(client, whatsapp_notification(list(messages)))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sent_messages(fake: FakeProviders) -> list[dict[str, Any]]:
    return fake.sent("whatsapp", "messages")


def assert_within_meta_limits(message: dict[str, Any]) -> None:
    assert message["messaging_product"] == "whatsapp"
    assert message["to"] == KARIM_WA_ID
    if message["type"] == "text":
        assert 0 < len(message["text"]["body"]) <= 4096
        return
    interactive = message["interactive"]
    assert 0 < len(interactive["body"]["text"]) <= 1024
    if interactive["type"] == "button":
        buttons = interactive["action"]["buttons"]
        assert 1 <= len(buttons) <= 3
        assert all(b["type"] == "reply" and len(b["reply"]["title"]) <= 20 for b in buttons)
        assert all(len(b["reply"]["id"]) <= 256 for b in buttons)
    else:
        assert interactive["type"] == "list"
        assert len(interactive["action"]["button"]) <= 20
        rows = [row for section in interactive["action"]["sections"] for row in section["rows"]]
        assert 1 <= len(rows) <= 10
        assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
        assert all(len(r["id"]) <= 200 for r in rows)


def test_the_scenario_over_whatsapp_with_buttons_and_lists(container: Container, whatsapp: Wired) -> None:
    client, worker, fake = whatsapp
    send(client, wa_text("wamid.1", "Bonjour"))
    send(client, wa_button_reply("wamid.2", "menu.sites", "Mes chantiers"))
    send(client, wa_list_reply("wamid.3", "project.P-TIL", "Résidence Les Tilleuls"))
    assert sent_messages(fake) == [], "the webhook answers before anything is sent"

    assert worker.catch_up() == 3
    greeting, sites, tasks = sent_messages(fake)
    for message in (greeting, sites, tasks):
        assert_within_meta_limits(message)
    assert greeting["interactive"]["type"] == "button"
    assert greeting["interactive"]["body"]["text"].startswith("Bonjour Karim")
    assert sites["interactive"]["type"] == "list"
    assert [r["id"] for r in sites["interactive"]["action"]["sections"][0]["rows"]][-1] == "project.P-TIL"
    assert tasks["interactive"]["body"]["text"].startswith("Résidence Les Tilleuls")
    assert fake.received("whatsapp")[0].headers["authorization"] == "Bearer wa-token"

    events = recorded(container)
    assert len(named(events, "SessionOpened")) == 1
    assert [e.channel for e in named(events, "ReplySent")] == ["whatsapp"] * 3
    assert worker.catch_up() == 0, "nothing is sent twice"
    assert len(sent_messages(fake)) == 3


def test_a_redelivered_message_is_one_turn_and_one_send(container: Container, whatsapp: Wired) -> None:
    client, worker, fake = whatsapp
    first = send(client, wa_text("wamid.same", "Bonjour"))
    worker.catch_up()
    size = log_size(container)  # the turn, and its delivery recorded
    again = send(client, wa_text("wamid.same", "Bonjour"))  # Meta retries for days
    worker.catch_up()
    assert first == again == {"messages": 1, "statuses_recorded": 0}
    assert log_size(container) == size
    assert len(sent_messages(fake)) == 1


def test_every_message_of_a_batch_is_handled_each_kind_in_its_own_way(
    container: Container, whatsapp: Wired
) -> None:
    client, worker, fake = whatsapp
    batch = send(
        client,
        wa_text("wamid.a", "Bonjour"),
        wa_message("wamid.b", "image", image={"id": "img-1", "mime_type": "image/jpeg", "sha256": "x"}),
        wa_message("wamid.c", "location", location={"latitude": 48.85, "longitude": 2.35}),
        wa_message("wamid.d", "button", button={"payload": "menu.sites", "text": "Mes chantiers"}),
    )
    assert batch["messages"] == 4
    worker.catch_up()
    _greeting, image, location, sites = sent_messages(fake)
    assert image["interactive"]["body"]["text"].startswith("Bien reçu 📷 Sur quel chantier")
    assert location["interactive"]["body"]["text"].startswith("Merci pour votre position")
    assert [e.kind for e in named(recorded(container), "MediaReceived")] == ["image"]
    assert len(named(recorded(container), "LocationReceived")) == 1
    assert named(recorded(container), "UnsupportedMessageReceived") == []
    assert [e.choice_id for e in named(recorded(container), "ButtonPressed")] == ["menu.sites"]
    assert sites["interactive"]["type"] == "list"


def test_status_reports_are_recorded_once_and_unknown_ones_write_nothing(
    container: Container, whatsapp: Wired
) -> None:
    client, worker, _ = whatsapp
    send(client, wa_text("wamid.1", "Bonjour"))
    (pending,) = container.audit.deliveries(container.audit.resolve(KARIM))
    assert (pending.outcome, pending.provider_message_ids) == ("pending", [])
    worker.catch_up()
    (delivery,) = container.audit.deliveries(container.audit.resolve(KARIM))
    (wamid,) = delivery.provider_message_ids

    def report(*statuses: dict[str, Any]) -> dict[str, Any]:
        response = post_whatsapp(client, whatsapp_notification(statuses=list(statuses)))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    assert report(wa_status(wamid, "sent"), wa_status(wamid, "delivered"))["statuses_recorded"] == 2
    size = log_size(container)
    assert report(wa_status(wamid, "delivered"))["statuses_recorded"] == 0
    assert report(wa_status("wamid.never-sent", "read"))["statuses_recorded"] == 0
    assert log_size(container) == size
    failed = wa_status(wamid, "failed", errors=[{"code": 131047, "title": "Re-engagement message"}])
    assert report(failed)["statuses_recorded"] == 1

    container.settings = container.settings.model_copy(update={"api_token": SecretStr("t")})
    answer = client.get("/conversations/33600000001/deliveries", headers={"Authorization": "Bearer t"})
    assert answer.status_code == 200, answer.text
    (delivery,) = answer.json()["deliveries"]
    assert (delivery["message_id"], delivery["channel"], delivery["outcome"]) == (
        "wamid.1",
        "whatsapp",
        "delivered",
    )
    assert delivery["provider_message_ids"] == [wamid]
    assert [(s["status"], s["errors"]) for s in delivery["statuses"]] == [
        ("sent", []),
        ("delivered", []),
        ("failed", ["131047 Re-engagement message"]),
    ]


def test_the_verification_handshake(whatsapp: Wired) -> None:
    client, _, _ = whatsapp
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = client.get("/webhooks/whatsapp", params=good)
    assert answer.status_code == 200
    assert answer.text == "1158201444"
    assert answer.headers["content-type"].startswith("text/plain")
    for wrong in ({"hub.verify_token": "guess"}, {"hub.mode": "unsubscribe"}, {"hub.challenge": ""}):
        assert client.get("/webhooks/whatsapp", params={**good, **wrong}).status_code == 403
    assert client.get("/webhooks/whatsapp").status_code == 403


def test_verification_is_refused_without_a_configured_token(container: Container, client: TestClient) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get("/webhooks/whatsapp", params=params).status_code == 403


GOOD = json.dumps(whatsapp_notification([wa_text("wamid.x", "Bonjour")])).encode()


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (GOOD, {"content-type": "application/json"}, 401),
        (GOOD, {"content-type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}, 403),
        (GOOD, {"content-type": "application/json", "X-Hub-Signature-256": "nonsense"}, 403),
        (GOOD[:-7], {"content-type": "application/json", "sign": "truncated"}, 400),
        (GOOD, {"content-type": "text/plain", "sign": "yes"}, 415),
        (
            b'{"object": "whatsapp_business_account"}',
            {"content-type": "application/json", "sign": "yes"},
            422,
        ),
        (
            json.dumps(
                whatsapp_notification([wa_text("wamid.y", "Bonjour", sender="not-a-number")])
            ).encode(),
            {"content-type": "application/json", "sign": "yes"},
            422,
        ),
        (
            json.dumps(whatsapp_notification([wa_message("wamid.z", "text")])).encode(),
            {"content-type": "application/json", "sign": "yes"},
            422,
        ),
    ],
    ids=[
        "no-signature",
        "wrong-signature",
        "malformed-signature",
        "truncated",
        "wrong-content-type",
        "not-a-notification",
        "bad-sender",
        "text-without-text",
    ],
)
def test_bad_requests_are_refused_with_nothing_written(
    container: Container, whatsapp: Wired, body: bytes, headers: dict[str, str], status: int
) -> None:
    client, worker, fake = whatsapp
    headers = dict(headers)
    if headers.pop("sign", None):
        from infrastructure.channels.whatsapp.webhook import signature

        headers["X-Hub-Signature-256"] = signature(body, APP_SECRET)
    size = log_size(container)
    response = client.post("/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert log_size(container) == size
    assert worker.catch_up() == 0
    assert fake.received() == []


def test_a_signature_of_other_bytes_is_refused(container: Container, whatsapp: Wired) -> None:
    client, _, _ = whatsapp
    reformatted = json.dumps(json.loads(GOOD), indent=2).encode()  # same JSON, other bytes
    from infrastructure.channels.whatsapp.webhook import signature

    response = client.post(
        "/webhooks/whatsapp",
        content=reformatted,
        headers={"content-type": "application/json", "X-Hub-Signature-256": signature(GOOD, APP_SECRET)},
    )
    assert response.status_code == 403
    assert log_size(container) == 0


def test_unconfigured_whatsapp_refuses_webhooks(container: Container, client: TestClient) -> None:
    response = post_whatsapp(client, whatsapp_notification([wa_text("wamid.1", "Bonjour")]))
    assert response.status_code == 403
    assert "CONVO_WHATSAPP_APP_SECRET" in response.json()["detail"]
    assert log_size(container) == 0
