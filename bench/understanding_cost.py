"""1c. What understanding free text costs a turn: turns typed as people type, on PostgreSQL.

Each round sends every message of the corpus's tune split, each from a
subcontractor of its own, through the real turn (1 thread), and times the
classification inside those turns. The baseline is the same turns with the
classification's time taken out: the rate they would reach if understanding
cost nothing, which no classifier beats, so the ratio bounds what the layers
cost against any earlier classifier. Alone: `.venv/bin/python -m bench --only
understanding_cost [--quick]`.
"""

from __future__ import annotations

from application.inbound import Inbound
from application.understanding.corpus import TUNE, load
from application.understanding.understander import Understanding
from bench.chat import SCRIPT, Chat
from bench.directory import add_subcontractors, crew
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.timing import Stopwatch, median, progress
from infrastructure.bootstrap import build

Section = tuple[list[Line], list[str]]
PHONES = "+3366000"  # a block of numbers no other section uses
FREE = "same turns, understanding free"
FLOOR = 0.9  # the budget: understanding loses at most 10% of the turn rate


def run(database_url: str, sizes: Sizes) -> Section:
    texts = [case.text for case in load(TUNE)][: sizes.understanding_messages]
    members = crew("U", PHONES, len(texts))
    add_subcontractors(database_url, members)
    container = build(settings_for(database_url))
    classifying = Stopwatch()
    original = Understanding.classify
    Understanding.classify = classifying.wrap(original)  # type: ignore[method-assign]
    rate: list[float] = []
    free_rate: list[float] = []
    share: list[float] = []
    per_message_ms: list[float] = []
    script_share: list[float] = []
    chats = [Chat(member.phone, "understanding-script") for member in members]
    try:
        for round_number in range(sizes.understanding_rounds + 1):
            classifying.reset()
            wall = Stopwatch()
            turn = wall.wrap(container.service.handle)
            for index, (member, text) in enumerate(zip(members, texts, strict=True)):
                message_id = f"understanding-{round_number}-{index}"
                turn(Inbound(channel="bench", message_id=message_id, sender=member.phone, text=text))
            typed_seconds, typed_calls = classifying.seconds, classifying.calls
            if round_number == 0:
                continue  # warm-up: conversations started, caches filled
            classifying.reset()
            script = Stopwatch()
            for _ in SCRIPT:
                for chat in chats:
                    script.wrap(chat.turn)(container.service)
            script_share.append(100 * classifying.seconds / script.seconds)
            rate.append(len(texts) / wall.seconds)
            free_rate.append(len(texts) / (wall.seconds - typed_seconds))
            share.append(100 * typed_seconds / wall.seconds)
            per_message_ms.append(1000 * typed_seconds / max(typed_calls, 1))
            progress(
                f"understanding cost round {round_number}/{sizes.understanding_rounds}: "
                f"{rate[-1]:.0f} turns/s, {share[-1]:.1f}% of it classifying"
            )
    finally:
        Understanding.classify = original  # type: ignore[method-assign]
        container.close()
    section = f"1c. Understanding free text, {len(texts):,} messages of the corpus, 1 thread, PostgreSQL"
    lines = [
        Line(
            section,
            "turns of typed messages",
            median(rate),
            "turns/s",
            samples=rate,
            baseline=median(free_rate),
            baseline_label=FREE,
            baseline_samples=free_rate,
            target=Target(">=", FLOOR),
        ),
        Line(section, "share of turn time classifying", median(share), "%", samples=share),
        Line(
            section,
            "the same share in the throughput benchmark's turns (section 1's script)",
            median(script_share),
            "%",
            samples=script_share,
        ),
        Line(
            section, "classification per message (mean)", median(per_message_ms), "ms", samples=per_message_ms
        ),
    ]
    notes = [
        "understanding cost: the baseline is the same turns' rate with the classification's own time "
        "removed (measured inside each turn), an upper bound for any classifier."
    ]
    return lines, notes
