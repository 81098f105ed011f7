"""Three PostgreSQL 15 nodes under Patroni, synchronous, with one etcd: on loopback, in a temporary directory.

Used by the `ha` tests and the bench, and runnable on its own (as root, like CI):

    python -m tests.ha_cluster              # starts it, prints its URLs, stops it on Ctrl-C
    python -m tests.ha_cluster -- CMD ARG…  # runs CMD with CONVO_TEST_POSTGRES_URL set to the cluster

Needs PostgreSQL 15's binaries (`postgresql-15`), `etcd` (Debian's `etcd-server`) and Patroni
(`pip install -e '.[ha]'`). Everything it starts, it stops by PID, and it removes its directory,
also when what runs inside fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.servers import free_port

SCOPE = "convo-ha"
OS_USER = "postgres"  # initdb refuses root
SUPERUSER = "postgres"
# The dynamic configuration; Patroni 4.1.5 refuses a ttl under 20.
DCS = {
    "ttl": 20,
    "loop_wait": 10,
    "retry_timeout": 5,
    "maximum_lag_on_failover": 0,
    "synchronous_mode": True,
    "synchronous_mode_strict": True,
}
START_TIMEOUT = 120.0
# A lost leader is replaced 10-20 s later (its lease, ttl 20, is renewed every loop_wait 10).
PROMOTION_TIMEOUT = 40.0


class ClusterError(RuntimeError):
    """The cluster could not be started, or did not reach the state asked for in time."""


def postgres_bin_dir(version: int = 15) -> Path:
    """The directory of version 15's `pg_ctl`: pg_config's, or Debian's layout, or the PATH's."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(found.stdout.strip()))
    candidates.append(Path(f"/usr/lib/postgresql/{version}/bin"))
    if pg_ctl := shutil.which("pg_ctl"):
        candidates.append(Path(pg_ctl).resolve().parent)
    for directory in candidates:
        pg_ctl_path = directory / "pg_ctl"
        if pg_ctl_path.exists():
            said = subprocess.run([pg_ctl_path, "--version"], capture_output=True, text=True, check=False)
            if f" {version}." in said.stdout:
                return directory
    raise ClusterError(f"no PostgreSQL {version} pg_ctl found (install postgresql-{version})")


def etcd_binary() -> Path:
    found = os.environ.get("CONVO_HA_ETCD") or shutil.which("etcd")
    if not found:
        raise ClusterError("no etcd binary (install Debian's etcd-server, or set CONVO_HA_ETCD)")
    return Path(found)


def _patroni_closure() -> list[metadata.Distribution]:
    """Patroni and what it imports (with the etcd3 and psycopg3 extras), as installed here."""
    from packaging.requirements import Requirement

    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    pending: list[tuple[str, tuple[str, ...]]] = [("patroni", ("etcd3", "psycopg3"))]
    while pending:
        name, extras = pending.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as error:
            raise ClusterError(f"{name} is not installed: pip install -e '.[ha]'") from error
        key = dist.metadata["Name"].lower()
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        found[key] = dist
        for spec in dist.requires or []:
            requirement = Requirement(spec)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in (*extras, "")
            )
            if wanted:
                pending.append((requirement.name, tuple(requirement.extras)))
    return list(found.values())


