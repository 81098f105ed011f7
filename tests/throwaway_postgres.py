"""A PostgreSQL server of a test's own, on a free port in a temporary directory, that the test may
stop and start at will without disturbing the shared server other tests use.

Made with the installed PostgreSQL's `initdb` and `pg_ctl` (Debian's /usr/lib/postgresql/15/bin),
trust authentication on loopback only, run as the postgres OS user when started as root (initdb
refuses root). Stopped by its data directory and removed afterwards, whatever happens.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.ha_cluster import ClusterError, postgres_bin_dir
from tests.servers import free_port

OS_USER = "postgres"
SUPERUSER = "postgres"
# Without fsync a start takes a fraction of a second; a stop, however immediate, still keeps
# what was written (the OS does not crash). Commits stay synchronous: an asynchronous one is
# acknowledged before its WAL is written, and an immediate stop loses it.
FAST = ("-c", "fsync=off", "-c", "full_page_writes=off")


class ThrowawayServerError(RuntimeError):
    """The server could not be made, started or stopped."""


def throwaway_problem() -> str | None:
    """Why no throwaway server can be made here, or None."""
    try:
        postgres_bin_dir()
    except ClusterError as error:
        return str(error)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"initdb refuses root and there is no {OS_USER} OS user to run it"
    return None


@dataclass
class ThrowawayServer:
    root: Path
    port: int
    bin_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def initialise(self) -> None:
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        where = ("-c", f"port={self.port}", "-c", "listen_addresses=127.0.0.1")
        options = " ".join((*where, "-c", f"unix_socket_directories={self.root}", *FAST))
        log = self.root / "server.log"
        self._run(
            "pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data_dir), "-l", str(log), "-o", options
        )

    def stop_immediately(self) -> None:
        """As a crash would: no checkpoint, every connection cut at once."""
        self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data_dir))

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data_dir), check=False)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        as_user = OS_USER if os.geteuid() == 0 else None
        command = [str(self.bin_dir / program), *args]
        done = subprocess.run(command, check=False, user=as_user, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise ThrowawayServerError(f"{program} failed: {done.stdout}{done.stderr}")


@contextmanager
def throwaway_server() -> Iterator[ThrowawayServer]:
    """A started server for the block; stopped and its directory removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="convo-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(OS_USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = ThrowawayServer(root, free_port(), postgres_bin_dir())
    try:
        server.initialise()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
