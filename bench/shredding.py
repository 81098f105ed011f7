"""Crypto-shredding's cost: sealed personal values against the same service storing them in clear.

Three measurements, each sealed against unsealed in the same run:

* turn throughput, the workload of section 1 (real turns through the service,
  1 and 8 threads), on two crews of the shared scratch database;
* projection rebuild over two logs of the same conversations (log_generator's
  `fill`, which writes through the store's mapper: sealed when the store is),
  each in a database of its own, as a rebuild replays the whole log; the
  keyring's cache is emptied before each sealed rebuild, as in a new process;
* the erasure of one person with 10,000 events, against its 1 s budget.

Rounds alternate which side goes first. Alone: `.venv/bin/python -m bench --only shredding [--quick]`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

import psycopg

from bench.chat import staggered, with_histories
from bench.directory import add_subcontractors, crew
from bench.log_generator import fill, grow
from bench.rebuild_rate import BATCH
from bench.report import Line, Target
from bench.scratch import scratch_database, settings_for
from bench.sizes import Sizes
from bench.threads import split, timed_in_threads
from bench.timing import median, progress
from infrastructure.bootstrap import Container, build
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS

Section = tuple[list[Line], list[str]]
SECTION = "Crypto-shredding: personal values sealed against stored in clear, PostgreSQL"
# Ids and blocks of numbers no other section uses (they share the scratch database).
SEALED_CREW, SEALED_PHONES = "SEAL", "+3363000"
CLEAR_CREW, CLEAR_PHONES = "CLEAR", "+3363500"
ERASED_PHONES = "+3363900"
SEALED, CLEAR = "sealed", "clear"
THROUGHPUT_TARGET, REBUILD_TARGET, ERASURE_BUDGET = 0.9, 0.85, 1.0


def run(database_url: str, sizes: Sizes) -> Section:
    lines, notes = _throughput(database_url, sizes)
    more_lines, more_notes = _rebuilds(sizes)
    lines += more_lines
    notes += more_notes
    more_lines, more_notes = _erasures(database_url, sizes)
    return lines + more_lines, notes + more_notes


def _order(round_number: int) -> tuple[str, str]:
    return (SEALED, CLEAR) if round_number % 2 else (CLEAR, SEALED)


def _versus(label: str, values: dict[str, list[float]], unit: str, base: str, target: float) -> Line:
    return Line(
        SECTION,
        label,
        median(values[SEALED]),
        unit,
        samples=values[SEALED],
        baseline=median(values[CLEAR]),
        baseline_label=base,
        baseline_samples=values[CLEAR],
        target=Target(">=", target),
    )


# -- 1. turns ----------------------------------------------------------------------


def _throughput(database_url: str, sizes: Sizes) -> Section:
    crews = {
        SEALED: crew(SEALED_CREW, SEALED_PHONES, sizes.subcontractors),
        CLEAR: crew(CLEAR_CREW, CLEAR_PHONES, sizes.subcontractors),
    }
    for members in crews.values():
        add_subcontractors(database_url, members)
    containers = {
        SEALED: build(settings_for(database_url), sealed=True),
        CLEAR: build(settings_for(database_url), sealed=False),
    }
    phones = {side: [m.phone for m in members] for side, members in crews.items()}
    chats = {side: staggered(phones[side], f"sh.{side}") for side in crews}

    def player(side: str) -> Callable[[int, Sequence[str]], None]:
        service = containers[side].service

        def play(_: int, group: Sequence[str]) -> None:
            for phone in group:
                chats[side][phone].turn(service)

        return play

    players = {side: player(side) for side in crews}
    rate: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    turns = sizes.subcontractors
    try:
        progress(f"shredding: warm-up, {turns} subcontractors a side start their conversations")
        for _ in range(2):
            for side in crews:
                timed_in_threads(split(phones[side], 1), players[side])
        for side in crews:
            with_histories(chats[side], containers[side].service)
        for round_number in range(1, sizes.throughput_rounds + 1):
            for threads in sizes.thread_counts:
                for side in _order(round_number):
                    wall = timed_in_threads(split(phones[side], threads), players[side])
                    rate[threads][side].append(turns / wall)
            summary = ", ".join(
                f"{t} thr {rate[t][SEALED][-1]:.0f} vs {rate[t][CLEAR][-1]:.0f}" for t in sizes.thread_counts
            )
            progress(
                f"shredding: turns round {round_number}/{sizes.throughput_rounds}, sealed vs clear: {summary}"
            )
    finally:
        for container in containers.values():
            container.close()
    lines = []
    for threads in sizes.thread_counts:
        shape = f"{threads} thread{'s' if threads > 1 else ''}"
        lines.append(
            _versus(f"turns, sealed, {shape}", rate[threads], "turns/s", f"clear, {shape}", THROUGHPUT_TARGET)
        )
    notes = [
        f"shredding: turns are section 1's workload, {turns:,} subcontractors a side, each side its own "
        "crew of the shared database; the sealed side's keyring keeps a key "
        "for key_cache_seconds (30 s by default), then reads it again, as in production."
    ]
    return lines, notes


# -- 2. rebuilds ----------------------------------------------------------------------


def _sealed_share(database_url: str) -> tuple[int, int]:
    """(events whose state holds a sealed envelope, events) of a log."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE convo_events")  # hint bits set, as on a live system
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE position('\"_sealed_\"'::bytea IN state) > 0), count(*) "
            "FROM convo_events"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _rebuilds(sizes: Sizes) -> Section:
    events = sizes.shredding_events
    seconds: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rows: dict[str, int] = {}
    with scratch_database() as sealed_url, scratch_database() as clear_url:
        containers = {
            SEALED: build(settings_for(sealed_url, projection_batch_size=BATCH), sealed=True),
            CLEAR: build(settings_for(clear_url, projection_batch_size=BATCH), sealed=False),
        }
        try:
            shares = {}
            for side, container in containers.items():
                progress(f"shredding: writing a {side} log of {events:,} events")
                fill(container.store, events=events)
                shares[side] = _sealed_share(sealed_url if side == SEALED else clear_url)
            if shares[SEALED][0] == 0 or shares[CLEAR][0] != 0:
                raise RuntimeError(f"the logs are not what they should be (sealed, events): {shares}")
            keyring = containers[SEALED].keyring
            assert keyring is not None
            for round_number in range(1, sizes.shredding_rounds + 1):
                for name, projection in PROJECTIONS.items():
                    for side in _order(round_number):
                        container = containers[side]
                        keyring.forget_all()  # a rebuild starts with no key read yet
                        started = time.perf_counter()
                        rebuild(container.database, container.store, projection, batch_size=BATCH)
                        seconds[name][side].append(time.perf_counter() - started)
                summary = ", ".join(
                    f"{name} {seconds[name][SEALED][-1]:.2f} vs {seconds[name][CLEAR][-1]:.2f}"
                    for name in PROJECTIONS
                )
                progress(f"shredding: rebuild round {round_number}/{sizes.shredding_rounds}, s {summary}")
            for name, projection in PROJECTIONS.items():
                with psycopg.connect(clear_url) as connection:
                    found = connection.execute(
                        "SELECT count(*) FROM convo_events WHERE topic = ANY(%s)", (projection.topics,)
                    ).fetchone()
                rows[name] = int(found[0]) if found else 0
        finally:
            for container in containers.values():
                container.close()
    lines = []
    for name in PROJECTIONS:
        rates = {side: [rows[name] / s for s in seconds[name][side]] for side in (SEALED, CLEAR)}
        lines.append(
            _versus(f"rebuild {name} ({rows[name]:,} rows), sealed", rates, "rows/s", "clear", REBUILD_TARGET)
        )
    total = {
        side: [sum(seconds[name][side][n] for name in PROJECTIONS) for n in range(sizes.shredding_rounds)]
        for side in (SEALED, CLEAR)
    }
    lines.append(
        Line(SECTION, "rebuild every projection, sealed", median(total[SEALED]), "s", total[SEALED],
             median(total[CLEAR]), "clear", total[CLEAR])
    )  # fmt: skip
    notes = [
        f"shredding: two logs of the same {shares[CLEAR][1]:,} events, each in a database of its own; "
        f"{shares[SEALED][0]:,} events of the sealed one hold sealed values, none of the clear one's; "
        "each sealed rebuild starts with the keyring's cache empty, as `convo projections rebuild` does."
    ]
    return lines, notes


