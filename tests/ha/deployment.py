"""convo deployed on the cluster as the README says: two `convo serve --workers 2`, `convo deliver`,
`convo projections run`, every one of them given the multi-host URL, replies going to fake providers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.fake_providers import FakeProviders
from tests.provider_payloads import APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, WA_TOKEN
from tests.servers import free_port, prepare_postgres

GENERIC_TOKEN = "ha-generic-token"
SERVERS = 2
WORKERS = 2


@dataclass
class Deployment:
    database_url: str
    read_url: str
    fake: FakeProviders
    servers: list[str] = field(default_factory=list)  # base URLs
    logs: Path = Path()
    # `convo deliver` and `convo projections run`, by name: a test may check they still run.
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)


def deployment_env(database_url: str, read_url: str, fake: FakeProviders) -> dict[str, str]:
    return {
        **os.environ,
        "CONVO_DATABASE_URL": database_url,
        "CONVO_READ_DATABASE_URL": read_url,
        "CONVO_LOG_LEVEL": "warning",
        # The generic webhook takes its bearer token; both settings, whichever the code reads.
        "CONVO_GENERIC_WEBHOOK_TOKEN": GENERIC_TOKEN,
        "CONVO_INSECURE_WEBHOOKS": "true",
        "CONVO_WHATSAPP_APP_SECRET": APP_SECRET,
        "CONVO_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "CONVO_WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
        "CONVO_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "CONVO_WHATSAPP_API_URL": f"{fake.base_url}/v21.0",
        "CONVO_DELIVERY_RETRY_SECONDS": "0.05",
    }


@contextmanager
def deployed(database_url: str, read_url: str, logs: Path, servers: int = SERVERS) -> Iterator[Deployment]:
    """Every process started here is stopped here, by its PID, also when the block fails."""
    with FakeProviders() as fake, ExitStack() as processes:
        env = deployment_env(database_url, read_url, fake)
        prepare_postgres(env)
        deployment = Deployment(database_url, read_url, fake, logs=logs)
        for n in range(servers):
            port = free_port()
            processes.enter_context(
                _running(
                    env, logs / f"serve-{n}.log", "serve", "--port", str(port), "--workers", str(WORKERS)
                )
            )
            deployment.servers.append(f"http://127.0.0.1:{port}")
        deployment.workers["deliver"] = processes.enter_context(
            _running(env, logs / "deliver.log", "deliver")
        )
        deployment.workers["projections"] = processes.enter_context(
            _running(env, logs / "projections.log", "projections", "run")
        )
        for base in deployment.servers:
            _wait_ready(base)
        yield deployment


@contextmanager
def _running(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    # Output to a file, never to a pipe nobody reads: a failover's warnings would fill it and
    # block the process.
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become ready")
