"""Pacing sends under a provider's documented rate, instead of hitting it and being throttled."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Wait = Callable[[float, str], None]  # waits that many seconds; may raise to stop the worker


def _sleep(seconds: float, _why: str) -> None:
    time.sleep(seconds)


class Pace:
    """A token bucket per key: `per_second` sends a second, bursts of at most `burst`.

    Kept as the time the bucket would be full again (the generic cell rate
    algorithm), so a caller reserves its slot under the lock and waits outside
    it: threads sending at once are spaced, not serialised. A key whose bucket
    is full again is forgotten, which changes nothing, so per-chat buckets
    cost memory only for chats sent to in the last moments.

    Only the delivery worker holding the lease sends, so one process's pace is
    the service's pace.
    """

    _FORGET_EVERY = 1024  # keys added between sweeps of full buckets

    def __init__(
        self,
        per_second: float,
        *,
        burst: int = 1,
        wait: Wait = _sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError(f"a pace needs a positive rate and a burst >= 1, got {per_second}/s x{burst}")
        self.interval = 1.0 / per_second
        self._tolerance = (burst - 1) * self.interval
        self._wait = wait
        self._clock = clock
        self._lock = threading.Lock()
        self._full_at: dict[str, float] = {}  # per key: when its bucket is full again
        self._added = 0

    def reserve(self, key: str = "") -> float:
        """Takes the next slot of `key`; returns how long to wait before using it."""
        with self._lock:
            now = self._clock()
            full_at = max(self._full_at.get(key, now), now)
            send_at = max(now, full_at - self._tolerance)
            if key not in self._full_at:
                self._added += 1
                if self._added % self._FORGET_EVERY == 0:
                    self._forget_full(now)
            self._full_at[key] = full_at + self.interval
            return send_at - now

    def take(self, key: str = "") -> None:
        """Waits for the next slot of `key`."""
        delay = self.reserve(key)
        if delay > 0:
            self._wait(delay, f"pacing {key or 'sends'}")

    def hold_off(self, key: str, seconds: float) -> None:
        """The provider said we went too fast: nobody sends to `key` for `seconds`."""
        with self._lock:
            now = self._clock()
            blocked_until = now + seconds + self._tolerance  # the whole burst waits, not just one slot
            self._full_at[key] = max(self._full_at.get(key, now), blocked_until)

    def _forget_full(self, now: float) -> None:
        self._full_at = {key: at for key, at in self._full_at.items() if at > now}
