"""Bounds how many turns a worker runs at once, so a busy pool answers 503 quickly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from threading import BoundedSemaphore


class BusyError(RuntimeError):
    """Every turn slot stayed taken for the whole wait."""


class TurnAdmission:
    def __init__(self, slots: int, wait_seconds: float) -> None:
        self._slots = BoundedSemaphore(slots)
        self._wait = wait_seconds

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self._wait):
            raise BusyError(f"all turn slots stayed busy for {self._wait:g} s")
        try:
            yield
        finally:
            self._slots.release()
