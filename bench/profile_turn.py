"""Where a turn's time goes, on a scratch PostgreSQL database: statements per turn, and time by package.

`.venv/bin/python -m bench.profile_turn [--subcontractors N]`. Turns of the
throughput benchmark's mix, one thread, with warm caches: first timed as they
run (wall time, CPU of this process and of its PostgreSQL backends per turn,
medians of 5 rounds), and the baseline design's turns (bench/baseline.py) the
same way, then every statement sent is counted (each is a round
trip), then the turns are run again under cProfile and the time of every
function is added up by the package it belongs to. Profiling slows Python down
more than waiting: compare shares, not milliseconds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from bench.baseline import Baseline
from bench.chat import Chat
from bench.cpu import CpuMeter
from bench.directory import add_subcontractors, crew
from bench.scratch import scratch_database, settings_for
from infrastructure import libpq_statements
from infrastructure.bootstrap import build

PHONES = "+3367000"
_PACKAGES = (
    ("site-packages/psycopg_pool", "psycopg_pool"),
    ("site-packages/psycopg", "psycopg (Python)"),
    ("site-packages/eventsourcing", "eventsourcing"),
    ("/application/understanding", "application/understanding"),
    ("/application/", "application (the rest)"),
    ("/domain/", "domain"),
    ("/infrastructure/", "infrastructure"),
)


@contextmanager
def counted_statements() -> Iterator[Counter[str]]:
    """Counts every statement sent, by its first words: by a psycopg cursor, or by libpq directly
    (infrastructure/libpq_statements.py: a turn's insert and most of its reads)."""
    counts: Counter[str] = Counter()

    def count(text: str) -> None:
        counts[" ".join(text.split())[:100] or "(empty query: a connection check)"] += 1

    original = psycopg.Cursor.execute
    original_libpq = libpq_statements.execute

    def execute(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        if hasattr(query, "as_string"):
            count(query.as_string(cursor.connection))
        else:
            count(query.decode() if isinstance(query, bytes) else str(query))
        return original(cursor, query, *args, **kwargs)

    def execute_by_libpq(
        connection: psycopg.Connection[Any], statement: libpq_statements.Prepared, *args: Any
    ) -> Any:
        count(statement.text.decode())
        return original_libpq(connection, statement, *args)

    psycopg.Cursor.execute = execute  # type: ignore[assignment,method-assign]
    libpq_statements.execute = execute_by_libpq  # type: ignore[assignment]
    try:
        yield counts
    finally:
        psycopg.Cursor.execute = original  # type: ignore[method-assign]
        libpq_statements.execute = original_libpq


def _package_of(filename: str, function: str) -> str:
    if "psycopg" in filename and function in ("wait", "_send_query_prepared", "_send_prepare"):
        return "waiting on PostgreSQL (psycopg wait/send)"
    if filename.endswith("libpq_statements.py") and function == "execute":
        return "waiting on PostgreSQL (libpq, and its few lines around)"
    for fragment, name in _PACKAGES:
        if fragment in filename:
            return name
    return "standard library and builtins"


def by_package(profile: cProfile.Profile) -> Counter[str]:
    seconds: Counter[str] = Counter()
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_calls, _primitive, own_time, *_rest) in stats.items():
        seconds[_package_of(filename, function)] += own_time
    return seconds


def _timed(url: str, played: Callable[[], None], turns: int) -> tuple[float, float, float]:
    """Medians over 5 rounds, per turn: wall time, this process's CPU and its backends', in ms."""
    timed: list[tuple[float, float, float]] = []
    for _ in range(5):
        with CpuMeter(url) as meter:
            started = time.perf_counter()
            played()
            wall = time.perf_counter() - started
        per_turn = 1000 * wall / turns
        timed.append((per_turn, meter.process_cores * per_turn, meter.backend_cores * per_turn))
    wall_ms, process_ms, backend_ms = (statistics.median(t[i] for t in timed) for i in range(3))
    return wall_ms, process_ms, backend_ms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_turn", description=__doc__)
    parser.add_argument("--subcontractors", type=int, default=300)
    args = parser.parse_args(argv)
    with scratch_database() as url:
        members = crew("F", PHONES, args.subcontractors)
        add_subcontractors(url, members)
        container = build(settings_for(url))
        try:
            chats = [Chat(m.phone, "profile") for m in members]

            def play(rounds: int) -> Callable[[], None]:
                def turns() -> None:
                    for _ in range(rounds):
                        for chat in chats:
                            chat.turn(container.service)

                return turns

            play(2)()  # conversations started, caches warm
            baseline = Baseline(url, 1, {m.phone: m.id for m in members}, "profile.base")
            phones = [m.phone for m in members]
            try:
                baseline.play(0, phones + phones)  # its sessions started, the same way
                for who, played in (
                    ("convo", play(2)),
                    ("the baseline design", lambda: baseline.play(0, phones + phones)),
                ):
                    wall_ms, process_ms, backend_ms = _timed(url, played, 2 * len(chats))
                    print(
                        f"per turn of {who}, medians of 5 rounds of {2 * len(chats)} turns: "
                        f"{wall_ms:.3f} ms of wall time, {process_ms:.3f} ms of this process's CPU, "
                        f"{backend_ms:.3f} ms of its PostgreSQL backends'"
                    )
            finally:
                baseline.close()
            turns = 3 * len(chats)
            with counted_statements() as counts:
                play(3)()
            print(f"statements sent per turn ({turns} turns):")
            for statement, count in counts.most_common():
                print(f"  {count / turns:5.2f}  {statement}")
            print(f"  {sum(counts.values()) / turns:5.2f}  in all")
            profile = cProfile.Profile()
            profile.runcall(play(3))
            seconds = by_package(profile)
            total = sum(seconds.values())
            print(f"time by package under cProfile, {1000 * total / turns:.2f} ms a turn:")
            for package, spent in seconds.most_common():
                print(f"  {100 * spent / total:5.1f}%  {1000 * spent / turns:6.3f} ms  {package}")
        finally:
            container.close()


if __name__ == "__main__":
    main()
