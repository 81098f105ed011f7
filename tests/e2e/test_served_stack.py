"""`convo serve --workers 2` as the README runs it: every worker on httptools' parser and uvloop's loop,
and on jemalloc unless told otherwise."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from api.allocator import find_jemalloc, runs_on_jemalloc
from tests.servers import serving_process

pytestmark = pytest.mark.slow
# .ci/run installs Debian's libjemalloc2 and sets this: a skip for want of it fails there.
JEMALLOC_REQUIRED = os.environ.get("CONVO_TEST_REQUIRE_JEMALLOC", "") not in ("", "0", "false", "no")


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


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("allocator", ["jemalloc", "python"])
def test_workers_run_on_the_allocator_asked_for(tmp_path: Path, allocator: str) -> None:
    if allocator == "jemalloc" and find_jemalloc() is None:
        message = "jemalloc is not installed (Debian: libjemalloc2)"
        if JEMALLOC_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    env = {
        **os.environ,
        "CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'convo.db'}",
        "CONVO_LOG_LEVEL": "warning",
        "CONVO_ALLOCATOR": allocator,
    }
    for name in ("LD_PRELOAD", "PYTHONMALLOC", "MALLOC_CONF"):
        env.pop(name, None)
    with serving_process(env, workers=2) as (_, server_pid):
        deadline = time.monotonic() + 30
        while len(workers := _workers(server_pid)) < 2:
            assert time.monotonic() < deadline, f"workers {workers}"
            time.sleep(0.2)
        on_jemalloc = [runs_on_jemalloc(pid) for pid in (server_pid, *workers)]
        malloc = [_environ(pid).get("PYTHONMALLOC") for pid in workers]
    if allocator == "jemalloc":
        assert on_jemalloc == [True, True, True]
        assert malloc == ["malloc", "malloc"]  # Python's small objects go to it too
    else:
        assert on_jemalloc == [False, False, False]
        assert malloc == [None, None]


def _environ(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in entries if b"=" in entry)