def _runs_as(user: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    try:
        done = subprocess.run(command, user=user, capture_output=True, check=False, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _patroni_python(directory: Path) -> tuple[list[str], dict[str, str]]:
    """A command that runs Python with Patroni importable, as the postgres user.

    This interpreter may live where that user cannot read (a venv made from a Python under
    root's home): then Patroni and its dependencies are copied next to the cluster and run
    by a system Python of the same version, so compiled extensions still load.
    """
    if _runs_as(OS_USER, [sys.executable, "-c", "import patroni"]):
        return [sys.executable], {}
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    site = directory / "site-packages"
    for dist in _patroni_closure():
        for file in dist.files or []:
            if file.parts and file.parts[0] == "..":
                continue  # console scripts: Patroni runs as `python -m patroni`
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            source = Path(str(dist.locate_file(file)))
            if source.is_file():
                shutil.copyfile(source, target)
    env = {"PYTHONPATH": str(site), "PYTHONNOUSERSITE": "1"}
    candidates = (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}", shutil.which("python3"))
    for candidate in candidates:
        if candidate and _runs_as(OS_USER, [candidate, "-c", "import patroni"], env={**os.environ, **env}):
            return [candidate], env
    raise ClusterError(
        f"no Python {version} the {OS_USER} user can run (install Debian's python3, the same version)"
    )


@dataclass
class Node:
    name: str
    port: int
    rest_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def rest(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname} connect_timeout=2"


@dataclass
class Cluster:
    """The cluster's processes and where they keep their files; start() it, stop() it."""

    root: Path
    nodes: list[Node] = field(default_factory=list)
    etcd: subprocess.Popen[bytes] | None = None
    etcd_port: int = 0
    _python: list[str] = field(default_factory=list)
    _python_env: dict[str, str] = field(default_factory=dict)
    _bin_dir: Path = Path()

    def url(self, dbname: str = "postgres", target: str = "read-write") -> str:
        """The multi-host URL clients use: every node, asking for the one that takes writes."""
        hosts = ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)
        return f"postgresql://{SUPERUSER}@{hosts}/{dbname}?target_session_attrs={target}"

    # -- starting and stopping ------------------------------------------------------------

    def start(self) -> None:
        self._bin_dir = postgres_bin_dir()
        etcd = etcd_binary()
        owner = pwd.getpwnam(OS_USER)
        self._python, self._python_env = _patroni_python(self.root)
        self.etcd_port = free_port()
        etcd_dir = self.root / "etcd"
        etcd_dir.mkdir()
        self._own(etcd_dir, owner)
        peer = free_port()
        self.etcd = self._spawn(
            [
                str(etcd),
                "--name=etcd",
                f"--data-dir={etcd_dir / 'data'}",
                f"--listen-client-urls=http://127.0.0.1:{self.etcd_port}",
                f"--advertise-client-urls=http://127.0.0.1:{self.etcd_port}",
                f"--listen-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-cluster=etcd=http://127.0.0.1:{peer}",
                "--enable-v2=false",
            ],
            etcd_dir / "etcd.log",
            {"ETCD_UNSUPPORTED_ARCH": ""},
        )
        self._wait(self._etcd_healthy, 30, "etcd to answer")
        for n in (1, 2, 3):
            directory = self.root / f"node{n}"
            directory.mkdir()
            self._own(directory, owner)
            node = Node(f"node{n}", free_port(), free_port(), directory)
            self.nodes.append(node)
            self._write_config(node)
        for node in self.nodes:
            self.start_node(node)
        self.wait_healthy(START_TIMEOUT)

    def start_node(self, node: Node) -> None:
        node.process = self._spawn(
            [*self._python, "-m", "patroni", str(node.directory / "patroni.json")],
            node.directory / "patroni.log",
            self._python_env,
        )

    def stop(self) -> None:
        """Every process started, by PID: Patroni stops its PostgreSQL; what is left is killed."""
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.send_signal(signal.SIGTERM)
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
            self._kill_postmaster(node)
        if self.etcd is not None and self.etcd.poll() is None:
            self.etcd.terminate()
            try:
                self.etcd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.etcd.kill()
                self.etcd.wait()

    # -- what the drills do ------------------------------------------------------------------

    def kill(self, node: Node) -> None:
        """SIGKILL to the node's postmaster and to its Patroni, as a lost machine would be."""
        pid = node.postmaster_pid()
        if node.process is not None:
            node.process.kill()
            node.process.wait()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait(lambda: not _alive(pid), 10, f"{node.name}'s postmaster to die")

    def switchover(self, candidate: Node) -> None:
        """A planned switchover with `patronictl switchover`, as an operator would."""
        leader = self.leader()
        patronictl = Path(sys.executable).parent / "patronictl"
        done = subprocess.run(
            [
                str(patronictl),
                "-c",
                str(leader.directory / "patroni.json"),
                "switchover",
                SCOPE,
                "--leader",
                leader.name,
                "--candidate",
                candidate.name,
                "--force",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterError(f"switchover refused: {done.stdout} {done.stderr}")

    def wait_for_promotion(self, old_leader: str, timeout: float = PROMOTION_TIMEOUT) -> float:
        """When a node other than `old_leader` leaves recovery, as PostgreSQL itself says
        (time.monotonic()); Patroni's log has the same moment as "promoted self to leader"."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            primary = self.primary_now()
            if primary is not None and primary.name != old_leader:
                return time.monotonic()
            time.sleep(0.1)
        raise ClusterError(f"no new primary within {timeout:g} s; {self.describe()}")

    def members(self) -> list[dict[str, Any]]:
        """Patroni's view of the cluster (`patronictl list`), from the first node that answers."""
        for node in self.nodes:
            if node.process is None or node.process.poll() is not None:
                continue
            try:
                members: list[dict[str, Any]] = httpx.get(f"{node.rest}/cluster", timeout=2).json()["members"]
            except (httpx.HTTPError, ValueError, KeyError):
                continue
            return members
        return []

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def leader(self) -> Node:
        for member in self.members():
            if member["role"] == "leader" and member["state"] == "running":
                return self.node(member["name"])
        raise ClusterError("no leader")

    def sync_standby(self) -> Node:
        for member in self.members():
            if member["role"] == "sync_standby" and member["state"] == "streaming":
                return self.node(member["name"])
        raise ClusterError("no synchronous standby")

    def is_healthy(self, size: int = 3) -> bool:
        """A leader, a synchronous standby, and every one of `size` nodes running or streaming."""
        members = self.members()
        roles = [m["role"] for m in members if m["state"] in ("running", "streaming")]
        return len(roles) == size and roles.count("leader") == 1 and "sync_standby" in roles

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        self._wait(self.is_healthy, timeout, "one leader, a synchronous standby and three nodes up")

    def heal(self, timeout: float = START_TIMEOUT) -> None:
        """Starts nodes that are down again and waits until all three are back in the cluster."""
        for node in self.nodes:
            if node.process is None or node.process.poll() is not None:
                self.start_node(node)
        self.wait_healthy(timeout)

    def primary_now(self) -> Node | None:
        """The node PostgreSQL itself says is out of recovery now, asked directly."""
        for node in self.nodes:
            try:
                with psycopg.connect(node.dsn(), autocommit=True) as connection:
                    row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
            except psycopg.Error:
                continue
            if row is not None and row[0] is False:
                return node
        return None

    def promotion_logged(self, node: Node, since: float) -> float | None:
        """When the node's Patroni logged its promotion ("promoted self to leader…"), as
        time.time(); None if it has not since `since`."""
        for line in reversed(self.log_of(node).splitlines()):
            if "promoted self to leader" in line:
                logged = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                return logged if logged >= since else None
        return None

    def log_of(self, node: Node) -> str:
        try:
            return (node.directory / "patroni.log").read_text(errors="replace")
        except OSError:
            return ""

    # -- plumbing -------------------------------------------------------------------------------

    def _write_config(self, node: Node) -> None:
        hba = [
            "local all all trust",
            "host all all 127.0.0.1/32 trust",
            "host replication all 127.0.0.1/32 trust",
        ]
        config = {
            "scope": SCOPE,
            "name": node.name,
            "log": {"level": "INFO", "format": "%(asctime)s %(levelname)s: %(message)s"},
            "restapi": {
                "listen": f"127.0.0.1:{node.rest_port}",
                "connect_address": f"127.0.0.1:{node.rest_port}",
            },
            "etcd3": {"hosts": [f"127.0.0.1:{self.etcd_port}"]},
            "bootstrap": {
                "dcs": {
                    **DCS,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "parameters": {
                            "max_connections": 300,
                            "wal_log_hints": "on",
                            "hot_standby_feedback": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{node.port}",
                "connect_address": f"127.0.0.1:{node.port}",
                "data_dir": str(node.data_dir),
                "bin_dir": str(self._bin_dir),
                "pgpass": str(node.directory / "pgpass"),
                "authentication": {
                    "superuser": {"username": SUPERUSER, "password": "unused-trust-auth"},
                    "replication": {"username": "replicator", "password": "unused-trust-auth"},
                    "rewind": {"username": SUPERUSER, "password": "unused-trust-auth"},
                },
                "parameters": {"unix_socket_directories": str(node.directory)},
                "pg_hba": hba,
                "remove_data_directory_on_rewind_failure": True,
                "remove_data_directory_on_diverged_timelines": True,
            },
        }
        path = node.directory / "patroni.json"
        path.write_text(json.dumps(config, indent=2))  # JSON is YAML: Patroni reads it as is
        self._own(path, pwd.getpwnam(OS_USER))

    def _spawn(self, command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        owner = pwd.getpwnam(OS_USER)
        with log.open("ab") as out:
            self._own(log, owner)
            return subprocess.Popen(
                command,
                user=owner.pw_uid,
                group=owner.pw_gid,
                extra_groups=[],
                cwd=self.root,
                env={
                    "PATH": f"{self._bin_dir}:/usr/local/bin:/usr/bin:/bin",
                    "HOME": str(self.root),
                    "LANG": "C.UTF-8",
                    **env,
                },
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C of the caller reaches only the caller
            )

    def _etcd_healthy(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.etcd_port}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def _kill_postmaster(self, node: Node) -> None:
        pid = node.postmaster_pid()
        if pid is not None and _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    @staticmethod
    def _own(path: Path, owner: pwd.struct_passwd) -> None:
        os.chown(path, owner.pw_uid, owner.pw_gid)

    def _wait(self, condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise ClusterError(f"timed out after {timeout:g} s waiting for {what}; {self.describe()}")
            time.sleep(0.2)

    def describe(self) -> str:
        members = ", ".join(f"{m['name']} {m['role']} {m['state']}" for m in self.members())
        return f"members: {members or 'none answer'}; logs in {self.root}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped by its parent) is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def cluster_problem() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if os.geteuid() != 0:
        return "the cluster's processes run as the postgres user: start them as root"
    try:
        pwd.getpwnam(OS_USER)
        postgres_bin_dir()
        etcd_binary()
        metadata.distribution("patroni")
    except KeyError:
        return f"no {OS_USER} OS user (install postgresql-15)"
    except metadata.PackageNotFoundError:
        return "Patroni is not installed: pip install -e '.[ha]'"
    except ClusterError as error:
        return str(error)
    return None


@contextlib.contextmanager
def running_cluster(keep_on_failure: bool = False) -> Iterator[Cluster]:
    """A started cluster for the block; stopped and removed afterwards, whatever happens."""
    root = Path(tempfile.mkdtemp(prefix="convo-ha-"))
    os.chmod(root, 0o755)  # the postgres user must reach its nodes' directories
    cluster = Cluster(root)
    failed = False
    try:
        cluster.start()
        yield cluster
    except BaseException:
        failed = True
        raise
    finally:
        cluster.stop()
        if failed and keep_on_failure:
            print(f"cluster files kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds, so the cluster is stopped and its directory removed


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    problem = cluster_problem()
    if problem is not None:
        print(f"cannot start the cluster: {problem}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    with running_cluster(keep_on_failure=True) as cluster:
        with psycopg.connect(cluster.url(), autocommit=True) as connection:
            connection.execute("CREATE DATABASE convo")
        print(
            f"cluster up in {time.monotonic() - started:.1f} s: leader {cluster.leader().name}, "
            f"synchronous standby {cluster.sync_standby().name}\n"
            f"  CONVO_DATABASE_URL={cluster.url('convo')}\n"
            f"  CONVO_READ_DATABASE_URL={cluster.url('convo', 'prefer-standby')}\n"
            f"  CONVO_TEST_POSTGRES_URL={cluster.url()}",
            file=sys.stderr,
            flush=True,
        )
        if command:
            env = {**os.environ, "CONVO_TEST_POSTGRES_URL": cluster.url()}
            return subprocess.run(command, env=env, check=False).returncode
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