# -- 3. erasure -----------------------------------------------------------------------------


def _erase_one(container: Container, phone: str, events: int, *, snapshot: bool) -> float:
    conversation = grow(container.store, phone, events=events)
    if snapshot:  # as turns take them, every `snapshot_interval` events
        container.store.take_snapshot(conversation.id)
    keyring = container.keyring
    assert keyring is not None
    keyring.forget_all()  # a request to erase someone who is not talking right now
    container.store.forget_cached(conversation.id)
    started = time.perf_counter()
    erasure = container.eraser().forget(phone, "bench")
    elapsed = time.perf_counter() - started
    if erasure.keys_destroyed < 1 or erasure.events_kept < events:
        raise RuntimeError(f"the erasure of {phone} did not do its work: {erasure.as_json()}")
    return elapsed


def _erasures(database_url: str, sizes: Sizes) -> Section:
    events = sizes.erasure_events
    seconds: dict[bool, list[float]] = {False: [], True: []}
    container = build(settings_for(database_url), sealed=True)
    try:
        person = 0
        for round_number in range(1, sizes.shredding_rounds + 1):
            for snapshot in (False, True):
                person += 1
                phone = f"{ERASED_PHONES}{person:04d}"
                seconds[snapshot].append(_erase_one(container, phone, events, snapshot=snapshot))
            progress(
                f"shredding: erasure round {round_number}/{sizes.shredding_rounds}, "
                f"{seconds[False][-1]:.3f} s, with a snapshot {seconds[True][-1]:.3f} s"
            )
    finally:
        container.close()
    budget = [ERASURE_BUDGET] * len(seconds[False])
    lines = [
        Line(SECTION, f"erase one person of {events:,} events{label}", median(seconds[snapshot]), "s",
             seconds[snapshot], ERASURE_BUDGET, "the budget", budget, Target("<=", 1.0))
        for snapshot, label in ((False, ", no snapshot"), (True, ", from a snapshot"))
    ]  # fmt: skip
    notes = [
        f"shredding: each erasure is of a new person whose {events:,} events were written by log_generator's "
        "`grow`, with no snapshot (the whole history is replayed) or after one taken at its last event; "
        "the keyring's cache and the aggregate cache are emptied first. No projection runs in this section, "
        "so the read-model rows it deletes are few."
    ]
    return lines, notes
