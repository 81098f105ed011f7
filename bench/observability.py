"""Observability's cost: turn throughput with metrics and JSON log lines on, against off (same run)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from bench.chat import staggered, with_histories
from bench.directory import add_subcontractors, crew
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.threads import split, timed_in_threads
from bench.timing import median, progress
from infrastructure.bootstrap import Container, build
from infrastructure.logs import JsonFormatter

SECTION = "Metrics and JSON logs on against off, turn throughput, PostgreSQL"
_LOGGERS = ("convo.turns", "convo.deliveries")
_BATCH = 50  # turns per batch


class _Lines:
    """Turn lines formatted as in production and written to /dev/null: their whole cost, no output."""

    def __init__(self) -> None:
        self._sink = open(os.devnull, "w")  # noqa: SIM115
        self._handler = logging.StreamHandler(self._sink)
        self._handler.setFormatter(JsonFormatter())

    def on(self) -> None:
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self._handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False

    def off(self) -> None:
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            logger.removeHandler(self._handler)
            logger.setLevel(logging.WARNING)

    def close(self) -> None:
        self.off()
        self._sink.close()


def run(database_url: str, sizes: Sizes) -> tuple[list[Line], list[str]]:
    members = crew("O", "+3361500", sizes.subcontractors)
    add_subcontractors(database_url, members)
    phones = [m.phone for m in members]
    chats = staggered(phones, "ob")
    observed = build(settings_for(database_url, metrics_enabled=True, log_format="json"))
    plain = build(settings_for(database_url, metrics_enabled=False))
    lines_out = _Lines()
    containers: dict[str, Container] = {"on": observed, "off": plain}
    rates: dict[tuple[str, int], list[float]] = {
        (who, t): [] for who in containers for t in sizes.thread_counts
    }

    def play(container: Container) -> object:
        def turns(_: int, group: Sequence[str]) -> None:
            for phone in group:
                chats[phone].turn(container.service)

        return turns

    try:
        progress(f"observability: warm-up, {len(phones)} subcontractors")
        lines_out.off()
        timed_in_threads(split(phones, 1), play(plain))  # type: ignore[arg-type]
        with_histories(chats, plain.service)
        # Each side caches the conversations it played: the first round must not be the one
        # where "on" loads every conversation from the log.
        for who in ("on", "off"):
            lines_out.on() if who == "on" else lines_out.off()
            timed_in_threads(split(phones, 8), play(containers[who]))  # type: ignore[arg-type]
        for round_number in range(1, sizes.observability_rounds + 1):
            for threads in sizes.thread_counts:
                # Small batches, on and off in turn (each going first every other time): the machine's
                # other load drifts slower than a batch, so both modes see the same machine.
                walls = {"on": 0.0, "off": 0.0}
                for n, batch in enumerate(split(phones, max(1, len(phones) // _BATCH))):
                    for who in ("on", "off") if n % 2 else ("off", "on"):
                        lines_out.on() if who == "on" else lines_out.off()
                        walls[who] += timed_in_threads(split(batch, threads), play(containers[who]))  # type: ignore[arg-type]
                for who, wall in walls.items():
                    rates[who, threads].append(len(phones) / wall)
            summary = ", ".join(
                f"{t} thr on {rates['on', t][-1]:.0f} off {rates['off', t][-1]:.0f}"
                for t in sizes.thread_counts
            )
            progress(f"observability round {round_number}/{sizes.observability_rounds}: turns/s {summary}")
    finally:
        lines_out.close()
        observed.close()
        plain.close()
    lines = [
        Line(
            SECTION,
            f"metrics + JSON lines on, {t} thread{'s' if t > 1 else ''}",
            median(rates["on", t]),
            "turns/s",
            rates["on", t],
            median(rates["off", t]),
            f"off, {t} thr",
            rates["off", t],
            Target(">=", 0.95),
        )
        for t in sizes.thread_counts
    ]
    notes = [
        "observability: 'on' counts every turn in Prometheus metrics and formats its JSON log line "
        "(written to /dev/null); 'off' sets CONVO_METRICS_ENABLED=false and logs at warning level."
    ]
    return lines, notes
