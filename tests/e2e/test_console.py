"""The console over HTTP on both stores: sessions, CSRF, every page, and answering a person."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.console.sessions import COOKIE, Sessions
from application.inbound import Inbound
from infrastructure.bootstrap import Container
from tests.channels import wired
from tests.conftest import FakeClock
from tests.console_data import sign_in, unrecognised_turn

TOKEN = "console-token"
KARIM = "+33600000001"
KARIM_WA = "33600000001"


def _client(container: Container) -> TestClient:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr(TOKEN)})
    return TestClient(create_app(container))


def _whatsapp(container: Container, wamid: str, text: str) -> None:
    container.service.handle(
        Inbound(channel="whatsapp", message_id=wamid, sender=KARIM, text=text, reply_to={"to": KARIM_WA})
    )


def test_every_page_answers_on_both_stores(container: Container) -> None:
    container.service.handle(Inbound(channel="generic", message_id="g-1", sender=KARIM, text="Bonjour"))
    unrecognised_turn(container, KARIM, "g-2", "zorglub")
    container.projections.catch_up()
    with _client(container) as client:
        sign_in(client, TOKEN)
        listed = client.get("/console/conversations", params={"q": "benali"})
        assert listed.status_code == 200 and "Karim Benali" in listed.text
        for search in ("karim", "06 00 00 00 01", "tilleuls", "villeurbanne"):
            assert "Karim Benali" in client.get("/console/conversations", params={"q": search}).text, search
        assert (
            "No conversation matches" in client.get("/console/conversations", params={"q": "nobody%_"}).text
        )
        page = client.get(f"/console/conversations/{KARIM}")
        assert page.status_code == 200 and "zorglub" in page.text and "Not understood" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        attention = client.get("/console/attention", params={"kind": "unrecognised"})
        assert "zorglub" in attention.text
        state = client.get(f"/console/conversations/{KARIM}/state", params={"version": 3})
        assert state.status_code == 200 and "As it was at version 3" in state.text
        link = client.get(f"/console/conversations/{KARIM}/messages/g-2", follow_redirects=False)
        assert link.status_code == 303 and link.headers["location"].endswith("#m-g-2")
        assert client.get("/console/analytics").status_code == 200
        csv = client.get("/console/analytics.csv")
        assert csv.text.startswith("day,active_conversations")
        assert client.get("/console/projections").status_code == 200
        assert client.get("/console/conversations/+33699999999").status_code == 404


def test_without_a_session_nothing_but_the_sign_in_form(container: Container) -> None:
    with _client(container) as client:
        for page in (
            "/console",
            "/console/conversations",
            f"/console/conversations/{KARIM}",
            "/console/attention",
        ):
            answer = client.get(page, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login"), page
        assert client.get("/console/analytics.csv").status_code == 401
        assert client.get("/console/projections/status").status_code == 401
        answer = client.post(f"/console/conversations/{KARIM}/answer", data={"csrf": "x", "text": "hi"})
        assert answer.status_code == 401


def test_a_session_is_signed_and_expires(container: Container) -> None:
    now = [1_000_000.0]
    sessions = Sessions(SecretStr(TOKEN), hours=1, clock=lambda: now[0])
    value, session = sessions.issue("Ana")
    assert sessions.read(value) == session
    payload, _, signature = value.partition(".")
    # Tampered: its first character carries six bits of the MAC (the last ones may carry padding,
    # which decoding ignores: "AA" there left one signature in about a thousand unchanged).
    tampered = ("B" if signature[0] != "B" else "C") + signature[1:]
    assert sessions.read(payload + "." + tampered) is None
    assert Sessions(SecretStr("another token"), hours=1, clock=lambda: now[0]).read(value) is None
    now[0] += 3601
    assert sessions.read(value) is None  # expired
    assert Sessions(None, hours=1).read(value) is None


def test_wrong_token_and_forged_forms_are_refused(container: Container) -> None:
    with _client(container) as client:
        form = client.get("/console/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        wrong = client.post(
            "/console/login", data={"token": "nope", "operator": "Ana", "csrf": csrf.group(1)}
        )
        assert wrong.status_code == 401 and "token is not right" in wrong.text and COOKIE not in wrong.cookies
        no_csrf = client.post("/console/login", data={"token": TOKEN, "operator": "Ana", "csrf": "forged"})
        assert no_csrf.status_code == 403
        session_csrf = sign_in(client, TOKEN)
        forged = client.post(f"/console/conversations/{KARIM}/answer", data={"csrf": "forged", "text": "hi"})
        assert forged.status_code == 403 and "did not come from a page of this console" in forged.text
        other_site = client.post(
            "/console/projections/sessions/rebuild",
            data={"csrf": session_csrf},
            headers={"Origin": "https://evil.example"},
        )
        assert other_site.status_code == 403
        out = client.post("/console/logout", data={"csrf": session_csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/console/conversations", follow_redirects=False).status_code == 303


def test_an_operator_answer_is_delivered_recorded_and_sent_once(container: Container) -> None:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr(TOKEN)})
    with wired(container) as (client, worker, fake):
        _whatsapp(container, "wamid.q", "Bonjour")
        worker.catch_up()
        csrf = sign_in(client, TOKEN, operator="Ana Support")
        form = {"csrf": csrf, "text": "Je regarde votre tâche", "reply_id": "op-1", "in_reply_to": "wamid.q"}
        first = client.post(f"/console/conversations/{KARIM}/answer", data=form, follow_redirects=False)
        again = client.post(f"/console/conversations/{KARIM}/answer", data=form, follow_redirects=False)
        assert first.status_code == again.status_code == 303  # a double submit is one answer
        worker.catch_up()
        sent = fake.wait_for(2, "whatsapp", "messages")
        assert [m["text"]["body"] for m in sent if m.get("type") == "text"] == ["Je regarde votre tâche"]
        events = client.get(f"/conversations/{KARIM}/events", headers={"Authorization": f"Bearer {TOKEN}"})
        answers = [e for e in events.json()["items"] if e["type"] == "OperatorReplied"]
        assert len(answers) == 1
        assert answers[0]["payload"]["operator"] == "Ana Support"
        assert answers[0]["payload"]["in_reply_to"] == "wamid.q"
        assert answers[0]["payload"]["reply_to"] == {"to": KARIM_WA}
        page = client.get(f"/console/conversations/{KARIM}")
        assert "Answer from operator Ana Support" in page.text and "delivered" in page.text


def test_whatsapp_free_text_only_within_24_hours(container: Container, clock: FakeClock) -> None:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr(TOKEN)})
    with wired(container) as (client, worker, fake):
        _whatsapp(container, "wamid.old", "Bonjour")
        worker.catch_up()
        clock.advance(hours=24, minutes=5)
        csrf = sign_in(client, TOKEN)
        page = client.get(f"/console/conversations/{KARIM}")
        assert "only within 24 hours" in page.text
        refused = client.post(
            f"/console/conversations/{KARIM}/answer",
            data={"csrf": csrf, "text": "Hello?", "reply_id": "op-2"},
        )
        assert refused.status_code == 409 and "only within 24 hours" in refused.text
        assert "Hello?" in refused.text  # the operator's text is kept
        worker.catch_up()
        assert len(fake.sent("whatsapp", "messages")) == 1  # only the bot's reply
        clock.advance(hours=-1)  # back inside the window: it goes
        sent = client.post(
            f"/console/conversations/{KARIM}/answer",
            data={"csrf": csrf, "text": "Hello?", "reply_id": "op-3"},
            follow_redirects=False,
        )
        assert sent.status_code == 303
        worker.catch_up()
        assert len(fake.wait_for(2, "whatsapp", "messages")) == 2


def test_no_answer_where_the_channel_cannot_send(container: Container) -> None:
    container.service.handle(Inbound(channel="generic", message_id="g-1", sender=KARIM, text="Bonjour"))
    with _client(container) as client:
        csrf = sign_in(client, TOKEN)
        refused = client.post(
            f"/console/conversations/{KARIM}/answer", data={"csrf": csrf, "text": "Hi", "reply_id": "op-4"}
        )
        assert refused.status_code == 409 and "only answers inside the webhook" in refused.text


def test_a_telegram_answer_goes_to_the_chat_without_answering_a_press_again(container: Container) -> None:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr(TOKEN)})
    with wired(container) as (client, worker, fake):
        container.service.handle(
            Inbound(
                channel="telegram",
                message_id="tg-1",
                sender="telegram:555",
                text="Bonjour",
                reply_to={"chat_id": "555", "callback_query_id": "cbq-1"},
            )
        )
        worker.catch_up()
        csrf = sign_in(client, TOKEN)
        answer = client.post(
            "/console/conversations/telegram:555/answer",
            data={"csrf": csrf, "text": "On s'en occupe", "reply_id": "op-5"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        worker.catch_up()
        sent = fake.wait_for(2, "telegram", "sendMessage")
        assert sent[-1] == {"chat_id": "555", "text": "On s'en occupe"}
        assert len(fake.sent("telegram", "answerCallbackQuery")) == 1


def test_the_transcript_pages_a_long_conversation(container: Container, clock: FakeClock) -> None:
    for n in range(60):
        container.service.handle(Inbound(channel="generic", message_id=f"m-{n}", sender=KARIM, text="menu"))
        clock.advance(seconds=1)
    clock.advance(hours=2)
    container.service.handle(Inbound(channel="generic", message_id="last", sender=KARIM, text="menu"))
    with _client(container) as client:
        sign_in(client, TOKEN)
        latest = client.get(f"/console/conversations/{KARIM}")
        assert "m-0" not in latest.text and "last" in latest.text
        assert latest.text.count('class="entry ') == 100
        older = re.search(r'href="\?after=(\d+)" rel="prev"', latest.text)
        assert older is not None
        first = client.get(f"/console/conversations/{KARIM}", params={"after": 0})
        assert 'id="m-m-0"' in first.text and "Session 1" in first.text
        assert "Session 2" in latest.text  # the idle timeout rolled the session over
