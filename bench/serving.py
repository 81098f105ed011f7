"""`convo serve` as a separate process, started the way the README runs production."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from infrastructure.keys.master import DEVELOPMENT_MASTER_KEY


@dataclass(frozen=True)
class Served:
    base_url: str
    pid: int  # uvicorn's: with --workers N the workers are its children


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The bench's environment, with CONVO_* settings for the server; no `.env` file applies.

    `CONVO_ALLOCATOR` passes through, to compare allocators with the same command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVO_") or k == "CONVO_ALLOCATOR"}
    env |= {"CONVO_DATABASE_URL": database_url, "CONVO_DEMO_DATA": "false", "CONVO_LOG_LEVEL": "warning"}
    # The key the bench's own containers seal with (bench/scratch.py), or the servers could not start.
    env["CONVO_MASTER_KEY"] = os.environ.get("CONVO_MASTER_KEY", DEVELOPMENT_MASTER_KEY)
    return env | {f"CONVO_{name.upper()}": value for name, value in settings.items()}


@contextmanager
def convo_serve(env: dict[str, str], workers: int) -> Iterator[Served]:
    """`convo serve --workers N` on a free port until the block ends; yields once every worker is up."""
    with served_by(["-m", "api", "serve", "--workers", str(workers)], env, workers) as served:
        yield served


@contextmanager
def served_by(
    arguments: list[str], env: dict[str, str], workers: int, ready: str = "/readyz"
) -> Iterator[Served]:
    """A server started as `python ARGUMENTS --port P` on a free port until the block ends; yields
    once every worker is up and `ready` answers 200."""
    port = _free_port()
    # A file, not a pipe: nobody reads a pipe while the server runs, and a full one would stall it.
    with tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(
            [sys.executable, *arguments, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _ready(base, server.pid, workers, ready):
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    server.wait()
                    errors.seek(0)
                    output = errors.read().decode(errors="replace")
                    raise RuntimeError(f"{' '.join(arguments)} did not start:\n{output}")
                time.sleep(0.3)
            yield Served(base, server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def worker_pids(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor `pid` started (Linux)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return []


def _ready(base: str, pid: int, workers: int, path: str) -> bool:
    """True once every worker process is up and one of them answers `path` (the databases answer)."""
    try:
        answered = httpx.get(f"{base}{path}", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
    return answered and (workers == 1 or len(worker_pids(pid)) >= workers)
