"""Latency per request under `convo serve --workers N` for N = 1, 2, 4, against one worker (same run).

Kept-alive connections, one request at a time: the load of a site bot most of the day. A server stack
that leaves Nagle's algorithm on for the connections its workers accept makes each response wait for
the client's delayed ACK (about 40 ms on Linux); this section shows it as a ratio far above 1.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from itertools import count

import httpx

from bench.directory import add_subcontractors, crew
from bench.report import Line, Target
from bench.serving import Served, convo_serve, server_env
from bench.sizes import Sizes
from bench.timing import median, progress

SECTION = "Latency per request, convo serve --workers N against 1 worker, kept-alive connections, PostgreSQL"
WORKER_COUNTS = (1, 2, 4)
CONNECTIONS = 4  # kept alive, so that several workers answer; each sends its share in a row
TOKEN = "bench-workers-token"
_WARM_UP = 40  # requests per server before the first round: every worker has answered and warmed up

Request = Callable[[httpx.Client], httpx.Response]


def _healthz(client: httpx.Client) -> httpx.Response:
    return client.get("/healthz")


def _webhook(phones: list[str]) -> Request:
    messages = count()

    def turn(client: httpx.Client) -> httpx.Response:
        n = next(messages)
        body = {"message_id": f"wl-{n}", "from": phones[n % len(phones)], "text": ("Bonjour", "menu")[n % 2]}
        return client.post("/webhooks/generic", json=body, headers={"Authorization": f"Bearer {TOKEN}"})

    return turn


def _timed(clients: list[httpx.Client], request: Request, requests: int) -> list[float]:
    """Milliseconds per request, one at a time, each kept-alive connection sending its share in a row.

    In a row, as a provider's webhook client does: after a pause the client's kernel acknowledges at
    once for a while, which would hide a stall that every request of a busy connection pays.
    """
    times = []
    for n in range(requests):
        client = clients[n * len(clients) // requests]
        started = time.perf_counter()
        response = request(client)
        times.append(1000 * (time.perf_counter() - started))
        if response.status_code != 200:
            raise RuntimeError(
                f"{response.request.url.path} answered {response.status_code}: {response.text}"
            )
    return times


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _connections(served: Served) -> list[httpx.Client]:
    # One connection per client, kept alive across its requests.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return [httpx.Client(base_url=served.base_url, limits=limits, timeout=30) for _ in range(CONNECTIONS)]


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    members = crew("K", "+3361700", 200)  # ids and numbers no other section uses
    add_subcontractors(database_url, members)
    # Small pools: three servers run at once on a shared PostgreSQL, one request at a time.
    env = server_env(database_url, generic_webhook_token=TOKEN, pool_size="2", pool_max_overflow="1")
    kinds: dict[str, Request] = {"healthz": _healthz, "webhook turn": _webhook([m.phone for m in members])}
    p50: dict[tuple[str, int], list[float]] = {(k, n): [] for k in kinds for n in WORKER_COUNTS}
    p99: dict[tuple[str, int], list[float]] = {(k, n): [] for k in kinds for n in WORKER_COUNTS}
    with ExitStack() as stack:
        progress(f"workers latency: starting convo serve with {', '.join(map(str, WORKER_COUNTS))} workers")
        clients: dict[int, list[httpx.Client]] = {}
        for workers in WORKER_COUNTS:
            served = stack.enter_context(convo_serve(env, workers))
            clients[workers] = _connections(served)
            for client in clients[workers]:
                stack.callback(client.close)
            for request in kinds.values():
                _timed(clients[workers], request, _WARM_UP)
        for round_number in range(1, sizes.workers_rounds + 1):
            # The servers take turns within each round, so the machine's drifting load hits all of them.
            order = WORKER_COUNTS if round_number % 2 else WORKER_COUNTS[::-1]
            for kind, request in kinds.items():
                for workers in order:
                    times = _timed(clients[workers], request, sizes.workers_requests)
                    p50[kind, workers].append(median(times))
                    p99[kind, workers].append(_p99(times))
            summary = ", ".join(
                f"{kind} " + "/".join(f"{p50[kind, n][-1]:.2f}" for n in WORKER_COUNTS) for kind in kinds
            )
            progress(
                f"workers latency round {round_number}/{sizes.workers_rounds}: "
                f"p50 ms at 1/2/4 workers: {summary}"
            )
    lines = []
    for kind in kinds:
        for stat, values in (("p50", p50), ("p99", p99)):
            for workers in WORKER_COUNTS[1:]:
                lines.append(
                    Line(
                        SECTION,
                        f"{kind} {stat}, {workers} workers",
                        median(values[kind, workers]),
                        "ms",
                        values[kind, workers],
                        median(values[kind, 1]),
                        f"1 worker ({kind} {stat})",
                        values[kind, 1],
                        # p99 of a few hundred requests on a shared machine is the noisiest
                        # figure: shown, not judged.
                        Target("<=", 1.2) if stat == "p50" else None,
                    )
                )
    notes = [
        f"workers latency: {sizes.workers_requests} requests per server, kind and round, "
        f"{sizes.workers_rounds} rounds, one at a time over {CONNECTIONS} kept-alive connections; "
        "a webhook turn is a generic-webhook message from one of 200 subcontractors."
    ]
    return lines, notes


if __name__ == "__main__":
    import sys

    from bench.report import render
    from bench.scratch import scratch_database
    from bench.sizes import FULL, QUICK

    with scratch_database() as url:
        lines, notes = run(url, QUICK if "--quick" in sys.argv else FULL)
    print(render(lines))
    print(*notes, sep="\n")
