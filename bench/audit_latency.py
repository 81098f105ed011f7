"""Audit query latency: the first page of a conversation with 100,000 events against one with 100."""

from __future__ import annotations

import statistics
import time

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from bench.log_generator import grow
from bench.report import Line, Target
from bench.sizes import Sizes
from bench.timing import progress
from infrastructure.bootstrap import build
from infrastructure.settings import Settings

SECTION = "5. Audit trail, first page of 100 events over HTTP, PostgreSQL"
TOKEN = "bench"


def _first_pages(client: TestClient, contact: str, requests: int) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(
            f"/conversations/{contact}/events",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or len(response.json()["items"]) != 100:
            raise RuntimeError(f"unexpected audit answer: {response.status_code} {response.text[:200]}")
    return samples


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    container = build(Settings(database_url=database_url, demo_data=False, api_token=SecretStr(TOKEN)))
    try:
        progress(f"audit: growing a conversation to {sizes.audit_events:,} events")
        long = grow(container.store, "+33700000001", events=sizes.audit_events)
        short = grow(container.store, "+33700000002", events=100)
        with TestClient(create_app(container)) as client:
            _first_pages(client, short.contact, 5)  # warm both paths up
            _first_pages(client, long.contact, 5)
            small = _first_pages(client, short.contact, sizes.audit_requests)
            big = _first_pages(client, long.contact, sizes.audit_requests)
        line = Line(
            SECTION,
            f"conversation of {long.version:,} events",
            statistics.median(big),
            "ms",
            big,
            statistics.median(small),
            f"conversation of {short.version} events",
            small,
            Target("<=", 2.0),
        )
        return [line], [f"audit: {sizes.audit_requests} requests per conversation size, medians"]
    finally:
        container.close()
