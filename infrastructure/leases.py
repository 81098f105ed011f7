"""A lease in the database: one holder at a time across processes and machines."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from application.following import FollowingPausedError
from infrastructure.database import Database


class LeaseLostError(FollowingPausedError):
    """Another worker holds the lease now; whatever this one was doing must stop."""


class Lease:
    """Held by whoever renewed it last, until it expires.

    Expiry uses the holders' clocks, so they must agree to within a small part
    of the lease (NTP does far better); the lease is seconds long.
    """

    def __init__(
        self,
        database: Database,
        name: str,
        seconds: float,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self.name = name
        self._seconds = seconds
        self._clock = clock
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._renewed_at = float("-inf")
        self._guard = threading.Lock()
        with self._db.transaction() as cursor:
            cursor.execute("INSERT INTO worker_leases (name) VALUES (%s) ON CONFLICT DO NOTHING", (name,))

    def hold(self) -> bool:
        """Takes or renews the lease; False while another holder's lease runs.

        Within a third of the lease since its last renewal it is certainly still
        ours, and no write is made: a worker renews a few times per lease, not
        once per reply or poll.
        """
        now = self._clock()
        with self._guard:
            if now - self._renewed_at < self._seconds / 3:
                return True
        with self._db.transaction() as cursor:
            taken: int = cursor.execute(
                "UPDATE worker_leases SET holder = %s, expires_at = %s "
                "WHERE name = %s AND (holder = %s OR expires_at < %s)",
                (self.holder, now + self._seconds, self.name, self.holder, now),
            )
        if taken == 1:
            with self._guard:
                self._renewed_at = now
        return taken == 1

    def keep(self) -> None:
        """Raises LeaseLostError when the lease went to someone else."""
        if not self.hold():
            raise LeaseLostError(f"the {self.name} lease is held by another worker")

    def release(self) -> None:
        """Lets a successor start at once instead of waiting for the expiry."""
        with self._guard:
            self._renewed_at = float("-inf")
        with self._db.transaction() as cursor:
            cursor.execute(
                "UPDATE worker_leases SET expires_at = 0 WHERE name = %s AND holder = %s",
                (self.name, self.holder),
            )
