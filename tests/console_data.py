"""Conversations for the console's tests, and signing in to it with a test client."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from application.inbound import Inbound
from application.receipts import scoped_to_sender
from domain.conversation import Conversation
from domain.receipt import MessageReceipt
from domain.values import Reply
from infrastructure.bootstrap import Container

NOT_UNDERSTOOD: Reply = {"text": "Je n'ai pas compris.", "style": "none", "choices": []}


def unrecognised_turn(
    container: Container,
    sender: str,
    message_id: str,
    text: str,
    *,
    channel: str = "generic",
    reply_to: dict[str, str] | None = None,
) -> None:
    """A turn the bot did not understand, recorded as the pipeline records one.

    Written with the aggregate's own commands, so it does not depend on what
    today's classifier makes of any particular text.
    """
    store = container.store
    now = container.clock()
    conversation = store.conversation(sender)
    if conversation is None:
        conversation = Conversation(
            contact=sender, subcontractor_id=None, language="fr", message_id=message_id, at=now
        )
    conversation.begin_turn(message_id=message_id, at=now, idle_timeout=timedelta(hours=1))
    conversation.receive_message(message_id=message_id, text=text, at=now)
    conversation.classify_intent(message_id=message_id, intent="unknown", arguments={}, confidence=0.0)
    conversation.send_reply(
        message_id=message_id,
        reply=NOT_UNDERSTOOD,
        listing_kind=None,
        focus={},
        awaiting=None,
        at=now,
        channel=channel,
        reply_to=reply_to,
    )
    inbound = Inbound(channel=channel, message_id=message_id, sender=sender, text=text, reply_to=reply_to)
    receipt = MessageReceipt(
        channel=channel,
        provider_message_id=message_id,
        conversation_id=conversation.id,
        session_id=conversation.open_session["id"],
        reply=NOT_UNDERSTOOD,
        scoped_to_sender=scoped_to_sender(inbound),
    )
    store.record_turn(conversation, receipt)


def sign_in(client: TestClient, token: str, operator: str = "Ana Support") -> str:
    """Signs a test client in to the console; returns the session's CSRF token."""
    form = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None, form.text
    answer = client.post(
        "/console/login",
        data={"token": token, "operator": operator, "csrf": csrf.group(1), "next": "/console/conversations"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/console/conversations")
    session_csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert session_csrf is not None
    return session_csrf.group(1)
