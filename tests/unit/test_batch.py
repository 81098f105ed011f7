"""A batch of messages: senders at once, each sender's messages in order, a failure stops its sender."""

from __future__ import annotations

import threading
import time

import pytest

from application.batch import handle_batch
from application.inbound import Inbound


def message(sender: str, n: int) -> Inbound:
    return Inbound(channel="whatsapp", message_id=f"{sender}-{n}", sender=sender, text=str(n))


SENDERS = [f"+3361234{n:04d}" for n in range(6)]
BATCH = [message(sender, n) for n in range(5) for sender in SENDERS]  # interleaved, as Meta sends


def test_each_senders_messages_are_handled_in_order_while_senders_overlap() -> None:
    handled: list[str] = []
    running = 0
    most_at_once = 0
    lock = threading.Lock()

    def handle(inbound: Inbound) -> None:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(0.005)
        with lock:
            running -= 1
            handled.append(inbound.message_id)

    handle_batch(BATCH, handle, threads=4)
    assert sorted(handled) == sorted(m.message_id for m in BATCH)  # each once
    for sender in SENDERS:
        assert [h for h in handled if h.startswith(sender)] == [f"{sender}-{n}" for n in range(5)]
    assert 1 < most_at_once <= 4


def test_a_failure_stops_its_sender_there_and_is_raised_after_the_others_finish() -> None:
    handled: list[str] = []
    lock = threading.Lock()

    def handle(inbound: Inbound) -> None:
        if inbound.message_id == f"{SENDERS[2]}-1":
            raise RuntimeError("database gone")
        with lock:
            handled.append(inbound.message_id)

    with pytest.raises(RuntimeError, match="database gone"):
        handle_batch(BATCH, handle, threads=3)
    assert [h for h in handled if h.startswith(SENDERS[2])] == [f"{SENDERS[2]}-0"]
    others = [m.message_id for m in BATCH if m.sender != SENDERS[2]]
    assert sorted(h for h in handled if not h.startswith(SENDERS[2])) == sorted(others)
