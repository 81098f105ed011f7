"""Waiting inside the delivery worker: back-offs and pacing, without losing the lease or a stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from application.following import FollowingPausedError


class DeliveryInterruptedError(FollowingPausedError):
    """Stopped while waiting to send: the reply is left unrecorded, to be sent after a restart."""


class Pause:
    """Waits in slices, so a long wait keeps the worker's lease and a stop is seen at once.

    `keep_alive` runs between slices; it raises to end the wait (the worker lost its lease).
    """

    def __init__(
        self,
        stop: threading.Event | None = None,
        keep_alive: Callable[[], None] | None = None,
        every: float = 5.0,
    ) -> None:
        self.stop = stop or threading.Event()
        self.keep_alive = keep_alive or (lambda: None)
        self._every = every

    def __call__(self, seconds: float, why: str = "") -> None:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.stop.wait(min(remaining, self._every)):
                raise DeliveryInterruptedError(why or "stopped while waiting")
            if deadline - time.monotonic() > 0:
                self.keep_alive()
