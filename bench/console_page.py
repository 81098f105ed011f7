"""The console's conversation page: a conversation of 10,000 events against one of 100, and the budget."""

from __future__ import annotations

import re
import statistics
import time

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from bench.log_generator import grow
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.timing import progress
from infrastructure.bootstrap import build

SECTION = "Console, a conversation's page (its newest 100 events) over HTTP, PostgreSQL"
TOKEN = "bench"
BUDGET_MS = 300.0


def _signed_in(client: TestClient) -> None:
    form = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post(
        "/console/login",
        data={"token": TOKEN, "operator": "bench", "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"console sign-in failed: {answer.status_code}")


def _pages(client: TestClient, contact: str, requests: int) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        page = client.get(f"/console/conversations/{contact}")
        samples.append((time.perf_counter() - started) * 1000)
        if page.status_code != 200 or page.text.count('class="entry ') != 100:
            raise RuntimeError(f"unexpected console page: {page.status_code} {page.text[:200]}")
    return samples


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    container = build(settings_for(database_url, api_token=SecretStr(TOKEN)))
    try:
        progress(f"console: growing a conversation to {sizes.console_events:,} events")
        long = grow(container.store, "+33700000011", events=sizes.console_events)
        short = grow(container.store, "+33700000012", events=100)
        container.projections.catch_up()
        with TestClient(create_app(container)) as client:
            _signed_in(client)
            _pages(client, short.contact, 5)
            _pages(client, long.contact, 5)
            small = _pages(client, short.contact, sizes.console_requests)
            big = _pages(client, long.contact, sizes.console_requests)
    finally:
        container.close()
    label = f"conversation of {long.version:,} events"
    lines = [
        Line(
            SECTION,
            label,
            statistics.median(big),
            "ms",
            big,
            BUDGET_MS,
            "the 300 ms budget",
            [],
            Target("<=", 1.0),
        ),
        Line(
            SECTION,
            f"{label}, against a short one",
            statistics.median(big),
            "ms",
            big,
            statistics.median(small),
            f"conversation of {short.version} events",
            small,
            Target("<=", 2.0),
        ),
    ]
    return lines, [f"console: {sizes.console_requests} page loads per conversation size, medians, signed in"]
