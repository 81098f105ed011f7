"""Projection rebuild rate over a large log, against plain psycopg reading the same rows.

Each projection reads only the event types it needs, so its floor is measured
on exactly those rows; the rate per event of the whole log is given too.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import psycopg

from bench.log_generator import fill
from bench.report import Line, Target
from bench.sizes import Sizes
from bench.timing import progress
from infrastructure.bootstrap import build
from infrastructure.projections.base import SqlProjection
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS
from infrastructure.settings import Settings

SECTION = "4. Projection rebuild over the log, PostgreSQL"
BATCH = 1000


def _samples(work: Callable[[], object], rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def read_raw(url: str, topics: list[str], *, binary: bool = False) -> int:
    """The floor: the rows a rebuild reads, in the same batches, into tuples, without decoding."""
    rows = 0
    position = 0
    with psycopg.connect(url) as connection:
        while True:
            batch = (
                connection.cursor(binary=binary)
                .execute(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM convo_events WHERE notification_id > %s AND topic = ANY(%s) "
                    "ORDER BY notification_id LIMIT %s",
                    (position, topics, BATCH),
                    prepare=True,
                )
                .fetchall()
            )
            if not batch:
                return rows
            rows += len(batch)
            position = batch[-1][0]


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    container = build(Settings(database_url=database_url, demo_data=False, projection_batch_size=BATCH))
    try:
        progress(f"rebuild: writing {sizes.rebuild_events:,} events")
        fill(
            container.store,
            events=sizes.rebuild_events,
            progress=lambda n: progress(f"  {n:,} events written"),
        )
        log_events = container.store.recorder.max_notification_id() or 0
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE convo_events")  # hint bits set, as on a live system
        lines: list[Line] = []
        notes = [
            f"rebuild: a log of {log_events:,} events; batches of {BATCH}; "
            "floors read the same rows into tuples without decoding "
            "(text is psycopg's default; binary is its cheapest)"
        ]
        for name, projection in PROJECTIONS.items():
            progress(f"rebuild: {name}")
            topics = projection.topics
            rows = read_raw(database_url, topics)

            def read_text(topics: list[str] = topics) -> int:
                return read_raw(database_url, topics)

            def read_binary(topics: list[str] = topics) -> int:
                return read_raw(database_url, topics, binary=True)

            def replay(projection: SqlProjection = projection) -> int:
                return rebuild(container.database, container.store, projection, batch_size=BATCH)

            rounds = sizes.rebuild_rounds
            text = [rows / s for s in _samples(read_text, rounds)]
            binary = [rows / s for s in _samples(read_binary, rounds)]
            seconds = _samples(replay, rounds)
            rates = [rows / s for s in seconds]
            rate = statistics.median(rates)
            lines += [
                Line(SECTION, f"rebuild {name} ({rows:,} rows)", rate, "rows/s", rates,
                     statistics.median(text), "raw floor, psycopg defaults", text, Target(">=", 0.2)),
                Line(SECTION, f"rebuild {name}, vs binary floor", rate, "rows/s", rates,
                     statistics.median(binary), "raw floor, binary", binary),
                Line(SECTION, f"rebuild {name}, per event of the log",
                     log_events / statistics.median(seconds), "events/s"),
            ]  # fmt: skip
        return lines, notes
    finally:
        container.close()
