"""Delivery with real processes on PostgreSQL: killed mid-send, redeliveries across servers, and
many Telegram chats through two workers."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.inbound import Inbound
from infrastructure.bootstrap import Container, build
from infrastructure.channels.whatsapp.webhook import signature
from infrastructure.settings import Settings
from tests.channels import channel_settings, delivery_lag_shown
from tests.conftest import FakeClock, postgres_settings
from tests.fake_providers import FakeProviders
from tests.provider_payloads import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    TG_BOT_TOKEN,
    VERIFY_TOKEN,
    WA_TOKEN,
    wa_text,
    whatsapp_notification,
)
from tests.servers import convo, serving
from tests.telegram_scenario import (
    assert_each_chat_got_each_reply_once,
    chat_greeting_sites_site,
    link_telegram_users,
)
from tests.turns import named, recorded

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def channel_env(settings: Settings, fake: FakeProviders, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CONVO_DATABASE_URL": settings.database_url,
        "CONVO_LOG_LEVEL": "warning",
        "CONVO_WHATSAPP_APP_SECRET": APP_SECRET,
        "CONVO_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "CONVO_WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
        "CONVO_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "CONVO_WHATSAPP_API_URL": f"{fake.base_url}/v21.0",
        "CONVO_DELIVERY_RETRY_SECONDS": "0.05",
        **extra,
    }


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture
def wired(postgres_url: str, fake: FakeProviders) -> Iterator[Container]:
    container = build(channel_settings(postgres_settings(postgres_url), fake), clock=FakeClock())
    yield container
    container.close()


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def stop(process: Any) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def test_a_worker_killed_mid_send_is_replaced_and_every_reply_goes_out(
    wired: Container, fake: FakeProviders
) -> None:
    # Six subcontractors' numbers (unregistered ones get a reply too): each reply has its own "to".
    senders = [f"3361000000{n}" for n in range(6)]
    message_ids = []
    for n, sender in enumerate(senders):
        message_id = f"wamid.kill-{n}"
        wired.service.handle(Inbound("whatsapp", message_id, sender, text="Bonjour", reply_to={"to": sender}))
        message_ids.append((sender, message_id))
    env = channel_env(
        wired.settings,
        fake,
        CONVO_DELIVERY_LEASE_SECONDS="1",
        CONVO_DELIVERY_BATCH_SIZE="2",
        CONVO_DELIVERY_CONCURRENCY="1",  # one send at a time, so the kill lands on a known one
    )

    fake.delay_next("whatsapp", 5.0)  # the first send hangs at the provider...
    first = convo(env, "deliver")
    wait_until(lambda: len(fake.received("whatsapp")) >= 1, 30, "the first send")
    first.send_signal(signal.SIGKILL)  # ...and its worker dies waiting for the answer
    first.wait()
    assert fake.sent("whatsapp", "messages") == []

    successor = convo(env, "deliver")

    def all_recorded() -> bool:
        conversation_of = {s: wired.audit.resolve("+" + s) for s, _ in message_ids}
        return all(wired.store.delivery(conversation_of[s], m) is not None for s, m in message_ids)

    wait_until(all_recorded, 60, "every reply to be recorded")
    stop(successor)

    sent_to = [body["to"] for body in fake.sent("whatsapp", "messages")]
    assert set(sent_to) == set(senders), "none lost"
    # At least once: only the send in flight when the worker died may go twice.
    assert len(sent_to) <= len(senders) + 1
    for sender, message_id in message_ids:
        delivery = wired.store.delivery(wired.audit.resolve("+" + sender), message_id)
        assert delivery is not None and delivery.delivered
        assert delivery.version == 1, "recorded once"


def test_redeliveries_across_two_server_processes_make_one_turn_and_one_send(
    wired: Container, fake: FakeProviders
) -> None:
    env = channel_env(wired.settings, fake)
    texts = ["Bonjour", "mes chantiers", "aide", "Tilleuls"] * 3
    bodies = [
        json.dumps(whatsapp_notification([wa_text(f"wamid.race-{n}", text)])).encode()
        for n, text in enumerate(texts)
    ]
    deliverers = [convo(env, "deliver"), convo(env, "deliver")]
    try:
        with serving(env, workers=2) as base, httpx.Client(base_url=base, timeout=30) as client:

            def post(body: bytes) -> int:
                headers = {
                    "content-type": "application/json",
                    "X-Hub-Signature-256": signature(body, APP_SECRET),
                }
                return client.post("/webhooks/whatsapp", content=body, headers=headers).status_code

            # Every notification three times at once, as Meta does when answers are slow.
            with ThreadPoolExecutor(max_workers=12) as pool:
                statuses = list(pool.map(post, bodies * 3))
        assert set(statuses) == {200}
        wait_until(lambda: len(fake.sent("whatsapp", "messages")) >= len(texts), 60, "every reply")
        time.sleep(1.5)  # time for a duplicate send to show up, if there were one
    finally:
        for deliverer in deliverers:
            stop(deliverer)

    events = recorded(wired)
    assert len(named(events, "ReplySent")) == len(texts)
    assert len(named(events, "SessionOpened")) == 1
    assert len(fake.sent("whatsapp", "messages")) == len(texts)


@pytest.mark.parametrize("count", [2, 50])
def test_telegram_chats_through_two_deliver_processes_get_each_reply_exactly_once(
    wired: Container, fake: FakeProviders, count: int
) -> None:
    users = link_telegram_users(wired.database, count)
    env = {
        **os.environ,
        "CONVO_DATABASE_URL": wired.settings.database_url,
        "CONVO_LOG_LEVEL": "warning",
        "CONVO_TELEGRAM_BOT_TOKEN": TG_BOT_TOKEN,
        "CONVO_TELEGRAM_API_URL": fake.base_url,
        "CONVO_TELEGRAM_SENDS_PER_SECOND": "1000",  # pacing is tested on its own; this is about counts
        "CONVO_DELIVERY_RETRY_SECONDS": "0.05",
    }
    deliverers = [convo(env, "deliver"), convo(env, "deliver")]

    def delivered(replies: int) -> None:
        fake.wait_for(replies, "telegram", "sendMessage", timeout=60)

    try:
        with TestClient(create_app(wired)) as client:
            chat_greeting_sites_site(client, fake, users, delivered)
        wait_until(lambda: wired.delivery_status().lag == 0, 30, "the delivery lag to return to 0")
        time.sleep(1.0)  # time for a duplicate send to show up, if there were one
    finally:
        for deliverer in deliverers:
            stop(deliverer)
    assert_each_chat_got_each_reply_once(fake, users)
    assert delivery_lag_shown(wired) == 0
