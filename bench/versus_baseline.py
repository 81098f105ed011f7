"""1b. Turn throughput against the baseline design (bench/baseline.py): 1 thread, 8 threads, 2 processes.

Rounds alternate convo and the baseline on the same subcontractors, which goes
first alternating too. The processes have subcontractors of their own, as a
deployment of their own would: a turn reads the log for what another process
wrote since this one's cached copy, and turns played here in between would make
every turn there such a one. Alone: `.venv/bin/python -m bench --only versus_baseline [--quick]`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from bench.baseline import Baseline
from bench.chat import staggered, with_histories
from bench.directory import add_subcontractors, crew
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.threads import split, timed_in_threads
from bench.timing import median, progress
from bench.workers import WorkerProcesses
from infrastructure.bootstrap import build

Section = tuple[list[Line], list[str]]
PHONES = "+3365000"  # a block of numbers no other section uses
PROCESS_PHONES = "+3365100"  # the processes' own
BASELINE = "baseline"
ONE, EIGHT, PROCESSES = "1 thread", "8 threads", "2 processes x 4 threads"
TARGET, FLOOR = 1.0, 0.8


def run(database_url: str, sizes: Sizes) -> Section:
    members = crew("V", PHONES, sizes.subcontractors)
    spread = crew("VP", PROCESS_PHONES, sizes.subcontractors)  # ids no other section uses
    add_subcontractors(database_url, members + spread)
    ids = {m.phone: m.id for m in members + spread}
    phones = [m.phone for m in members]
    chats = staggered(phones, "vb")
    container = build(settings_for(database_url))
    baseline = Baseline(database_url, 8, ids, "vb.base")

    def convo(_: int, group: Sequence[str]) -> None:
        for phone in group:
            chats[phone].turn(container.service)

    def in_threads(play: Callable[[int, Sequence[str]], None], threads: int) -> Callable[[], float]:
        return lambda: timed_in_threads(split(phones, threads), play)

    rate: dict[tuple[str, str], list[float]] = defaultdict(list)
    progress(f"versus baseline: {len(phones)} subcontractors, starting 2 worker processes")
    workers = WorkerProcesses(database_url, ids, [m.phone for m in spread], 2, 4)
    try:
        shapes: dict[str, dict[str, Callable[[], float]]] = {
            ONE: {"convo": in_threads(convo, 1), BASELINE: in_threads(baseline.play, 1)},
            EIGHT: {"convo": in_threads(convo, 8), BASELINE: in_threads(baseline.play, 8)},
            PROCESSES: {"convo": lambda: workers.play("convo"), BASELINE: lambda: workers.play(BASELINE)},
        }
        progress("versus baseline: warm-up, every conversation started on both sides")
        with_histories(chats, container.service)
        for players in shapes.values():
            for timed in players.values():
                timed()
        for round_number in range(1, sizes.throughput_rounds + 1):
            for shape, players in shapes.items():
                order = list(players) if round_number % 2 else list(reversed(players))
                for who in order:
                    rate[who, shape].append(len(phones) / players[who]())
            summary = ", ".join(
                f"{s}: {rate['convo', s][-1]:.0f} vs {rate[BASELINE, s][-1]:.0f}" for s in shapes
            )
            progress(f"versus baseline round {round_number}/{sizes.throughput_rounds}: turns/s {summary}")
    finally:
        workers.close()
        baseline.close()
        container.close()

    section = f"1b. Turn throughput against the baseline design, {len(phones):,} subcontractors, PostgreSQL"
    lines = [
        Line(
            section,
            f"convo, {shape}",
            median(rate["convo", shape]),
            "turns/s",
            samples=rate["convo", shape],
            baseline=median(rate[BASELINE, shape]),
            baseline_label=f"{BASELINE}, {shape}",
            baseline_samples=rate[BASELINE, shape],
            target=Target(">=", TARGET),
        )
        for shape in (ONE, EIGHT, PROCESSES)
    ]

    def paired_ratio(shape: str) -> float:
        return median([c / b for c, b in zip(rate["convo", shape], rate[BASELINE, shape], strict=True)])

    paired = ", ".join(f"{shape} {paired_ratio(shape):.2f}" for shape in (ONE, EIGHT, PROCESSES))
    notes = [
        f"versus baseline: median of the ratios of each round (convo and the baseline measured back to "
        f"back, steadier on a busy machine): {paired}.",
        "versus baseline: the baseline is one mutable session row per subcontractor and a messages "
        "table; a turn upserts the session, reads 20 messages and the sites, inserts 3 messages, "
        f"in one transaction (bench/baseline.py); {FLOOR:g} of it is the floor, {TARGET:g} the target.",
    ]
    return lines, notes
