"""The memory allocator `convo serve` runs on: jemalloc where the machine has it, else Python's own.

Chosen by `python -m bench.worker_memory`. On Python's allocator a worker's RSS grew by a
quarter from 1,000 to 100,000 conversations (116 → 142 MiB) though the objects it holds stop
growing once its caches are full: an entry a cache keeps is made among a turn's short-lived
objects, and when those are freed it pins the part-empty pools and arenas around it. On jemalloc
(`PYTHONMALLOC=malloc`, so Python's small objects go to it too) with one arena (the GIL lets one
thread allocate at a time, and each arena keeps part-empty pages of its own), small per-thread
caches and empty pages given back at once: 118 → 128 MiB. The small per-thread caches cost time:
with them at their default size a worker grew ×1.10–1.11 (114 → 125, 112 → 124 twice), but a
webhook turn's p50 at low concurrency was 2.45–2.58 ms against 2.70–2.79 (`python -m
bench.workers_latency`; 2.52–2.58 on Python's allocator) and a turn's CPU about 3% less
(`python -m bench.profile_turn`). Through HTTP at load (`python -m bench --only request_cpu`) the
worker's CPU a request is the same on either allocator. An operator who would rather have the
latency sets `MALLOC_CONF=narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0`.

An allocator is chosen before a process starts (`LD_PRELOAD`), so `convo serve` starts itself
again on it, same process id and arguments; uvicorn's workers inherit it. Where the library is
missing (Debian's package is `libjemalloc2`) the server says so and runs on Python's allocator.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, Literal, NoReturn

Allocator = Literal["jemalloc", "python"]

JEMALLOC_CONF: Final = (
    "narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0,"
    "tcache_max:4096,tcache_nslots_small_max:32,tcache_nslots_large:4"
)


def find_jemalloc() -> str | None:
    """The name the dynamic loader knows jemalloc by, if it is installed."""
    return ctypes.util.find_library("jemalloc")


def allocator_environment(
    allocator: Allocator,
    environ: Mapping[str, str],
    find: Callable[[], str | None] = find_jemalloc,
) -> dict[str, str] | None:
    """The environment a process must start with to run on `allocator`, or None when `environ`
    already gives it (or it cannot be had: Python's allocator is what a process gets anyway)."""
    if allocator == "python":
        return None
    library = find()
    if library is None:
        return None
    preloaded = environ.get("LD_PRELOAD", "").replace(":", " ").split()
    if library in preloaded:
        return None  # started on it already (or the loader refused it: starting again would loop)
    return {
        **environ,
        "LD_PRELOAD": " ".join([*preloaded, library]),
        "PYTHONMALLOC": "malloc",
        # An operator's own tuning wins.
        "MALLOC_CONF": environ.get("MALLOC_CONF", JEMALLOC_CONF),
    }


def runs_on_jemalloc(pid: int | str = "self") -> bool:
    """Whether the process has jemalloc mapped (Linux), as read from /proc."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "libjemalloc" in maps


def start_again_on(environment: Mapping[str, str]) -> NoReturn:
    """Replaces this process by the same command on `environment`."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, environment)  # noqa: S606 (this very command, no shell)
