"""2. Turn latency of a conversation with ~10,000 earlier events against one with ~10."""

from __future__ import annotations

import time

import psycopg

from bench.chat import CONTEXT_FREE_STEPS, Chat
from bench.directory import Member, add_subcontractors, twins
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.timing import median, progress
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container, build

Section = tuple[list[Line], list[str]]
BIG = Member("L-BIG", "+33629990000", ("P-TIL", "P-JAU", "P-CON", "P-VEN"), 3)


def _stored(database_url: str, phone: str) -> tuple[int, int, int]:
    """(events, snapshots, version of the last snapshot) of a subcontractor's conversation."""
    conversation_id = conversation_id_for(phone)
    with psycopg.connect(database_url) as connection:
        events = connection.execute(
            "SELECT coalesce(max(originator_version), 0) FROM convo_events WHERE originator_id = %s",
            (conversation_id,),
        ).fetchone()
        snapshots = connection.execute(
            "SELECT count(*), coalesce(max(originator_version), 0) FROM convo_snapshots "
            "WHERE originator_id = %s",
            (conversation_id,),
        ).fetchone()
    assert events is not None
    assert snapshots is not None
    return int(events[0]), int(snapshots[0]), int(snapshots[1])


def _grow(container: Container, chat: Chat, database_url: str, events: int) -> int:
    """Plays turns until the conversation holds at least `events` events."""
    reported = 0
    while (stored := _stored(database_url, chat.phone)[0]) < events:
        if stored - reported >= 2_000:
            progress(f"latency: history at {stored:,} of {events:,} events")
            reported = stored
        for _ in range(max(1, min(500, (events - stored) // 4))):
            chat.turn(container.service)
    return stored


def _timed(container: Container, chat: Chat, step: int) -> float:
    started = time.perf_counter()
    chat.turn(container.service, step)
    return 1000 * (time.perf_counter() - started)


def run(database_url: str, sizes: Sizes) -> Section:
    rounds, samples = sizes.latency_rounds, sizes.latency_samples
    small_members = twins("L", "+3362000", 2 * rounds * samples)  # one fresh conversation per sample
    add_subcontractors(database_url, [*small_members, BIG])
    fresh = iter(small_members)
    big = Chat(BIG.phone, "lat-big")
    modes = (("warm", "aggregate cache on"), ("cold", "aggregate cache off"))
    per_round: dict[tuple[str, str], list[float]] = {}
    small_events: list[int] = []
    warm = build(settings_for(database_url))
    try:
        progress(f"latency: building a conversation of {sizes.large_history:,} events")
        big_before = _grow(warm, big, database_url, sizes.large_history)
        for mode, _ in modes:
            container = warm if mode == "warm" else build(settings_for(database_url, aggregate_cache_size=0))
            try:
                for round_number in range(1, rounds + 1):
                    small = [Chat(next(fresh).phone, "lat") for _ in range(samples)]
                    for chat in small:
                        for _ in range(sizes.small_history_turns):
                            chat.turn(container.service)
                    small_events.append(_stored(database_url, small[0].phone)[0])
                    times: dict[str, list[float]] = {"small": [], "big": []}
                    for n, chat in enumerate(small):
                        step = CONTEXT_FREE_STEPS[n % len(CONTEXT_FREE_STEPS)]
                        pair = (("small", chat), ("big", big)) if n % 2 else (("big", big), ("small", chat))
                        for name, who in pair:
                            times[name].append(_timed(container, who, step))
                    for name, values in times.items():
                        per_round.setdefault((mode, name), []).append(median(values))
                    progress(
                        f"latency {mode} round {round_number}/{rounds}: "
                        f"{per_round[mode, 'big'][-1]:.2f} ms (big) vs {per_round[mode, 'small'][-1]:.2f} ms"
                    )
            finally:
                if container is not warm:
                    container.close()
    finally:
        warm.close()
    big_after, snapshots, snapshot_version = _stored(database_url, BIG.phone)

    small_size = int(median(small_events))
    section = f"2. Turn latency, {big_before:,} earlier events vs {small_size}, PostgreSQL"
    lines = [
        Line(
            section,
            f"{mode} ({how}), {big_before // 1000}k-event conversation",
            median(per_round[mode, "big"]),
            "ms",
            samples=per_round[mode, "big"],
            baseline=median(per_round[mode, "small"]),
            baseline_samples=per_round[mode, "small"],
            baseline_label=f"{small_size}-event conversation",
            target=Target("<=", 1.2),
        )
        for mode, how in modes
    ]
    notes = [
        f"latency: {samples} turns per size, mode and round, {rounds} rounds; the big conversation "
        f"grew from {big_before:,} to {big_after:,} events while sampled; it has {snapshots} snapshots, "
        f"the last at version {snapshot_version:,}.",
    ]
    return lines, notes
