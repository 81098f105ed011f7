"""Code that runs inside separate worker processes in the concurrency tests."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from application.inbound import Inbound, PressedButton
from infrastructure.bootstrap import build
from infrastructure.settings import Settings

Delivery = dict[str, Any]  # {"message_id", "sender", "text"} or {..., "button": [id, title]}


def handle_deliveries(
    database_url: str, deliveries: list[Delivery], threads: int, start_at: float
) -> dict[str, Any]:
    """Builds a container like a worker would, then delivers everything at once from threads."""
    container = build(Settings(database_url=database_url, demo_data=False))
    try:
        # Every process starts at the same wall-clock moment, so their turns really race.
        time.sleep(max(0.0, start_at - time.time()))

        def deliver(delivery: Delivery) -> dict[str, Any]:
            outcome = container.service.handle(_inbound(delivery))
            return {
                "message_id": delivery["message_id"],
                "duplicate": outcome.duplicate,
                "session_id": outcome.session_id,
                "conversation_id": str(outcome.conversation_id),
                "reply": outcome.reply,
            }

        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(deliver, deliveries))
        return {"results": results, "conflicts": container.service.conflicts}
    finally:
        container.close()


def warmed_up(database_url: str) -> int:
    """Run in each process of a pool before a race: the imports, the understanding model and a
    first container are paid for and every process is up, so none starts its script late and
    finds every message handled already."""
    started = time.monotonic()
    build(Settings(database_url=database_url, demo_data=False)).close()
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))  # the other process takes its own
    return os.getpid()


def play_scripts(
    database_url: str, scripts: dict[str, list[Delivery]], start_at: float, seed: int
) -> dict[str, Any]:
    """One thread per sender, typing its script in order, as a person would; every so often
    an earlier message of theirs comes again, as a provider redelivers it."""
    import random

    container = build(Settings(database_url=database_url, demo_data=False))
    try:
        time.sleep(max(0.0, start_at - time.time()))

        def deliver(delivery: Delivery) -> dict[str, Any]:
            outcome = container.service.handle(_inbound(delivery))
            return {"message_id": delivery["message_id"], "duplicate": outcome.duplicate}

        def play(sender: str) -> list[dict[str, Any]]:
            rng = random.Random(f"{seed}-{sender}")
            results = []
            script = list(scripts[sender])
            if seed % 2:
                # Some pairs arrive the other way round here: two messages of one person race too.
                for n in range(0, len(script) - 1, 2):
                    if rng.random() < 0.25:
                        script[n], script[n + 1] = script[n + 1], script[n]
            for n, delivery in enumerate(script):
                # People and providers do not keep time: a few ms either way lets each process
                # win some races instead of one running a message ahead of the other throughout.
                time.sleep(rng.random() * 0.006)
                results.append(deliver(delivery))
                if rng.random() < 0.3:
                    results.append(deliver(script[rng.randrange(n + 1)]))
            return results

        with ThreadPoolExecutor(max_workers=len(scripts)) as pool:
            results = [r for played in pool.map(play, scripts) for r in played]
        return {"results": results, "conflicts": container.service.conflicts}
    finally:
        container.close()


def talk_through_erasure(
    database_url: str, deliveries: list[Delivery], start_at: float, seed: int
) -> dict[str, Any]:
    """A person typing while they are being erased: one message after another, a few ms apart.
    Any exception is reported (with its traceback) instead of raised: the test says which."""
    import random
    import traceback

    container = build(Settings(database_url=database_url, demo_data=False))
    try:
        rng = random.Random(seed)
        time.sleep(max(0.0, start_at - time.time()))
        results: list[dict[str, Any]] = []
        for delivery in deliveries:
            time.sleep(rng.random() * 0.03)
            try:
                outcome = container.service.handle(_inbound(delivery))
            except Exception as error:
                results.append(
                    {
                        "message_id": delivery["message_id"],
                        "error": "".join(traceback.format_exception(error)),
                    }
                )
                continue
            results.append(
                {
                    "message_id": delivery["message_id"],
                    "duplicate": outcome.duplicate,
                    "reply": outcome.reply["text"],
                }
            )
        return {"results": results, "conflicts": container.service.conflicts}
    finally:
        container.close()


def _inbound(delivery: Delivery) -> Inbound:
    """A generic-channel message as a test's delivery describes it."""
    button = delivery.get("button")
    return Inbound(
        channel="generic",
        message_id=delivery["message_id"],
        sender=delivery["sender"],
        text=delivery.get("text"),
        button=PressedButton(button[0], button[1]) if button else None,
    )
