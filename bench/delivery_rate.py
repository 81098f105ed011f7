"""Delivery rate: the worker sending recorded replies, against posting the same bodies with httpx."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from pydantic import SecretStr

from application.inbound import Inbound
from bench.report import Line
from bench.sizes import Sizes
from bench.timing import median, progress
from infrastructure.bootstrap import Container, build
from infrastructure.channels.whatsapp.outbound import message_of
from infrastructure.settings import Settings
from tests.fake_providers import FakeProviders

SECTION = "6. Delivery of WhatsApp replies to a provider on loopback, PostgreSQL"
TOKEN = "bench-token"
_ids = itertools.count()


def _record_replies(container: Container, count: int, senders: int) -> list[dict[str, Any]]:
    """Turns whose replies go out through the worker; returns the bodies it will send."""
    bodies = []
    for n in range(count):
        sender = f"3379{n % senders:07d}"  # a block of numbers no other section uses
        outcome = container.service.handle(
            Inbound("whatsapp", f"wamid.bench-{next(_ids)}", sender, text="Bonjour", reply_to={"to": sender})
        )
        bodies.append(message_of(outcome.reply, sender))
    return bodies


def _floor(url: str, bodies: list[dict[str, Any]], threads: int) -> float:
    """Replies per second when nothing but the HTTP calls is done, from as many threads."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(timeout=10) as client, ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        statuses = list(
            pool.map(lambda body: client.post(url, json=body, headers=headers).status_code, bodies)
        )
        elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"the floor's sends failed: {sorted(set(statuses))}")
    return len(bodies) / elapsed


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    with FakeProviders(whatsapp_token=TOKEN) as fake:
        settings = Settings(
            database_url=database_url,
            demo_data=False,
            whatsapp_access_token=SecretStr(TOKEN),
            whatsapp_phone_number_id="1",
            whatsapp_api_url=f"{fake.base_url}/v21.0",
            # What the worker costs, not Meta's pace: the default would cap it at 70 replies/s.
            whatsapp_sends_per_second=100_000.0,
        )
        container = build(settings)
        worker = container.delivery_worker()
        try:
            # Replies other sections left in the log are sent first, outside the rounds' count.
            worker.catch_up()
            rates, floors = [], []
            for round_number in range(1, sizes.delivery_rounds + 1):
                progress(f"delivery: round {round_number}, {sizes.delivery_replies:,} replies")
                bodies = _record_replies(
                    container, sizes.delivery_replies, senders=sizes.delivery_replies // 4
                )
                sent_before = len(fake.sent("whatsapp", "messages"))
                started = time.perf_counter()
                worker.catch_up()
                rates.append(sizes.delivery_replies / (time.perf_counter() - started))
                if len(fake.sent("whatsapp", "messages")) - sent_before != sizes.delivery_replies:
                    raise RuntimeError("the worker did not send every reply exactly once")
                floors.append(
                    _floor(f"{fake.base_url}/v21.0/1/messages", bodies, settings.delivery_concurrency)
                )
        finally:
            worker.close()
            container.close()
    line = Line(
        SECTION,
        f"worker, {settings.delivery_concurrency} conversations at once",
        median(rates),
        "replies/s",
        rates,
        median(floors),
        f"httpx posting the same bodies, {settings.delivery_concurrency} thr",
        floors,
    )
    note = (
        f"delivery: {sizes.delivery_rounds} rounds of {sizes.delivery_replies:,} replies over "
        f"{sizes.delivery_replies // 4:,} conversations; the worker also reads the log, records each "
        "delivery and renews its lease"
    )
    return [line], [note]
