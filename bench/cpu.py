"""CPU used over a `with` block: by this process, by its PostgreSQL backends, by the whole machine."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg

_TICKS = os.sysconf("SC_CLK_TCK")


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def _backend_seconds(database_url: str) -> dict[int, float] | None:
    """CPU seconds of every server process connected to the database; None when it is not local."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
    seconds: dict[int, float] = {}
    for pid in pids:
        try:
            if not Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").startswith("postgres"):
                return None
            seconds[pid] = process_seconds(pid)
        except OSError:
            continue  # gone, or another machine's process id
    return seconds


def process_seconds(pid: int) -> float:
    """User and system CPU seconds of a process of this machine so far (Linux)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


class CpuMeter:
    """Cores used on average: this process, its PostgreSQL backends, and the machine in % busy."""

    process_cores = float("nan")
    backend_cores = float("nan")
    machine_busy = float("nan")

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    def __enter__(self) -> CpuMeter:
        self._backends = _backend_seconds(self._database_url)
        self._machine = _machine_ticks()
        self._process = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        wall = time.perf_counter() - self._wall
        self.process_cores = (time.process_time() - self._process) / wall
        busy, total = _machine_ticks()
        if total > self._machine[1]:
            self.machine_busy = 100.0 * (busy - self._machine[0]) / (total - self._machine[1])
        backends = _backend_seconds(self._database_url)
        if backends is not None and self._backends is not None:
            used = sum(after - self._backends.get(pid, 0.0) for pid, after in backends.items())
            self.backend_cores = used / wall
