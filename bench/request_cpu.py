"""CPU of a worker per generic-webhook request: `convo serve` against the baseline app, one worker each.

Saturation runs (`http_saturation`) move by a tenth from one minute to the next on a shared machine;
the CPU a server process spends per request, from its own accounting, moves by a few per cent. So
this is where a change to the HTTP path is measured: the same messages from four kept-alive
connections (as many as the server's thread pool keeps busy without queueing), the two servers
taking turns within each round.

Alone: `.venv/bin/python -m bench --only request_cpu [--quick]`.
"""

from __future__ import annotations

import os
import threading
from contextlib import ExitStack

import httpx

from bench.baseline import Baseline
from bench.cpu import process_seconds
from bench.directory import add_subcontractors, crew
from bench.http_saturation import TEXTS, baseline_app_served
from bench.report import Line
from bench.serving import Served, convo_serve, server_env, worker_pids
from bench.sizes import Sizes
from bench.timing import median, progress

SECTION = "1e. Worker CPU per generic-webhook request, 1 worker each, PostgreSQL"
PHONES = "+3366800"  # a block of numbers no other section uses
PEOPLE = 100
TOKEN = "bench-request-cpu-token"
CONNECTIONS = 4
CONVO, BASELINE = "convo", "baseline"
_TICKS = os.sysconf("SC_CLK_TCK")


def _server_cpu(served: Served) -> float:
    return sum(process_seconds(pid) for pid in (served.pid, *worker_pids(served.pid)))


def _send(served: Served, phones: list[str], tag: str, requests: int) -> int:
    """`requests` webhooks over CONNECTIONS kept-alive connections; answers other than 200."""
    failed = [0]

    def connection(first: int) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=served.base_url, headers=headers, timeout=30) as client:
            for n in range(first, requests, CONNECTIONS):
                phone, text = phones[n % len(phones)], TEXTS[n % len(TEXTS)]
                body = {"message_id": f"{tag}-{n}", "from": phone, "text": text}
                if client.post("/webhooks/generic", json=body).status_code != 200:
                    failed[0] += 1

    threads = [threading.Thread(target=connection, args=(first,)) for first in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failed[0]


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    members = crew("RC", PHONES, PEOPLE)
    add_subcontractors(database_url, members)
    Baseline(database_url, 1, {}, "tables").close()  # the baseline's tables, made once
    phones = [m.phone for m in members]
    requests = sizes.request_cpu_requests
    per_request: dict[str, list[float]] = {CONVO: [], BASELINE: []}
    failed = {CONVO: 0, BASELINE: 0}
    with ExitStack() as stack:
        progress("request cpu: starting convo serve and the baseline app, 1 worker each")
        servers = {
            CONVO: stack.enter_context(convo_serve(server_env(database_url, generic_webhook_token=TOKEN), 1)),
            BASELINE: stack.enter_context(baseline_app_served(database_url, 1)),
        }
        for who, served in servers.items():  # every conversation started, pools and caches warm
            failed[who] += _send(served, phones, f"rc-warm-{who}", 2 * PEOPLE)
        for round_number in range(1, sizes.request_cpu_rounds + 1):
            order = (CONVO, BASELINE) if round_number % 2 else (BASELINE, CONVO)
            for who in order:
                served = servers[who]
                before = _server_cpu(served)
                failed[who] += _send(served, phones, f"rc-{round_number}-{who}", requests)
                per_request[who].append((_server_cpu(served) - before) / requests * 1000)
            progress(
                f"request cpu round {round_number}/{sizes.request_cpu_rounds}: convo "
                f"{per_request[CONVO][-1]:.3f} ms vs baseline {per_request[BASELINE][-1]:.3f} ms a request"
            )
    line = Line(
        SECTION,
        "convo, worker CPU per request",
        median(per_request[CONVO]),
        "ms",
        per_request[CONVO],
        median(per_request[BASELINE]),
        "baseline app, worker CPU per request",
        per_request[BASELINE],
    )
    notes = [
        f"request cpu: {requests:,} generic-webhook requests a round and server, {CONNECTIONS} kept-alive "
        f"connections, {PEOPLE} subcontractors, texts {', '.join(TEXTS)}; CPU of the server process from "
        f"/proc (clock ticks: {1000 / _TICKS:.0f} ms). Answers other than 200: convo {failed[CONVO]}, "
        f"baseline {failed[BASELINE]}."
    ]
    return [line], notes
