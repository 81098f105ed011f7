"""Telegram end to end: updates with the secret token in, messages and press answers out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.bootstrap import Container
from tests.channels import Wired, wired
from tests.provider_payloads import (
    KARIM_TELEGRAM,
    post_telegram,
    post_whatsapp,
    tg_message,
    tg_press,
    wa_text,
    whatsapp_notification,
)
from tests.turns import KARIM, log_size, named, recorded


@pytest.fixture
def telegram(container: Container) -> Iterator[Wired]:
    with wired(container) as wiring:
        yield wiring


def send(client: TestClient, update: dict[str, Any]) -> dict[str, Any]:
    response = post_telegram(client, update)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def keyboard(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [row[0] for row in message["reply_markup"]["inline_keyboard"]]


def test_the_scenario_over_telegram_with_an_inline_keyboard(container: Container, telegram: Wired) -> None:
    client, worker, fake = telegram
    assert send(client, tg_message("Bonjour")) == {"handled": True, "duplicate": False}
    worker.catch_up()
    (greeting,) = fake.sent("telegram", "sendMessage")
    assert greeting["chat_id"] == str(KARIM_TELEGRAM)
    assert greeting["text"].startswith("Bonjour Karim")
    menu = keyboard(greeting)
    assert all(len(button["callback_data"].encode()) <= 64 for button in menu)

    sites_button = next(b for b in menu if b["callback_data"] == "menu.sites")
    send(client, tg_press("menu.sites", menu))
    worker.catch_up()
    sites = fake.sent("telegram", "sendMessage")[-1]
    assert sites["text"].startswith("Vos chantiers (4)")
    assert len(fake.sent("telegram", "answerCallbackQuery")) == 1, "a press is answered"

    site_buttons = keyboard(sites)
    tilleuls = next(b for b in site_buttons if b["callback_data"] == "project.P-TIL")
    send(client, tg_press("project.P-TIL", site_buttons))
    worker.catch_up()
    tasks = fake.sent("telegram", "sendMessage")[-1]
    assert tasks["text"].startswith("Résidence Les Tilleuls")
    assert len(fake.sent("telegram", "answerCallbackQuery")) == 2

    # A linked Telegram account is the subcontractor: the same conversation and session.
    events = recorded(container, KARIM)
    assert len(named(events, "SessionOpened")) == 1
    presses = named(events, "ButtonPressed")
    assert [(p.choice_id, p.title) for p in presses] == [
        ("menu.sites", sites_button["text"]),
        ("project.P-TIL", tilleuls["text"]),
    ]


def test_whatsapp_and_telegram_share_one_conversation(container: Container, telegram: Wired) -> None:
    client, worker, fake = telegram
    assert post_whatsapp(client, whatsapp_notification([wa_text("wamid.1", "Bonjour")])).status_code == 200
    send(client, tg_message("mes chantiers"))
    worker.catch_up()
    assert len(fake.sent("whatsapp", "messages")) == len(fake.sent("telegram", "sendMessage")) == 1
    events = recorded(container, KARIM)
    assert len(named(events, "SessionOpened")) == 1
    assert [e.channel for e in named(events, "ReplySent")] == ["whatsapp", "telegram"]


def test_an_update_delivered_again_is_one_turn_and_one_send(container: Container, telegram: Wired) -> None:
    client, worker, fake = telegram
    update = tg_message("Bonjour")
    send(client, update)
    worker.catch_up()
    size = log_size(container)
    assert send(client, update) == {"handled": True, "duplicate": True}
    worker.catch_up()
    assert log_size(container) == size
    assert len(fake.sent("telegram", "sendMessage")) == 1


def test_an_unlinked_account_is_told_it_is_not_registered_in_its_language(
    container: Container, telegram: Wired
) -> None:
    client, worker, fake = telegram
    send(client, tg_message("Bonjour", user_id=999_999, language="fr"))
    send(client, tg_message("Hello", user_id=888_888, language="en-GB"))
    worker.catch_up()
    # Two conversations: sent in parallel, in either order.
    english, french = sorted(fake.sent("telegram", "sendMessage"), key=lambda m: str(m["chat_id"]))
    assert (french["chat_id"], english["chat_id"]) == ("999999", "888888")
    assert "pas enregistré" in french["text"]
    assert "not registered" in english["text"]
    events = list(container.store.events.get(container.audit.resolve("telegram:999999")))
    assert len(named(events, "SenderNotRegistered")) == 1
    assert recorded(container, KARIM) == []


def test_a_photo_and_an_edit_are_each_handled_on_purpose(container: Container, telegram: Wired) -> None:
    client, worker, fake = telegram
    photo = tg_message("x")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 90, "height": 90}]
    send(client, photo)
    edited = tg_message("Bonjour")
    edited["edited_message"] = edited.pop("message")
    assert send(client, edited) == {"handled": True, "duplicate": False}
    channel_post = tg_message("Bonjour")
    channel_post["channel_post"] = channel_post.pop("message")
    size = log_size(container)
    assert send(client, channel_post) == {"handled": False, "duplicate": False}
    assert log_size(container) == size
    worker.catch_up()
    which_site, edit = fake.sent("telegram", "sendMessage")
    assert which_site["text"].startswith("Bien reçu 📷 Sur quel chantier")
    assert "« Bonjour »" in edit["text"]
    assert [e.kind for e in named(recorded(container), "MediaReceived")] == ["image"]
    assert [e.kind for e in named(recorded(container), "OtherMessageReceived")] == ["edited"]


GOOD = json.dumps(tg_message("Bonjour", update_id=1)).encode()


@pytest.mark.parametrize(
    ("body", "secret", "content_type", "status"),
    [
        (GOOD, None, "application/json", 401),
        (GOOD, "wrong-secret", "application/json", 403),
        (GOOD[:-5], "telegram-secret-token", "application/json", 400),
        (GOOD, "telegram-secret-token", "application/x-www-form-urlencoded", 415),
        (b'{"message": {"text": "hi"}}', "telegram-secret-token", "application/json", 422),
        (b"[1, 2]", "telegram-secret-token", "application/json", 422),
    ],
    ids=["no-secret", "wrong-secret", "truncated", "wrong-content-type", "no-update-id", "not-an-object"],
)
def test_bad_requests_are_refused_with_nothing_written(
    container: Container, telegram: Wired, body: bytes, secret: str | None, content_type: str, status: int
) -> None:
    client, worker, fake = telegram
    headers = {"content-type": content_type}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    response = client.post("/webhooks/telegram", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert log_size(container) == 0
    assert worker.catch_up() == 0
    assert fake.received() == []


def test_unconfigured_telegram_refuses_webhooks_unless_insecure(container: Container) -> None:
    from api.app import create_app

    with TestClient(create_app(container)) as client:
        assert post_telegram(client, tg_message("Bonjour"), secret=None).status_code == 403
    assert log_size(container) == 0
    container.settings = container.settings.model_copy(update={"insecure_webhooks": True})
    with TestClient(create_app(container)) as client:
        assert post_telegram(client, tg_message("Bonjour"), secret=None).status_code == 200
    assert len(named(recorded(container), "ReplySent")) == 1
