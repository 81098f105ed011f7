"""Twilio's webhooks as Twilio sends them: form-encoded, signed, answered with TwiML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from infrastructure.bootstrap import Container
from infrastructure.channels.twilio.webhook import signature
from tests.turns import log_size, named, recorded

TOKEN = "twilio-auth-token"
URL = "https://bot.example.com/webhooks/twilio"  # what Twilio calls, behind a proxy
KARIM = "whatsapp:+33600000001"


@pytest.fixture
def twilio_client(container: Container) -> Iterator[TestClient]:
    container.settings = container.settings.model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN), "twilio_webhook_url": URL}
    )
    with TestClient(create_app(container)) as client:
        yield client


def form(sid: str, sender: str = KARIM, **fields: str) -> list[tuple[str, str]]:
    return [("MessageSid", sid), ("From", sender), ("To", "whatsapp:+14155238886"), ("NumMedia", "0"),
            *fields.items()]  # fmt: skip


def send(client: TestClient, params: list[tuple[str, str]], *, sign: str | None = None) -> object:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    headers["X-Twilio-Signature"] = sign if sign is not None else signature(URL, params, TOKEN)
    return client.post("/webhooks/twilio", content=urlencode(params), headers=headers)


def message_of(response: object) -> str:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/xml")  # type: ignore[attr-defined]
    root = ElementTree.fromstring(response.text)  # type: ignore[attr-defined]
    assert root.tag == "Response"
    return root.findtext("Message") or ""


def test_the_scenario_over_twilio_with_numbered_choices(
    container: Container, twilio_client: TestClient
) -> None:
    hello = message_of(send(twilio_client, form("SM1", Body="Bonjour")))
    assert hello.startswith("Bonjour Karim")
    assert "1. Mes chantiers" in hello

    sites = message_of(send(twilio_client, form("SM2", Body="1")))
    assert "Vos chantiers (4)" in sites
    assert re.search(r"^4\. Résidence Les Tilleuls$", sites, re.MULTILINE)

    tasks = message_of(send(twilio_client, form("SM3", Body="4")))
    assert tasks.startswith("Résidence Les Tilleuls — vos tâches (4)")

    quick_reply = message_of(
        send(twilio_client, form("SM4", ButtonPayload="menu.sites", ButtonText="Mes chantiers"))
    )
    assert "Vos chantiers (4)" in quick_reply

    events = recorded(container)
    assert len(named(events, "SessionOpened")) == 1
    assert [e.message_id for e in named(events, "ReplySent")] == ["SM1", "SM2", "SM3", "SM4"]


def test_sms_and_whatsapp_spellings_are_one_conversation(
    container: Container, twilio_client: TestClient
) -> None:
    message_of(send(twilio_client, form("SM1", sender="whatsapp:+33600000001", Body="Bonjour")))
    message_of(send(twilio_client, form("SM2", sender="+33600000001", Body="aide")))
    assert len(named(recorded(container), "Started")) == 1


def test_redelivery_gets_the_same_twiml_and_writes_nothing(
    container: Container, twilio_client: TestClient
) -> None:
    first = send(twilio_client, form("SM9", Body="mes chantiers"))
    size = log_size(container)
    again = send(twilio_client, form("SM9", Body="mes chantiers"))
    assert again.text == first.text  # type: ignore[attr-defined]
    assert log_size(container) == size


def test_media_are_recorded_and_answered(container: Container, twilio_client: TestClient) -> None:
    media_url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM5/Media/ME5"
    params = form("MM5", NumMedia="1", MediaUrl0=media_url, MediaContentType0="image/jpeg", Body="")
    assert message_of(send(twilio_client, params)).startswith("Bien reçu 📷 Sur quel chantier")
    [received] = named(recorded(container), "MediaReceived")
    assert (received.kind, received.mime_type, received.provider_media_id) == (
        "image",
        "image/jpeg",
        media_url,
    )


def test_a_message_with_nothing_in_it_gets_a_polite_answer(
    container: Container, twilio_client: TestClient
) -> None:
    assert "ce type de message" in message_of(send(twilio_client, form("SM6", Body="")))
    [unsupported] = named(recorded(container), "UnsupportedMessageReceived")
    assert unsupported.kind == "empty"


@pytest.mark.parametrize(
    ("params", "headers", "status"),
    [
        (form("SMx", Body="hi"), {"X-Twilio-Signature": "bm9wZQ=="}, 403),  # wrong signature
        (form("SMx", Body="hi"), {}, 401),  # missing signature
        (form("SMx", Body="hi"), {"content-type": "application/json"}, 415),
        ([("From", KARIM), ("Body", "hi")], None, 422),  # no MessageSid
        ([("MessageSid", "SMx"), ("From", "not a phone"), ("Body", "hi")], None, 422),
    ],
)
def test_bad_requests_write_nothing(
    container: Container, twilio_client: TestClient, params: list[tuple[str, str]],
    headers: dict[str, str] | None, status: int,
) -> None:  # fmt: skip
    send(twilio_client, form("SM0", Body="Bonjour"))
    before = log_size(container)
    all_headers = {
        "content-type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature(URL, params, TOKEN),
    }
    if headers is not None:
        all_headers.update(headers)
        if "X-Twilio-Signature" not in headers and status == 401:
            del all_headers["X-Twilio-Signature"]
    response = twilio_client.post("/webhooks/twilio", content=urlencode(params), headers=all_headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert log_size(container) == before


def test_truncated_body_is_refused(container: Container, twilio_client: TestClient) -> None:
    body = "MessageSid=SMt&From=%2B33600000001&Body=%E2%82"  # cut in the middle of a UTF-8 sequence
    response = twilio_client.post(
        "/webhooks/twilio",
        content=body.encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    assert response.status_code == 400
    assert log_size(container) == 0


def test_unconfigured_channel_refuses_unless_insecure(container: Container) -> None:
    params = form("SMu", Body="Bonjour")
    headers = {"content-type": "application/x-www-form-urlencoded"}
    with TestClient(create_app(container)) as client:
        assert client.post("/webhooks/twilio", content=urlencode(params), headers=headers).status_code == 403
    assert log_size(container) == 0
    container.settings = container.settings.model_copy(update={"insecure_webhooks": True})
    with TestClient(create_app(container)) as client:
        assert message_of(client.post("/webhooks/twilio", content=urlencode(params), headers=headers))


def test_signature_matches_twilios_documented_example() -> None:
    # The example of Twilio's security documentation.
    params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
              ("From", "+12349013030"), ("To", "+18005551212")]  # fmt: skip
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
