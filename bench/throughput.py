"""1. Turn throughput over many subcontractors, 1 and 8 threads, against the raw floor."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence

from bench.chat import staggered, with_histories
from bench.cpu import CpuMeter
from bench.directory import add_subcontractors, crew
from bench.floor import Floor, last_position, shape_since
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.threads import split, timed_in_threads
from bench.timing import Stopwatch, median, progress
from infrastructure.bootstrap import build

Section = tuple[list[Line], list[str]]
Key = tuple[str, int]  # (who, threads)
FLOOR = "raw psycopg floor"
LOCKED = "floor + LOCK TABLE/NOTIFY"


def run(database_url: str, sizes: Sizes) -> Section:
    members = crew("B", "+3361000", sizes.subcontractors)
    add_subcontractors(database_url, members)
    phones = [m.phone for m in members]
    chats = staggered(phones, "tp")
    turns = len(phones)
    container = build(settings_for(database_url))
    event_inserts = Stopwatch()
    recorder = container.store.recorder
    recorder.insert_events = event_inserts.wrap(recorder.insert_events)  # type: ignore[method-assign]
    floor = Floor(database_url, max(sizes.thread_counts))

    def convo(_: int, group: Sequence[str]) -> None:
        for phone in group:
            chats[phone].turn(container.service)

    players: dict[str, Callable[[int, Sequence[str]], None]] = {
        "convo": convo,
        FLOOR: floor.plain,
        LOCKED: floor.locked,
    }
    rate: dict[Key, list[float]] = defaultdict(list)
    insert_share: dict[Key, list[float]] = defaultdict(list)
    insert_ms: dict[Key, list[float]] = defaultdict(list)
    cpu: dict[str, dict[Key, list[float]]] = defaultdict(lambda: defaultdict(list))
    try:
        progress(f"throughput: warm-up, {turns} subcontractors start their conversations")
        timed_in_threads(split(phones, 1), convo)
        with_histories(chats, container.service)
        position = last_position(database_url)
        timed_in_threads(split(phones, 1), convo)
        floor.shape = shape_since(database_url, position, turns)
        timed_in_threads(split(phones, 1), floor.locked)
        for round_number in range(1, sizes.throughput_rounds + 1):
            for threads in sizes.thread_counts:
                for who, play in players.items():
                    key = (who, threads)
                    event_inserts.reset()
                    with CpuMeter(database_url) as meter:
                        wall = timed_in_threads(split(phones, threads), play)
                    rate[key].append(turns / wall)
                    cpu["process"][key].append(meter.process_cores)
                    cpu["backends"][key].append(meter.backend_cores)
                    cpu["machine"][key].append(meter.machine_busy)
                    if who == "convo":
                        insert_share[key].append(100 * event_inserts.seconds / (threads * wall))
                        insert_ms[key].append(1000 * event_inserts.seconds / max(event_inserts.calls, 1))
            summary = ", ".join(
                f"{t} thr {rate['convo', t][-1]:.0f} vs floor {rate[FLOOR, t][-1]:.0f}"
                for t in sizes.thread_counts
            )
            progress(f"throughput round {round_number}/{sizes.throughput_rounds}: turns/s {summary}")
    finally:
        floor.close()
        container.close()

    section = f"1. Turn throughput, {turns:,} subcontractors, PostgreSQL"
    one, many = sizes.thread_counts[0], sizes.thread_counts[-1]

    def line(label: str, values: dict[Key, list[float]], key: Key, unit: str, base: Key, name: str) -> Line:
        return Line(
            section,
            label,
            median(values[key]),
            unit,
            samples=values[key],
            baseline=median(values[base]),
            baseline_label=name,
            baseline_samples=values[base],
        )

    lines: list[Line] = []
    for t in sizes.thread_counts:
        plural = "s" if t > 1 else ""
        lines.append(
            line(f"convo, {t} thread{plural}", rate, ("convo", t), "turns/s", (FLOOR, t), f"{FLOOR}, {t} thr")
        )
        if t == one:
            lines[-1].target = Target(">=", 0.5)
    lines += [
        line(f"{LOCKED}, {t} thr", rate, (LOCKED, t), "turns/s", (FLOOR, t), f"{FLOOR}, {t} thr")
        for t in sizes.thread_counts
    ]
    lines += [
        line(
            f"scaling {one} -> {many} threads, {who}", rate, (who, many), "turns/s", (who, one), f"{one} thr"
        )
        for who in players
    ]
    at_one = f"at {one} thread"
    lines += [
        line(
            f"event insert (lock+notify+insert+commit), {many} thr",
            insert_ms,
            ("convo", many),
            "ms",
            ("convo", one),
            at_one,
        ),
        line(
            f"share of thread time in event inserts, {many} thr",
            insert_share,
            ("convo", many),
            "%",
            ("convo", one),
            at_one,
        ),
        line(
            f"CPU, benchmark process, convo {many} thr",
            cpu["process"],
            ("convo", many),
            "cores",
            ("convo", one),
            at_one,
        ),
        line(
            f"CPU, its PostgreSQL backends, convo {many} thr",
            cpu["backends"],
            ("convo", many),
            "cores",
            ("convo", one),
            at_one,
        ),
        line(
            f"CPU, whole machine, convo {many} thr",
            cpu["machine"],
            ("convo", many),
            "% busy",
            ("convo", one),
            at_one,
        ),
        line(
            f"CPU, whole machine, floor {many} thr",
            cpu["machine"],
            (FLOOR, many),
            "% busy",
            (FLOOR, one),
            at_one,
        ),
    ]
    notes = [
        f"throughput: a turn writes {floor.shape.rows:.1f} rows of {floor.shape.row_bytes:.0f} bytes on "
        f"average; the floor writes {max(1, round(floor.shape.rows))} such rows per turn in one statement.",
        f"throughput: the machine has {os.cpu_count()} CPUs, shared by this process, the PostgreSQL server "
        "and anything else running; 'whole machine' counts everything.",
    ]
    return lines, notes
