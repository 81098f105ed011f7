"""NUL characters (and unpaired surrogates), which PostgreSQL text cannot hold, in what users send.

Providers redeliver what got an error for days, so their channels drop these characters and
handle the message; the generic webhook's client can fix its message, so it gets a 422.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.inbound import Inbound, PressedButton
from infrastructure.bootstrap import Container
from infrastructure.channels.twilio.webhook import signature
from tests.channels import Wired, wired
from tests.generic_webhook import post_generic
from tests.provider_payloads import (
    KARIM_TELEGRAM,
    post_telegram,
    post_whatsapp,
    tg_message,
    wa_button_reply,
    wa_text,
    whatsapp_notification,
)
from tests.turns import KARIM, log_size, named, recorded

TWILIO_TOKEN = "twilio-auth-token"
TWILIO_URL = "https://bot.example.com/webhooks/twilio"


@pytest.fixture
def channels(container: Container) -> Iterator[Wired]:
    with wired(container, twilio_auth_token=SecretStr(TWILIO_TOKEN), twilio_webhook_url=TWILIO_URL) as w:
        yield w


def problem_descriptions(container: Container) -> list[str]:
    rows = container.database.fetch_all("SELECT description FROM problem_reports ORDER BY reported_at")
    return [row["description"] for row in rows]


def whatsapp(client: TestClient, *messages: dict[str, Any]) -> None:
    response = post_whatsapp(client, whatsapp_notification(list(messages)))
    assert response.status_code == 200, response.text


def twilio(client: TestClient, sid: str, body: str) -> None:
    params = [("MessageSid", sid), ("From", f"whatsapp:{KARIM}"), ("Body", body)]
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature(TWILIO_URL, params, TWILIO_TOKEN),
    }
    response = client.post("/webhooks/twilio", content=urlencode(params), headers=headers)
    assert response.status_code == 200, response.text


def test_a_nul_in_a_problem_description_is_dropped_and_the_problem_filed_on_every_channel(
    container: Container, channels: Wired
) -> None:
    client, _, _ = channels
    whatsapp(client, wa_text("wamid.nul-1", "mes chantiers"))
    # A NUL in a pressed button's id does not hide which site it is.
    whatsapp(client, wa_button_reply("wamid.nul-2", "project.P-TIL\x00", "Résidence\x00 Les Tilleuls"))
    whatsapp(client, wa_text("wamid.nul-3", "problème : fuite\x00 au plafond (whatsapp)"))
    response = post_telegram(client, tg_message("problème : fuite\x00 au plafond (telegram)", KARIM_TELEGRAM))
    assert response.status_code == 200, response.text
    twilio(client, "SM\x00nul", "problème : fuite\x00 au plafond (twilio)")

    filed = problem_descriptions(container)
    assert len(filed) == 3
    assert all("\x00" not in description and "fuite au plafond" in description for description in filed)
    press = named(recorded(container), "ButtonPressed")[-1]
    assert (press.choice_id, press.title) == ("project.P-TIL", "Résidence Les Tilleuls")

    # Meta redelivers: the same message again is a duplicate, and nothing more is written.
    size = log_size(container)
    whatsapp(client, wa_text("wamid.nul-3", "problème : fuite\x00 au plafond (whatsapp)"))
    assert log_size(container) == size
    assert len(problem_descriptions(container)) == 3


def test_a_message_that_is_only_nul_is_refused_as_empty(container: Container) -> None:
    before = log_size(container)
    with pytest.raises(ValueError, match="empty"):
        container.service.handle(Inbound("whatsapp", "wamid.only-nul", KARIM, text="\x00\x00"))
    assert log_size(container) == before


def test_unpaired_surrogates_become_replacement_characters(container: Container) -> None:
    # Not valid JSON text, so no webhook lets them through; code building an Inbound still can.
    outcome = container.service.handle(
        Inbound("generic", "m-surrogate\ud800", KARIM, button=PressedButton("menu.sites", "Sites\udfff"))
    )
    assert outcome.duplicate is False
    press = named(recorded(container), "ButtonPressed")[-1]
    assert (press.message_id, press.title) == ("m-surrogate\ufffd", "Sites\ufffd")


@pytest.mark.parametrize(
    ("message", "field"),
    [
        pytest.param({"message_id": "m-9", "from": KARIM, "text": "fuite\x00"}, "text", id="text"),
        pytest.param({"message_id": "m-9\x00", "from": KARIM, "text": "hi"}, "message_id", id="message-id"),
        pytest.param({"message_id": "m-9", "from": KARIM + "\x00", "text": "hi"}, "from", id="from"),
        pytest.param(
            {"message_id": "m-9", "from": KARIM, "button": {"id": "menu.sites\x00", "title": "Sites"}},
            "button.id",
            id="button-id",
        ),
        pytest.param(
            {"message_id": "m-9", "from": KARIM, "button": {"id": "menu.sites", "title": "\x00"}},
            "button.title",
            id="button-title",
        ),
    ],
)
def test_the_generic_webhook_refuses_a_nul_with_422_and_writes_nothing(
    client: TestClient, container: Container, message: dict[str, Any], field: str
) -> None:
    post_generic(client, {"message_id": "m-0", "from": KARIM, "text": "Bonjour"})
    before = log_size(container)
    response = post_generic(client, json.dumps(message).encode())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert f"{field}: Value error, must not contain a NUL character" in response.json()["detail"]
    assert log_size(container) == before
