"""The token bucket that keeps the delivery worker under the providers' rates."""

from __future__ import annotations

import threading
import time

import pytest

from application.pacing import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_without_a_burst_sends_are_spaced_evenly() -> None:
    clock = Clock()
    pace = Pace(4.0, clock=clock)
    assert [pace.reserve("n") for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    clock.now += 10.0  # idle: the bucket is full again, and holds one
    assert [pace.reserve("n") for _ in range(2)] == [0.0, 0.25]


def test_a_burst_goes_at_once_then_the_rate_holds() -> None:
    clock = Clock()
    pace = Pace(1.0, burst=3, clock=clock)
    assert [pace.reserve("chat") for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    clock.now += 1.5  # one and a half tokens back, of which one is usable now
    assert pace.reserve("chat") == pytest.approx(1.5)


def test_keys_are_paced_apart() -> None:
    pace = Pace(1.0, clock=Clock())
    assert (pace.reserve("a"), pace.reserve("b"), pace.reserve("a")) == (0.0, 0.0, 1.0)


def test_holding_off_delays_every_next_send_of_the_key() -> None:
    clock = Clock()
    pace = Pace(10.0, burst=3, clock=clock)
    pace.hold_off("n", 2.0)
    assert pace.reserve("n") == pytest.approx(2.0)
    assert pace.reserve("other") == 0.0
    clock.now += 2.0  # the slot reserved during the hold is used now; then sends resume gently
    assert [pace.reserve("n") for _ in range(2)] == pytest.approx([0.1, 0.2]), "no burst after a hold"


def test_forgetting_full_buckets_changes_nothing() -> None:
    clock = Clock()
    pace = Pace(1.0, clock=clock)
    for _ in range(100):
        pace.reserve("busy")  # booked 100 s ahead
    for n in range(Pace._FORGET_EVERY * 2):  # sweeps run; only full buckets may go
        pace.reserve(f"idle-{n}")
        clock.now += 0.01
    assert pace.reserve("busy") == pytest.approx(100.0 - Pace._FORGET_EVERY * 2 * 0.01)
    assert len(pace._full_at) < Pace._FORGET_EVERY


def test_threads_taking_at_once_are_spaced_not_serialised() -> None:
    pace = Pace(50.0)
    taken: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(5):
            pace.take("n")
            with lock:
                taken.append(time.monotonic())

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    span = max(taken) - min(taken)
    assert 19 / 50 - 0.005 <= span < 19 / 50 + 0.25  # 20 slots of 1/50 s, and little else


def test_a_pace_needs_a_rate_and_a_burst() -> None:
    with pytest.raises(ValueError, match="positive rate"):
        Pace(0.0)
    with pytest.raises(ValueError, match="burst"):
        Pace(1.0, burst=0)
