"""Worker memory: RSS of a worker after 100,000 conversations against after 1,000 (same run).

The worker is a separate process holding what a `convo serve` worker holds (the container built from
settings with the aggregate cache at its default size, and the app), started on the memory allocator
`convo serve` starts its workers on (api/allocator.py; `--allocator python` for Python's own), and
playing real turns, one per conversation, for registered subcontractors, on 4 threads as the
server's thread pool would. Through
HTTP the same turns would take several times as long; the server's per-request objects do not
outlive their request.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from api.allocator import Allocator, allocator_environment, runs_on_jemalloc
from api.app import create_app
from application.inbound import Inbound
from bench.directory import Member, add_subcontractors
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.timing import progress
from infrastructure.bootstrap import build
from infrastructure.settings import Settings

SECTION = "Worker memory, aggregate cache at its default size, PostgreSQL"
FIRST = 1_000  # conversations before the first reading
THREADS = 4
_PHONES = "+336180"


def _phone(n: int) -> str:
    return f"{_PHONES}{n:06d}"


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _worker(database_url: str, threads: int = THREADS) -> None:
    """Reads `start count` lines; plays one turn in each of those conversations; answers its RSS in KiB."""
    container = build(settings_for(database_url))
    default = Settings.model_fields["aggregate_cache_size"].default
    assert container.settings.aggregate_cache_size == default, "the cache must be at its default size"
    app = create_app(container)  # held, as a worker holds it: its routes, templates and their modules

    def turn(n: int) -> None:
        phone = _phone(n)
        container.service.handle(
            Inbound(channel="bench", message_id=f"mem:{n}", sender=phone, text="Bonjour")
        )

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for command in sys.stdin:
                start, count = map(int, command.split())
                list(pool.map(turn, range(start, start + count), chunksize=50))
                gc.collect()
                print(_rss_kib(), flush=True)
    finally:
        del app
        container.close()


def run(
    database_url: str, sizes: Sizes, threads: int = THREADS, allocator: Allocator | None = None
) -> tuple[list[Line], list[str]]:
    total = sizes.memory_conversations
    chosen: Allocator = allocator or Settings.model_fields["allocator"].default
    environment = allocator_environment(chosen, os.environ) or dict(os.environ)
    progress(f"worker memory: registering {total:,} subcontractors")
    add_subcontractors(database_url, [Member(f"M-{n:06d}", _phone(n), ("P-TIL",), 2) for n in range(total)])
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.worker_memory", "--worker", database_url, str(threads)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert worker.stdin is not None
    assert worker.stdout is not None
    readings: dict[int, float] = {}
    try:
        done = 0
        for upto in (FIRST, *range(10_000, total, 10_000), total):
            if upto <= done:
                continue
            worker.stdin.write(f"{done} {upto - done}\n")
            worker.stdin.flush()
            readings[upto] = int(worker.stdout.readline()) / 1024
            on = "jemalloc" if runs_on_jemalloc(worker.pid) else "Python's allocator"  # it is running now
            done = upto
            progress(f"worker memory: {done:,} conversations, RSS {readings[done]:.0f} MiB")
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    line = Line(
        SECTION,
        f"worker RSS after {total:,} conversations",
        readings[total],
        "MiB",
        baseline=readings[FIRST],
        baseline_label=f"after {FIRST:,}",
        target=Target("<=", 1.1),
    )
    curve = ", ".join(f"{n:,}: {mib:.0f}" for n, mib in readings.items())
    playing = f"{threads} thread{'s' if threads != 1 else ''}"
    notes = [
        f"worker memory: one real turn per conversation from a registered subcontractor, {playing}, "
        f"in a process holding a worker's container, on {on}; RSS in MiB after each step: {curve}."
    ]
    return [line], notes


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        _worker(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)

    import argparse

    from bench.report import render
    from bench.scratch import scratch_database
    from bench.sizes import FULL, QUICK

    parser = argparse.ArgumentParser(prog="python -m bench.worker_memory", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5,000 conversations instead of 100,000")
    parser.add_argument(
        "--threads", type=int, default=THREADS, help=f"threads playing turns (default {THREADS})"
    )
    parser.add_argument(
        "--allocator",
        choices=["jemalloc", "python"],
        help="the worker's memory allocator (default: the one `convo serve` runs on)",
    )
    options = parser.parse_args()
    with scratch_database() as url:
        lines, notes = run(url, QUICK if options.quick else FULL, options.threads, options.allocator)
    print(render(lines))
    print(*notes, sep="\n")
