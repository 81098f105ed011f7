"""Audit query latency: the first page of a conversation with 100,000 events against one with 100."""

from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from bench.log_generator import grow
from infrastructure.bootstrap import build, migrate
from infrastructure.settings import Settings
from tests import postgres

TOKEN = "bench"


def first_page_seconds(client: TestClient, contact: str, requests: int) -> float:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(
            f"/conversations/{contact}/events",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200 and len(response.json()["items"]) == 100, response.text
    return statistics.median(samples)


def measure(long_events: int, short_events: int, requests: int) -> tuple[float, float, int, int]:
    with postgres.scratch_database("convo_bench") as url:
        settings = Settings(database_url=url, api_token=SecretStr(TOKEN))
        migrate(settings)
        container = build(settings)
        try:
            print(f"audit: growing a conversation to {long_events:,} events ...", flush=True)
            long = grow(container.store, "+33700000001", events=long_events)
            short = grow(container.store, "+33700000002", events=short_events)
            with TestClient(create_app(container)) as client:
                first_page_seconds(client, short.contact, 5)  # warm up both paths
                first_page_seconds(client, long.contact, 5)
                short_s = first_page_seconds(client, short.contact, requests)
                long_s = first_page_seconds(client, long.contact, requests)
            return long_s, short_s, long.version, short.version
        finally:
            container.close()


def report(long_s: float, short_s: float, long_n: int, short_n: int) -> list[str]:
    ratio = long_s / short_s
    verdict = "ok" if ratio <= 2 else "ABOVE TARGET"
    return [
        "audit: first page (100 events) over HTTP, PostgreSQL, medians",
        f"  conversation of {short_n:>9,} events  {short_s * 1000:7.2f} ms",
        f"  conversation of {long_n:>9,} events  {long_s * 1000:7.2f} ms   {ratio:.2f}x ({verdict}, target <= 2x)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    for line in report(*measure(args.events, 100, args.requests)):
        print(line, flush=True)


if __name__ == "__main__":
    main()
