"""The seed's quick test with a coffee break between every step, through each channel's webhook."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from infrastructure.bootstrap import Container
from infrastructure.channels.twilio.webhook import signature
from tests.channels import Wired, wired
from tests.conftest import FakeClock
from tests.provider_payloads import (
    post_telegram,
    post_whatsapp,
    tg_message,
    tg_press,
    wa_button_reply,
    wa_list_reply,
    wa_text,
    whatsapp_notification,
)
from tests.turns import KARIM, named, recorded


def pause(clock: FakeClock) -> None:
    clock.advance(minutes=61)  # longer than the idle timeout


def assert_one_session_per_pause_and_always_understood(container: Container, steps: int) -> None:
    events = recorded(container, KARIM)
    assert len(named(events, "SessionOpened")) == steps
    assert not named(events, "DirectActionFailed")
    replies = [e.reply["text"] for e in named(events, "ReplySent")]
    assert not [text for text in replies if "pas compris" in text]


@pytest.fixture
def channels(container: Container) -> Iterator[Wired]:
    with wired(container) as wiring:
        yield wiring


def test_over_whatsapp(container: Container, clock: FakeClock, channels: Wired) -> None:
    client, worker, fake = channels

    def send(message: dict[str, Any]) -> dict[str, Any]:
        response = post_whatsapp(client, whatsapp_notification([message]))
        assert response.status_code == 200, response.text
        worker.catch_up()
        sent: dict[str, Any] = fake.sent("whatsapp", "messages")[-1]
        return sent

    send(wa_text("wamid.p1", "Bonjour"))
    pause(clock)
    sites = send(wa_button_reply("wamid.p2", "menu.sites", "Mes chantiers"))
    assert sites["interactive"]["type"] == "list"
    pause(clock)
    tasks = send(wa_list_reply("wamid.p3", "project.P-TIL", "Résidence Les Tilleuls"))
    assert tasks["interactive"]["body"]["text"].startswith("Résidence Les Tilleuls — vos tâches (4)")
    pause(clock)
    task = send(wa_text("wamid.p4", "3"))
    assert task["interactive"]["body"]["text"].startswith("Prises et interrupteurs B")
    assert_one_session_per_pause_and_always_understood(container, 4)


def test_over_telegram_with_inline_keyboards_and_numbered_ids(
    container: Container, clock: FakeClock, channels: Wired
) -> None:
    client, worker, fake = channels

    def send(update: dict[str, Any]) -> dict[str, Any]:
        response = post_telegram(client, update)
        assert response.status_code == 200, response.text
        worker.catch_up()
        sent: dict[str, Any] = fake.sent("telegram", "sendMessage")[-1]
        return sent

    def keyboard(message: dict[str, Any]) -> list[dict[str, Any]]:
        return [row[0] for row in message["reply_markup"]["inline_keyboard"]]

    greeting = send(tg_message("Bonjour"))
    pause(clock)
    sites = send(tg_press("menu.sites", keyboard(greeting)))
    assert sites["text"].startswith("Vos chantiers (4)")
    pause(clock)
    tasks = send(tg_press("project.P-TIL", keyboard(sites)))
    assert tasks["text"].startswith("Résidence Les Tilleuls — vos tâches (4)")
    pause(clock)
    # Ids longer than Telegram's 64 bytes go out as "#n": the n-th choice of the list on screen.
    task = send(tg_press("#3", keyboard(tasks)))
    assert task["text"].startswith("Prises et interrupteurs B")
    assert_one_session_per_pause_and_always_understood(container, 4)


TWILIO_TOKEN = "twilio-auth-token"
TWILIO_URL = "https://bot.example.com/webhooks/twilio"


def test_over_twilio_with_numbers_in_twiml(container: Container, clock: FakeClock) -> None:
    container.settings = container.settings.model_copy(
        update={"twilio_auth_token": SecretStr(TWILIO_TOKEN), "twilio_webhook_url": TWILIO_URL}
    )
    with TestClient(create_app(container)) as client:

        def send(sid: str, body: str) -> str:
            params = [("MessageSid", sid), ("From", f"whatsapp:{KARIM}"), ("NumMedia", "0"), ("Body", body)]
            headers = {
                "content-type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature(TWILIO_URL, params, TWILIO_TOKEN),
            }
            response = client.post("/webhooks/twilio", content=urlencode(params), headers=headers)
            assert response.status_code == 200, response.text
            return ElementTree.fromstring(response.text).findtext("Message") or ""

        assert "1. Mes chantiers" in send("SMp1", "Bonjour")
        pause(clock)
        assert "Vos chantiers (4)" in send("SMp2", "1")
        pause(clock)
        assert send("SMp3", "4").startswith("Résidence Les Tilleuls — vos tâches (4)")
    assert_one_session_per_pause_and_always_understood(container, 3)
