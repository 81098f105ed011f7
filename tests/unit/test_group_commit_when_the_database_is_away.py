"""Group commit while the database is away: those queued behind a failed group fail with it,
instead of each group waiting for the database again, one after the other (real threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from infrastructure.database_errors import DatabaseUnavailableError, PrimaryUnavailableError
from infrastructure.group_commit import GroupCommit

QUEUED = 5


class _Away:
    """A write that waits for the database a while, then finds it gone."""

    def __init__(self) -> None:
        self.calls = 0
        self.started = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.calls += 1
        self.started.set()
        time.sleep(0.3)  # the pool's wait for a connection
        raise PrimaryUnavailableError("no PostgreSQL primary takes writes at the moment")


def _submit_while_the_first_waits(commit: GroupCommit[int, int], write: _Away) -> list[BaseException]:
    errors: list[BaseException] = []

    def submit(item: int) -> None:
        try:
            commit.submit(item)
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    assert write.started.wait(5)
    queued = [threading.Thread(target=submit, args=(n,)) for n in range(1, QUEUED + 1)]
    for thread in queued:
        thread.start()
    time.sleep(0.1)  # all queued behind the group in flight
    for thread in [first, *queued]:
        thread.join(10)
    return errors


def test_requests_queued_behind_a_group_the_database_refused_fail_with_it() -> None:
    write = _Away()
    commit: GroupCommit[int, int] = GroupCommit(
        write, fails_the_queue=lambda error: isinstance(error, DatabaseUnavailableError)
    )
    errors = _submit_while_the_first_waits(commit, write)
    assert len(errors) == QUEUED + 1
    assert all(isinstance(error, PrimaryUnavailableError) for error in errors)
    assert write.calls == 1  # nobody waited for the database a second time


def test_by_default_the_queue_makes_a_group_of_its_own() -> None:
    write = _Away()
    commit: GroupCommit[int, int] = GroupCommit(write)
    errors = _submit_while_the_first_waits(commit, write)
    assert len(errors) == QUEUED + 1
    assert write.calls == 2  # the queued ones made a group of their own, and waited again


def test_a_later_request_still_tries_the_database_again() -> None:
    write = _Away()
    commit: GroupCommit[int, int] = GroupCommit(
        write, fails_the_queue=lambda error: isinstance(error, DatabaseUnavailableError)
    )
    _submit_while_the_first_waits(commit, write)
    with pytest.raises(PrimaryUnavailableError):
        commit.submit(99)
    assert write.calls == 2
