"""A big WhatsApp batch on PostgreSQL: handled once per message, redelivered or racing itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container, build
from tests.channels import wired
from tests.conftest import postgres_settings
from tests.provider_payloads import post_whatsapp, wa_text, whatsapp_notification
from tests.turns import log_size, named

pytestmark = [pytest.mark.postgres]

SENDERS = [f"3361777{n:04d}" for n in range(8)]  # Meta's wa_ids: no plus
TEXTS = ("Bonjour", "mes chantiers", "1", "merci", "au revoir")


def batch(tag: str) -> bytes:
    """Every sender's messages, interleaved as Meta sends them."""
    messages = [
        wa_text(f"wamid.{tag}.{sender}.{n}", text, sender)
        for n, text in enumerate(TEXTS)
        for sender in SENDERS
    ]
    return json.dumps(whatsapp_notification(messages)).encode()


@pytest.fixture
def app(postgres_url: str) -> Iterator[tuple[TestClient, Container]]:
    container = build(postgres_settings(postgres_url))
    try:
        with wired(container) as (client, _worker, _fake):
            yield client, container
    finally:
        container.close()


def received(container: Container, sender: str) -> list[str]:
    """The message ids the sender's conversation recorded, in order."""
    events = list(container.store.events.get(conversation_id_for(f"+{sender}")))
    return [e.message_id for e in named(events, "MessageReceived")]


def assert_each_handled_once_in_order(container: Container, tag: str) -> None:
    for sender in SENDERS:
        ids = [i for i in received(container, sender) if i.startswith(f"wamid.{tag}.")]
        assert ids == [f"wamid.{tag}.{sender}.{n}" for n in range(len(TEXTS))]


def test_a_redelivered_batch_adds_nothing(app: tuple[TestClient, Container]) -> None:
    client, container = app
    body = batch("once")
    first = post_whatsapp(client, body)
    assert first.status_code == 200 and first.json()["messages"] == len(SENDERS) * len(TEXTS)
    assert_each_handled_once_in_order(container, "once")
    size = log_size(container)
    recorder = container.store.recorder
    inserts = 0
    insert_events = recorder.insert_events

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal inserts
        inserts += 1
        return insert_events(*args, **kwargs)

    recorder.insert_events = counted  # type: ignore[method-assign]
    again = post_whatsapp(client, body)
    assert again.status_code == 200 and again.json()["messages"] == len(SENDERS) * len(TEXTS)
    assert inserts == 0  # answered from the receipts, read at once: no turn ran again
    assert log_size(container) == size
    assert_each_handled_once_in_order(container, "once")


def test_a_batch_racing_itself_is_handled_once(app: tuple[TestClient, Container]) -> None:
    client, container = app
    body = batch("race")
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: post_whatsapp(client, body), range(2)))
    assert [a.status_code for a in answers] == [200, 200]
    assert_each_handled_once_in_order(container, "race")
    size = log_size(container)
    assert post_whatsapp(client, body).status_code == 200
    assert log_size(container) == size
