"""Provider payloads in and out: parsing every shape, rendering within every limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.inbound import InvalidInboundError, MalformedPayloadError, PressedButton
from application.replies import choice, compose
from infrastructure.channels.telegram import webhook as telegram
from infrastructure.channels.telegram.outbound import send_message_of
from infrastructure.channels.whatsapp import webhook as whatsapp
from infrastructure.channels.whatsapp.outbound import message_of
from tests.provider_payloads import (
    wa_button_reply,
    wa_list_reply,
    wa_message,
    wa_status,
    wa_text,
    whatsapp_notification,
)

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_the_whatsapp_signature_matches_an_independent_hmac() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    # `printf '%s' "$body" | openssl dgst -sha256 -hmac meta-app-secret`
    expected = "sha256=ee9f05f989bc0aa2693d85691a477f8b8403933cde7959a1c5c6be7ea85e8d3d"
    assert whatsapp.signature(body, "meta-app-secret") == expected
    assert whatsapp.is_signed(body, "meta-app-secret", expected)
    assert not whatsapp.is_signed(body + b" ", "meta-app-secret", expected)
    assert not whatsapp.is_signed(body, "other-secret", expected)


def parse(
    *messages: dict[str, object], statuses: tuple[dict[str, object], ...] = ()
) -> whatsapp.WhatsAppBatch:
    return whatsapp.parse(json.dumps(whatsapp_notification(list(messages), list(statuses))).encode(), NOW)


def test_every_whatsapp_message_kind_becomes_an_inbound() -> None:
    batch = parse(
        wa_text("w1", "Bonjour"),
        wa_button_reply("w2", "menu.sites", "Mes chantiers"),
        wa_list_reply("w3", "project.P-TIL", "Les Tilleuls"),
        wa_message("w4", "button", button={"payload": "task.T-1", "text": "Tâche 1"}),
        wa_message("w5", "button", button={"text": "Oui"}),
        wa_message("w6", "sticker", sticker={"id": "s"}),
        wa_message("w7", "interactive", interactive={"type": "nfm_reply", "nfm_reply": {}}),
    )
    text, button, row, template, template_text, sticker, flow = batch.messages
    assert (text.text, text.sender, text.reply_to) == ("Bonjour", "33600000001", {"to": "33600000001"})
    assert button.button == PressedButton("menu.sites", "Mes chantiers")
    assert row.button == PressedButton("project.P-TIL", "Les Tilleuls")
    assert template.button == PressedButton("task.T-1", "Tâche 1")
    assert template_text.text == "Oui"
    assert ([m.kind for m in sticker.media], flow.unsupported) == (["sticker"], "interactive.nfm_reply")
    assert {m.channel for m in batch.messages} == {"whatsapp"}


def test_whatsapp_status_reports_and_fields_meta_adds_later() -> None:
    notification = whatsapp_notification(
        [wa_text("w1", "Bonjour")],
        [wa_status("wamid.9", "failed", errors=[{"code": 131026, "title": "Message undeliverable"}])],
    )
    notification["entry"][0]["brand_new_field"] = {"nested": [1, 2]}
    notification["entry"][0]["changes"][0]["value"]["messages"][0]["future"] = "x"
    notification["entry"][0]["changes"].append({"field": "account_update", "value": {"event": "x"}})
    batch = whatsapp.parse(json.dumps(notification).encode(), NOW)
    assert len(batch.messages) == 1
    (status,) = batch.statuses
    assert (status.provider_message_id, status.status) == ("wamid.9", "failed")
    assert status.errors == ("131026 Message undeliverable",)
    assert status.at == datetime.fromtimestamp(1764000100, UTC)


def test_malformed_and_misshapen_whatsapp_bodies_are_told_apart() -> None:
    with pytest.raises(MalformedPayloadError):
        whatsapp.parse(b'{"object": "whatsapp_business_acc', NOW)
    with pytest.raises(InvalidInboundError, match="entry"):
        whatsapp.parse(b'{"object": "whatsapp_business_account"}', NOW)
    with pytest.raises(InvalidInboundError, match="phone number"):
        parse(wa_text("w1", "Bonjour", sender="abc"))


def test_whatsapp_rendering_uses_buttons_lists_and_text() -> None:
    buttons = message_of(compose("Bonjour", [choice("a", "Un titre bien trop long pour un bouton")]), "336")
    assert buttons["interactive"]["action"]["buttons"][0]["reply"]["title"] == "Un titre bien trop…"
    rows = [choice(f"project.{n}", f"Chantier {n}", "Villeurbanne") for n in range(12)]
    listed = message_of(compose("Vos chantiers", rows), "336")
    assert listed["interactive"]["type"] == "list"
    assert len(listed["interactive"]["action"]["sections"][0]["rows"]) == 10
    text = message_of(compose("x" * 5000), "336")
    assert text["type"] == "text" and len(text["text"]["body"]) == 4096


reply_texts = st.text(min_size=1, max_size=5000).filter(str.strip)
choices = st.lists(
    st.builds(
        choice,
        st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=1, max_size=120),
        st.text(min_size=1, max_size=80).filter(str.strip),
        st.text(max_size=120),
    ),
    max_size=14,
    unique_by=lambda c: c["id"],
)


@given(reply_texts, choices)
def test_any_reply_fits_whatsapp_and_telegram_limits(text: str, offered: list[dict[str, str]]) -> None:
    reply = compose(text, offered)  # type: ignore[arg-type]
    message = message_of(reply, "33600000001")
    if message["type"] == "text":
        assert len(message["text"]["body"]) <= 4096
    else:
        interactive = message["interactive"]
        assert len(interactive["body"]["text"]) <= 1024
        if interactive["type"] == "button":
            assert len(interactive["action"]["buttons"]) <= 3
            assert all(len(b["reply"]["title"]) <= 20 for b in interactive["action"]["buttons"])
        else:
            rows = interactive["action"]["sections"][0]["rows"]
            assert len(rows) <= 10
            assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
            assert all(len(r["id"]) <= 200 for r in rows)
    sent = send_message_of(reply, "42")
    assert len(sent["text"]) <= 4096
    for row in sent.get("reply_markup", {}).get("inline_keyboard", []):
        assert len(row[0]["callback_data"].encode()) <= 64


def test_telegram_buttons_whose_ids_are_too_long_are_pressed_by_number() -> None:
    long_id = "task." + "é" * 40  # 85 bytes
    sent = send_message_of(
        compose("Tâches", [choice("menu.sites", "Mes chantiers"), choice(long_id, "Longue")]), "7"
    )
    keyboard = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    assert [b["callback_data"] for b in keyboard] == ["menu.sites", "#2"]

    update = {
        "update_id": 9,
        "callback_query": {"id": "q", "from": {"id": 7, "is_bot": False}, "data": "#2", "chat_instance": "c"},
    }
    inbound = telegram.parse(json.dumps(update).encode())
    assert inbound is not None
    assert (inbound.text, inbound.button) == ("2", None)
    assert inbound.reply_to == {"chat_id": "7", "callback_query_id": "q"}


def test_telegram_updates_the_bot_does_not_answer() -> None:
    from_bot = {"update_id": 1, "message": {"message_id": 1, "from": {"id": 5, "is_bot": True},
                                            "chat": {"id": 5}, "text": "hi"}}  # fmt: skip
    channel_post = {"update_id": 2, "channel_post": {"message_id": 1, "chat": {"id": -100}, "text": "hi"}}
    assert telegram.parse(json.dumps(from_bot).encode()) is None
    assert telegram.parse(json.dumps(channel_post).encode()) is None
    with pytest.raises(MalformedPayloadError):
        telegram.parse(b'{"update_id": 1, "mess')
