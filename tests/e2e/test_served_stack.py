"""`convo serve --workers 2` as the README runs it: every worker on httptools' parser and uvloop's loop."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.servers import serving_process

pytestmark = pytest.mark.slow


def _workers(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    # uvicorn's supervisor starts its workers with multiprocessing's spawn.
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _native_packages(pid: int) -> set[str]:
    """The installed packages whose compiled extensions the process has loaded."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    paths = {line.split()[-1] for line in maps.splitlines() if ".so" in line and "-packages/" in line}
    return {path.split("-packages/")[1].split("/")[0] for path in paths}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux)")
def test_every_worker_runs_httptools_and_uvloop(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'convo.db'}",
        "CONVO_LOG_LEVEL": "warning",
    }
    with serving_process(env, workers=2) as (_, server_pid):
        deadline = time.monotonic() + 30
        while True:
            workers = _workers(server_pid)
            loaded = [_native_packages(pid) for pid in workers]
            if len(workers) == 2 and all({"httptools", "uvloop"} <= modules for modules in loaded):
                break
            assert time.monotonic() < deadline, f"workers {workers} loaded {loaded}"
            time.sleep(0.2)
