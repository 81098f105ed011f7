"""Remembers who a phone number belongs to for a short while.

Every turn asks; the answer changes only when the company's system of record
registers or moves someone, so a few seconds of staleness buy a round trip
per turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from application.ports import DirectoryChange, PhoneNumberChange, Site, SiteDirectory, Subcontractor, Task


class SubcontractorCache:
    """A SiteDirectory that caches `find_subcontractor` and passes everything else through."""

    def __init__(
        self,
        directory: SiteDirectory,
        ttl_seconds: float,
        *,
        max_entries: int = 5_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = directory
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Subcontractor | None]] = {}
        self._lock = threading.Lock()

    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        now = self._monotonic()
        with self._lock:
            entry = self._entries.get(phone)
        if entry is not None and entry[0] > now:
            return entry[1]
        found = self._directory.find_subcontractor(phone)
        with self._lock:
            # Re-inserted at the end, so the entries stay in the order they expire in.
            self._entries.pop(phone, None)
            self._entries[phone] = (now + self._ttl, found)
            self._forget_oldest(now)
        return found

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _forget_oldest(self, now: float) -> None:
        """Drops expired entries, then the oldest beyond the bound: a worker's memory does not grow
        with every number it has ever seen, only with those of the last `ttl_seconds`, and never
        past `max_entries`."""
        while self._entries:
            oldest = next(iter(self._entries))
            expires, _ = self._entries[oldest]
            if expires > now and len(self._entries) <= self._max_entries:
                return
            del self._entries[oldest]

    def find_subcontractor_by_telegram(self, telegram_user_id: str) -> Subcontractor | None:
        # Asked once per Telegram message, before the turn: not worth a second cache.
        return self._directory.find_subcontractor_by_telegram(telegram_user_id)

    def sites_of(self, subcontractor_id: str) -> list[Site]:
        return self._directory.sites_of(subcontractor_id)

    def site_of(self, subcontractor_id: str, project_id: str) -> Site | None:
        return self._directory.site_of(subcontractor_id, project_id)

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        return self._directory.site_tasks(subcontractor_id, project_id)

    def task_of(self, subcontractor_id: str, task_id: str) -> Task | None:
        return self._directory.task_of(subcontractor_id, task_id)

    def tasks_of(self, subcontractor_id: str) -> list[Task]:
        return self._directory.tasks_of(subcontractor_id)

    def apply_change(self, change: DirectoryChange) -> bool:
        applied = self._directory.apply_change(change)
        if isinstance(change, PhoneNumberChange):
            with self._lock:  # both numbers now answer differently here; other processes wait the ttl
                self._entries.pop(change.old_number, None)
                self._entries.pop(change.new_number, None)
        return applied

    def ping(self) -> None:
        self._directory.ping()

    def close(self) -> None:
        self._directory.close()
