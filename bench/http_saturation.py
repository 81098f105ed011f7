"""1d. HTTP end to end: `convo serve --workers 2` against the baseline design behind the same stack.

Both servers run FastAPI on uvicorn with httptools and uvloop, 2 worker processes
each, on the same PostgreSQL; the baseline is bench/baseline_app.py (the
design of bench/baseline.py behind the generic webhook's body). Load comes from
other processes over loopback, on kept-alive connections:

- saturation: every connection sends its next message as soon as the last is
  answered, for a fixed time: turns per second;
- half load: messages at half of that server's own saturation rate, on a
  fixed schedule (latency counted from when a message was due, so a stalled
  server cannot hide its queue): p50 and p99.

The servers take turns within each round. Alone: `.venv/bin/python -m bench
--only http_saturation [--quick]`.
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from itertools import count

import httpx

from bench.baseline import Baseline
from bench.directory import add_subcontractors, crew
from bench.report import Line, Target
from bench.serving import Served, convo_serve, served_by, server_env
from bench.sizes import Sizes
from bench.timing import median, progress

Section = tuple[list[Line], list[str]]
SECTION = "1d. HTTP end to end, 2 worker processes each, PostgreSQL"
PHONES = "+3366500"  # a block of numbers no other section uses
TOKEN = "bench-saturation-token"
WORKERS = 2
LOAD_PROCESSES = 2
CONNECTIONS_PER_PROCESS = 8
TEXTS = ("Bonjour", "mes chantiers", "1", "menu")
CONVO, BASELINE = "convo", "baseline"


def drive(
    base_url: str, phones: list[str], tag: str, seconds: float, rate: float | None
) -> tuple[int, list[float], int]:
    """In a load process: (answered, latencies in ms, errors) over `seconds`. `rate` None: closed
    loop, as fast as answers come; else this process's messages per second, on a schedule."""
    numbers = count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    start = time.perf_counter() + 0.2
    deadline = start + seconds
    interval = None if rate is None else CONNECTIONS_PER_PROCESS / rate

    def connection(index: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30, headers=headers) as client:
            due = start + (0.0 if interval is None else interval * index / CONNECTIONS_PER_PROCESS)
            while True:
                now = time.perf_counter()
                if interval is not None and due > now:
                    time.sleep(due - now)
                sent_at = due if interval is not None else time.perf_counter()
                if sent_at >= deadline:
                    return
                with lock:
                    n = next(numbers)
                body = {
                    "message_id": f"{tag}-{n}",
                    "from": phones[n % len(phones)],
                    "text": TEXTS[n % len(TEXTS)],
                }
                answer = client.post("/webhooks/generic", json=body)
                took = (time.perf_counter() - sent_at) * 1000
                with lock:
                    if answer.status_code == 200:
                        latencies.append(took)
                    else:
                        errors[0] += 1
                if interval is not None:
                    due += interval

    threads = [threading.Thread(target=connection, args=(i,)) for i in range(CONNECTIONS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, errors[0]


def _load(
    pool: ProcessPoolExecutor, served: Served, phones: list[str], tag: str, seconds: float, rate: float | None
) -> tuple[float, list[float], int]:
    """(turns/s, latencies, errors) of LOAD_PROCESSES processes driving `served`."""
    shares = [phones[i::LOAD_PROCESSES] for i in range(LOAD_PROCESSES)]
    each = None if rate is None else rate / LOAD_PROCESSES
    futures = [
        pool.submit(drive, served.base_url, share, f"{tag}-{i}", seconds, each)
        for i, share in enumerate(shares)
    ]
    results = [future.result(timeout=seconds + 120) for future in futures]
    answered = sum(r[0] for r in results)
    return answered / seconds, [ms for r in results for ms in r[1]], sum(r[2] for r in results)


@contextmanager
def baseline_app_served(database_url: str, workers: int) -> Iterator[Served]:
    """The baseline app on uvicorn with httptools and uvloop, as `convo serve` runs, until the block ends."""
    env = server_env(database_url) | {"BENCH_DATABASE_URL": database_url, "BENCH_POOL_SIZE": "5"}
    command = [
        "-m", "uvicorn", "bench.baseline_app:app", "--workers", str(workers), "--http", "httptools",
        "--loop", "uvloop", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with served_by(command, env, workers, ready="/healthz") as served:
        yield served


def _p(values: list[float], quantile: int) -> float:
    return statistics.quantiles(values, n=100)[quantile - 1] if len(values) > 1 else float("nan")


def run(database_url: str, sizes: Sizes) -> Section:
    members = crew("H", PHONES, sizes.http_subcontractors)
    add_subcontractors(database_url, members)
    Baseline(database_url, 1, {}, "tables").close()  # the baseline's tables, made once
    phones = [m.phone for m in members]
    convo_env = server_env(database_url, generic_webhook_token=TOKEN)
    saturated: dict[str, list[float]] = {CONVO: [], BASELINE: []}
    p50: dict[str, list[float]] = {CONVO: [], BASELINE: []}
    p99: dict[str, list[float]] = {CONVO: [], BASELINE: []}
    failed: dict[str, int] = {CONVO: 0, BASELINE: 0}
    seconds = sizes.http_seconds
    with ExitStack() as stack:
        progress("http saturation: starting convo serve and the baseline app, 2 workers each")
        servers: dict[str, Served] = {
            CONVO: stack.enter_context(convo_serve(convo_env, WORKERS)),
            BASELINE: stack.enter_context(baseline_app_served(database_url, WORKERS)),
        }
        context = multiprocessing.get_context("spawn")
        pool = stack.enter_context(ProcessPoolExecutor(max_workers=LOAD_PROCESSES, mp_context=context))
        for who, served in servers.items():  # warm-up: every conversation started, pools full
            _load(pool, served, phones, f"warm-{who}", 2.0, None)
        for round_number in range(1, sizes.http_rounds + 1):
            order = (CONVO, BASELINE) if round_number % 2 else (BASELINE, CONVO)
            for who in order:
                rate, _, errors = _load(
                    pool, servers[who], phones, f"sat-{who}-{round_number}", seconds, None
                )
                saturated[who].append(rate)
                failed[who] += errors
            for who in order:
                half = median(saturated[who][-1:]) / 2
                _, latencies, errors = _load(
                    pool, servers[who], phones, f"half-{who}-{round_number}", seconds, half
                )
                p50[who].append(_p(latencies, 50))
                p99[who].append(_p(latencies, 99))
                failed[who] += errors
            progress(
                f"http saturation round {round_number}/{sizes.http_rounds}: turns/s convo "
                f"{saturated[CONVO][-1]:.0f} vs baseline {saturated[BASELINE][-1]:.0f}; p99 at half load "
                f"{p99[CONVO][-1]:.1f} vs {p99[BASELINE][-1]:.1f} ms"
            )
    lines = [
        Line(
            SECTION,
            "convo, turns/s at saturation",
            median(saturated[CONVO]),
            "turns/s",
            saturated[CONVO],
            median(saturated[BASELINE]),
            "baseline app, turns/s at saturation",
            saturated[BASELINE],
            Target(">=", 1.0),
        ),
        _latency("p50", p50),
        _latency("p99", p99),
    ]
    notes = [
        f"http saturation: {LOAD_PROCESSES} load processes x {CONNECTIONS_PER_PROCESS} kept-alive "
        f"connections, {seconds:.0f} s per measurement, {len(phones)} subcontractors, generic-webhook texts "
        f"{', '.join(TEXTS)}; half load is half of each server's own saturation rate; the p99 target is "
        f"50 ms. Answers other than 200: convo {failed[CONVO]}, baseline {failed[BASELINE]}.",
        f"http saturation: convo p99 at half load {median(p99[CONVO]):.1f} ms "
        f"({'within' if median(p99[CONVO]) <= 50 else 'over'} the 50 ms target).",
    ]
    return lines, notes


def _latency(stat: str, values: dict[str, list[float]]) -> Line:
    return Line(
        SECTION,
        f"convo, {stat} at half load",
        median(values[CONVO]),
        "ms",
        values[CONVO],
        median(values[BASELINE]),
        f"baseline app, {stat} at half load",
        values[BASELINE],
    )
