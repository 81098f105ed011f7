"""How `convo` processes report on themselves: their log format, and metrics for those without HTTP."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from api.operations import follower_positions, pools_of
from infrastructure import logs, metrics
from infrastructure.bootstrap import Container
from infrastructure.last_writers import make_board
from infrastructure.settings import Settings

log = logging.getLogger(__name__)


@contextmanager
def workers_share_metrics(workers: int) -> Iterator[None]:
    """With several worker processes, each writes its counts to files in one folder (prometheus-client's
    multiprocess mode), so `/metrics`, whichever worker answers, adds them all up."""
    if workers <= 1 or os.environ.get(metrics.MULTIPROCESS_DIR):
        given = os.environ.get(metrics.MULTIPROCESS_DIR)
        if given and workers > 1:
            for stale in os.listdir(given):  # counts of an earlier run would be added again
                if stale.endswith(".db"):
                    os.remove(os.path.join(given, stale))
        yield
        return
    folder = tempfile.mkdtemp(prefix="convo-metrics-")
    os.environ[metrics.MULTIPROCESS_DIR] = folder
    try:
        yield
    finally:
        del os.environ[metrics.MULTIPROCESS_DIR]
        shutil.rmtree(folder, ignore_errors=True)


LAST_WRITERS_FILE = "CONVO_LAST_WRITERS_FILE"


@contextmanager
def workers_share_last_writers(workers: int) -> Iterator[None]:
    """With several worker processes, a board in shared memory where each notes the conversations
    it wrote last: a worker reads a conversation before its turn only when another wrote since."""
    if workers <= 1:
        yield
        return
    in_memory = Path("/dev/shm")  # noqa: S108 (memory, not disk; mkstemp makes the file private)
    folder = in_memory if in_memory.is_dir() else Path(tempfile.gettempdir())
    _remove_boards_of_dead_servers(folder)
    handle, name = tempfile.mkstemp(prefix=f"{_BOARD_PREFIX}{os.getpid()}-", dir=folder)
    os.close(handle)
    board = Path(name)
    make_board(board)
    os.environ[LAST_WRITERS_FILE] = name
    try:
        yield
    finally:
        del os.environ[LAST_WRITERS_FILE]
        board.unlink(missing_ok=True)


_BOARD_PREFIX = "convo-last-writers-"


def _remove_boards_of_dead_servers(folder: Path) -> None:
    """A server killed outright leaves its board behind: the next one to start removes it."""
    for board in folder.glob(f"{_BOARD_PREFIX}*-*"):
        owner = board.name.removeprefix(_BOARD_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not _running(int(owner)):
            board.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True


def uvicorn_logging(settings: Settings) -> dict[str, Any]:
    return logs.uvicorn_log_config(settings)


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"a metrics address is HOST:PORT, got {address!r}")
    return host or "127.0.0.1", int(port)


class WorkerOperations:
    """For `convo deliver` and `convo projections run`: their log lines in the service's format, their
    pools sampled, and, given an address, their metrics served there (no token: bind it privately)."""

    def __init__(self, container: Container, metrics_address: str | None) -> None:
        logs.configure(container.settings)
        self._sampler = sampler = metrics.PoolSampler(pools_of(container)).start()
        self._server: ThreadingHTTPServer | None = None
        if not metrics_address:
            return
        host, port = parse_address(metrics_address)
        collectors = [metrics.LagCollector(lambda: follower_positions(container))]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                sampler.sample()
                body = metrics.exposition(collectors)
                self.send_response(200)
                self.send_header("Content-Type", metrics.CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._server.serve_forever, name="convo-metrics", daemon=True).start()
        log.info("metrics on http://%s:%s/metrics", host, port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._sampler.close()
