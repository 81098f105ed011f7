"""The lease that lets one delivery worker of many send at a time, on both databases."""

from __future__ import annotations

import pytest

from infrastructure.bootstrap import Container
from infrastructure.leases import Lease, LeaseLostError


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_one_holder_at_a_time_until_it_releases_or_expires(container: Container) -> None:
    clock = Clock()
    first = Lease(container.database, "work", 10.0, clock=clock)
    second = Lease(container.database, "work", 10.0, clock=clock)
    assert first.hold()
    assert not second.hold()
    clock.now += 9.0
    assert first.hold(), "renewed before it expired"
    clock.now += 9.0
    assert not second.hold(), "the renewal moved the expiry"
    clock.now += 11.0  # the first holder stopped renewing
    assert second.hold()
    with pytest.raises(LeaseLostError):
        first.keep()
    second.release()
    assert first.hold(), "a released lease is free at once"


def test_holding_writes_only_a_few_times_per_lease(container: Container) -> None:
    clock = Clock()
    lease = Lease(container.database, "work", 9.0, clock=clock)
    assert lease.hold()
    with container.database.transaction() as cursor:  # someone takes it behind the holder's back
        cursor.execute("UPDATE worker_leases SET holder = 'other', expires_at = %s", (clock.now + 60,))
    clock.now += 2.9
    assert lease.hold(), "within a third of the lease: still certainly ours, no write"
    clock.now += 0.2
    assert not lease.hold(), "past a third, the renewal looks, and finds it gone"
