"""Projection rebuild rate over a large log, against plain psycopg reading the same rows.

Each projection reads only the event types it needs, so its floor is measured
on exactly those rows; rates are also given per event of the whole log.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from bench.log_generator import fill
from infrastructure.bootstrap import build, migrate
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS
from infrastructure.settings import Settings
from tests import postgres

BATCH = 1000


def say(line: str) -> None:
    print(line, flush=True)


def median_seconds(work: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


@dataclass
class ProjectionFigures:
    name: str
    rows: int  # the rows of the log this projection reads
    floor_seconds: float  # psycopg's defaults: text transfer
    binary_floor_seconds: float  # the cheapest read psycopg has
    rebuild_seconds: float

    @property
    def ratio(self) -> float:
        return self.floor_seconds / self.rebuild_seconds

    @property
    def binary_ratio(self) -> float:
        return self.binary_floor_seconds / self.rebuild_seconds


def read_raw(url: str, topics: list[str], *, binary: bool = False) -> int:
    """The floor: the rows a rebuild reads, in the same batches, into tuples, without decoding."""
    rows = 0
    position = 0
    with psycopg.connect(url) as connection:
        while True:
            batch = (
                connection.cursor(binary=binary)
                .execute(
                    "SELECT notification_id, originator_id, originator_version, topic, state FROM convo_events "
                    "WHERE notification_id > %s AND topic = ANY(%s) ORDER BY notification_id LIMIT %s",
                    (position, topics, BATCH),
                    prepare=True,
                )
                .fetchall()
            )
            if not batch:
                return rows
            rows += len(batch)
            position = batch[-1][0]


def measure(events: int, rounds: int) -> tuple[int, list[ProjectionFigures]]:
    with postgres.scratch_database("convo_bench") as url:
        settings = Settings(database_url=url, projection_batch_size=BATCH)
        migrate(settings)
        container = build(settings)
        try:
            say(f"rebuild: writing {events:,} events ...")
            written = fill(container.store, events=events, progress=lambda n: say(f"  {n:,} events written"))
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE convo_events")  # hint bits set, as on a live system
            figures = []
            for name, projection in PROJECTIONS.items():
                rows = read_raw(url, projection.topics)
                floor = median_seconds(lambda p=projection: read_raw(url, p.topics), rounds)
                binary_floor = median_seconds(
                    lambda p=projection: read_raw(url, p.topics, binary=True), rounds
                )
                seconds = median_seconds(
                    lambda p=projection: rebuild(container.database, container.store, p, batch_size=BATCH),
                    rounds,
                )
                figures.append(ProjectionFigures(name, rows, floor, binary_floor, seconds))
                say(f"  {name}: floor {rows / floor:,.0f} rows/s, rebuild {rows / seconds:,.0f} rows/s")
            return written, figures
        finally:
            container.close()


def report(events: int, figures: list[ProjectionFigures]) -> list[str]:
    lines = [
        f"rebuild over a log of {events:,} events (PostgreSQL, batches of {BATCH}, medians)",
        "  floor: plain psycopg reading the same rows into tuples, no decoding (text = its default; binary)",
        f"  {'projection':<14}{'rows read':>10}{'floor/s':>10}{'binary/s':>10}{'rebuild/s':>11}"
        f"{'ratio':>7}{'vs binary':>10}{'log events/s':>14}  target >= 0.2",
    ]
    for f in figures:
        verdict = "ok" if f.ratio >= 0.2 else "BELOW"
        lines.append(
            f"  {f.name:<14}{f.rows:>10,}{f.rows / f.floor_seconds:>10,.0f}{f.rows / f.binary_floor_seconds:>10,.0f}"
            f"{f.rows / f.rebuild_seconds:>11,.0f}{f.ratio:>7.2f}{f.binary_ratio:>10.2f}"
            f"{events / f.rebuild_seconds:>14,.0f}  {verdict}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    events, figures = measure(args.events, args.rounds)
    for line in report(events, figures):
        say(line)


if __name__ == "__main__":
    main()
