"""Group commit with real threads: calls that arrive together share a write, and fail alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from infrastructure.group_commit import GroupCommit


class Writer:
    """Doubles each number; refuses negative ones; the first write lingers so others queue up."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self._lock = threading.Lock()

    def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        with self._lock:
            self.groups.append(list(items))
            first = len(self.groups) == 1
        if first:
            time.sleep(0.2)
        return [ValueError(f"refused {n}") if n < 0 else 2 * n for n in items]


def test_a_lone_call_is_written_at_once() -> None:
    writer = Writer()
    assert GroupCommit(writer).submit(21) == 42
    assert writer.groups == [[21]]


def test_calls_arriving_during_a_write_share_the_next_one_and_each_fails_alone() -> None:
    writer = Writer()
    group_commit: GroupCommit[int, int] = GroupCommit(writer)

    def submit(n: int) -> int | str:
        try:
            return group_commit.submit(n)
        except ValueError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=12) as pool:
        first = pool.submit(submit, 1)
        time.sleep(0.05)  # the first write is in flight: the rest queue behind it
        others = [pool.submit(submit, n) for n in (2, -3, 4, 5, -6, 7, 8, 9, 10, 11)]
        results = [first.result(), *(f.result() for f in others)]
    assert results == [2, 4, "refused -3", 8, 10, "refused -6", 14, 16, 18, 20, 22]
    assert writer.groups[0] == [1]
    assert sorted(n for group in writer.groups[1:] for n in group) == [-6, -3, 2, 4, 5, 7, 8, 9, 10, 11]
    assert len(writer.groups) <= 3  # not one write each


def test_a_failed_write_fails_every_call_of_its_group_and_the_next_call_still_writes() -> None:
    calls: list[list[int]] = []

    def broken(items: Sequence[int]) -> list[int | BaseException]:
        calls.append(list(items))
        if len(calls) == 1:
            raise ConnectionError("server gone")
        return list(items)

    group_commit: GroupCommit[int, int] = GroupCommit(broken)
    with pytest.raises(ConnectionError):
        group_commit.submit(1)
    assert group_commit.submit(2) == 2
