"""`convo` commands as real processes: the server and the workers, started like the README says."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def convo(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    """A `convo` command in its own process, its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "api", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def prepare_postgres(env: dict[str, str]) -> None:
    for command in ("migrate", "demo-data"):
        subprocess.run([sys.executable, "-m", "api", command], env=env, check=True, capture_output=True)


@contextmanager
def serving(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """`convo serve` on a free port until the block ends; yields its base URL once it is ready."""
    with serving_process(env, workers) as (base, _):
        yield base


@contextmanager
def serving_process(env: dict[str, str], workers: int = 1) -> Iterator[tuple[str, int]]:
    """Like `serving`, yielding the server's process id too (with --workers N, the workers' parent)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.stdout else ""
                raise AssertionError(f"server did not become ready:\n{output}")
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=15)
