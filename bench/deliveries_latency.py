"""Deliveries query latency: the first page of a WhatsApp conversation of 10,000 events against one of 100.

Alone: `python -m bench.deliveries_latency [--quick]`.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from application.inbound import Inbound
from bench.report import Line, Target
from bench.sizes import Sizes
from bench.timing import progress
from domain.delivery import Delivery
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container, build
from infrastructure.settings import Settings

SECTION = "6. A conversation's deliveries, first page over HTTP, PostgreSQL"
TOKEN = "bench"
TEXTS = ("Bonjour", "mes chantiers", "2", "aide", "blabla")


def grow_whatsapp(container: Container, contact: str, *, events: int) -> int:
    """A WhatsApp conversation of at least `events` events and a page (100) of replies, through
    the real turn, each reply's delivery recorded as the worker records it; returns its version."""
    conversation_id = conversation_id_for(contact)
    at = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    version = 0
    turn = 0
    while version < events or turn < 100:
        deliveries = []
        for _ in range(50):
            turn += 1
            message_id = f"wamid.{contact}.{turn}"
            inbound = Inbound(
                "whatsapp", message_id, contact, text=TEXTS[turn % len(TEXTS)], reply_to={"to": contact[1:]}
            )
            container.service.handle(inbound)
            sent_as = f"wamid.out.{contact}.{turn}"
            delivery = Delivery(
                conversation_id=conversation_id, message_id=message_id, channel="whatsapp", delivered=True,
                attempts=1, provider_message_ids=[sent_as], error=None, at=at,
            )  # fmt: skip
            delivery.report_status(provider_message_id=sent_as, status="read", errors=[], at=at)
            deliveries.append(delivery)
        container.store.save(*deliveries)
        version = container.store.conversation_by_id(conversation_id).version
    return version


def _first_pages(client: TestClient, contact: str, requests: int) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(
            f"/conversations/{contact}/deliveries",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or len(response.json()["deliveries"]) < 100:
            raise RuntimeError(f"unexpected deliveries answer: {response.status_code} {response.text[:200]}")
    return samples


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    container = build(Settings(database_url=database_url, demo_data=False, api_token=SecretStr(TOKEN)))
    try:
        progress(f"deliveries: growing a WhatsApp conversation to {sizes.deliveries_events:,} events")
        # Numbers the directory does not know: their turns are short, their replies sent all the same.
        long_version = grow_whatsapp(container, "+33710000001", events=sizes.deliveries_events)
        short_version = grow_whatsapp(container, "+33710000002", events=100)
        with TestClient(create_app(container)) as client:
            _first_pages(client, "+33710000002", 3)  # warm both paths up
            _first_pages(client, "+33710000001", 3)
            small = _first_pages(client, "+33710000002", sizes.deliveries_requests)
            big = _first_pages(client, "+33710000001", sizes.deliveries_requests)
        line = Line(
            SECTION,
            f"conversation of {long_version:,} events",
            statistics.median(big),
            "ms",
            big,
            statistics.median(small),
            f"conversation of {short_version} events",
            small,
            Target("<=", 2.0),
        )
        note = (
            f"deliveries: {sizes.deliveries_requests} requests of 100 replies per conversation size, medians"
        )
        return [line], [note]
    finally:
        container.close()


if __name__ == "__main__":
    import sys

    from bench.report import render
    from bench.scratch import scratch_database
    from bench.sizes import FULL, QUICK

    with scratch_database() as url:
        lines, notes = run(url, QUICK if "--quick" in sys.argv else FULL)
    print(render(lines))
    print(*notes, sep="\n")
