"""Running the same work split over N threads, timed from the first start to the last end."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")


def split(items: Sequence[Item], parts: int) -> list[list[Item]]:
    """Distinct subsets, one per thread."""
    return [list(items[n::parts]) for n in range(parts)]


def timed_in_threads(groups: list[list[Item]], work: Callable[[int, list[Item]], None]) -> float:
    """Runs work(thread number, group) on one thread per group; returns the wall time."""
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        started = time.perf_counter()
        futures = [pool.submit(work, n, group) for n, group in enumerate(groups)]
        for future in futures:
            future.result()
        return time.perf_counter() - started
