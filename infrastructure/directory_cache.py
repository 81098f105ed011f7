"""Remembers who a phone number belongs to, and their sites, for a short while.

Every turn asks who is writing, and most list their sites; the answers change
only when the company's system of record registers someone or assigns them to
a site, so a few seconds of staleness buy up to two round trips per turn.
A site listed from memory is still checked when it is chosen (site_tasks is
never cached), and task statuses, which the bot itself changes, are always read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from application.ports import (
    DirectoryChange,
    PhoneNumberChange,
    Site,
    SiteDirectory,
    Subcontractor,
    Task,
    TaskStatusChange,
)

Value = TypeVar("Value")


class _Expiring(Generic[Value]):
    """Answers by key until they expire, at most `max_entries` of them: a worker's memory does
    not grow with every number it has ever seen, only with those of the last `ttl_seconds`."""

    def __init__(self, ttl_seconds: float, max_entries: int, monotonic: Callable[[], float]) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Value]] = {}
        self._lock = threading.Lock()

    def get_or_ask(self, key: str, ask: Callable[[str], Value]) -> Value:
        now = self._monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        found = ask(key)
        with self._lock:
            # Re-inserted at the end, so the entries stay in the order they expire in.
            self._entries.pop(key, None)
            self._entries[key] = (now + self._ttl, found)
            self._forget_oldest(now)
        return found

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _forget_oldest(self, now: float) -> None:
        """Drops expired entries, then the oldest beyond the bound."""
        while self._entries:
            oldest = next(iter(self._entries))
            expires, _ = self._entries[oldest]
            if expires > now and len(self._entries) <= self._max_entries:
                return
            del self._entries[oldest]

    def forget(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)


class SubcontractorCache:
    """A SiteDirectory that caches `find_subcontractor`, `sites_of` and `task_names_of`, and
    passes everything else through.

    It remembers as many people as a worker keeps conversations by default: a person whose
    conversation has left that cache pays a read of the log anyway, and each entry it holds
    beyond that was memory that grew with the traffic (and fragmented as it turned over).
    """

    def __init__(
        self,
        directory: SiteDirectory,
        ttl_seconds: float,
        *,
        max_entries: int = 2_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = directory
        self._people: _Expiring[Subcontractor | None] = _Expiring(ttl_seconds, max_entries, monotonic)
        self._sites: _Expiring[tuple[Site, ...]] = _Expiring(ttl_seconds, max_entries, monotonic)
        self._tasks: _Expiring[tuple[Task, ...]] = _Expiring(ttl_seconds, max_entries, monotonic)

    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        return self._people.get_or_ask(phone, self._directory.find_subcontractor)

    def forget_number(self, phone: str) -> None:
        """The number's record changed elsewhere (an erasure): ask the directory next time."""
        self._people.forget(phone)

    def __len__(self) -> int:
        """How many numbers are remembered."""
        return len(self._people)

    def find_subcontractor_by_telegram(self, telegram_user_id: str) -> Subcontractor | None:
        # Asked once per Telegram message, before the turn: not worth a second cache.
        return self._directory.find_subcontractor_by_telegram(telegram_user_id)

    def sites_of(self, subcontractor_id: str) -> list[Site]:
        # Kept as a tuple: each caller gets a list of its own to do with as it likes.
        return list(self._sites.get_or_ask(subcontractor_id, lambda s: tuple(self._directory.sites_of(s))))

    def site_of(self, subcontractor_id: str, project_id: str) -> Site | None:
        return self._directory.site_of(subcontractor_id, project_id)

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        return self._directory.site_tasks(subcontractor_id, project_id)

    def task_of(self, subcontractor_id: str, task_id: str) -> Task | None:
        return self._directory.task_of(subcontractor_id, task_id)

    def tasks_of(self, subcontractor_id: str) -> list[Task]:
        return self._directory.tasks_of(subcontractor_id)

    def task_names_of(self, subcontractor_id: str) -> list[Task]:
        # Read for every typed message; a name or a status a moment old only changes what a
        # message is understood as, never what is written (writes read the task again).
        return list(self._tasks.get_or_ask(subcontractor_id, lambda s: tuple(self._directory.tasks_of(s))))

    def apply_change(self, change: DirectoryChange) -> bool:
        applied = self._directory.apply_change(change)
        if isinstance(change, TaskStatusChange):
            self._tasks.forget(change.subcontractor_id)  # this process reads its own changes at once
        if isinstance(change, PhoneNumberChange):
            # Both numbers now answer differently here; other processes wait the ttl.
            self._people.forget(change.old_number, change.new_number)
        return applied

    def ping(self) -> None:
        self._directory.ping()

    def close(self) -> None:
        self._directory.close()
