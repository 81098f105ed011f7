"""Metrics and logs of real `convo` processes: several workers add up, JSON lines, request ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.test_metrics import GENERIC_TOKEN, value
from tests.servers import free_port

pytestmark = pytest.mark.slow

TOKEN = "served-metrics-token"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'convo.db'}",
        "CONVO_API_TOKEN": TOKEN,
        "CONVO_GENERIC_WEBHOOK_TOKEN": GENERIC_TOKEN,
        "CONVO_LOG_FORMAT": "json",
        "CONVO_PROJECTIONS_IN_SERVE": "false",
        "CONVO_DELIVERY_IN_SERVE": "false",
        **extra,
    }


def _ready(url: str, process: subprocess.Popen[bytes], path: str = "/readyz") -> None:
    deadline = time.monotonic() + 40
    while True:
        try:
            if httpx.get(url + path, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not become ready")
        time.sleep(0.2)


def test_two_workers_add_up_and_log_json_lines_with_request_ids(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"")  # left by an earlier run: cleared at start
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = _env(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(shared))
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _ready(base, server)
            turns = 30
            for n in range(turns):
                # A new connection each time, so both workers take some.
                answer = httpx.post(
                    f"{base}/webhooks/generic",
                    json={"message_id": f"m-{n}", "from": f"+336123400{n:02d}", "text": "Bonjour"},
                    headers={"Authorization": f"Bearer {GENERIC_TOKEN}", "X-Request-Id": f"req-{n}"},
                )
                assert answer.status_code == 200 and answer.headers["x-request-id"] == f"req-{n}"
            for _ in range(6):  # whichever worker answers, it adds up every worker's counts
                text = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
                assert value(text, "convo_turns_total", channel="generic", outcome="handled") == turns
                assert value(text, "convo_webhook_responses_total", channel="generic", status="200") == turns
            writers = {name.rsplit("_", 1)[-1] for name in os.listdir(shared) if name.startswith("counter_")}
            assert len(writers) == 2 and "1.db" not in writers
        finally:
            server.terminate()
            server.wait(timeout=15)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    turn = next(
        line for line in lines if line.get("message") == "turn handled" and line.get("request_id") == "req-7"
    )
    assert turn["sender"] == "+336•••••007" and turn["channel"] == "generic" and turn["message_id"] == "m-7"
    access = [
        line for line in lines if line["logger"] == "uvicorn.access" and line.get("request_id") == "req-7"
    ]
    assert len(access) == 1 and access[0]["status"] == 200 and access[0]["path"] == "/webhooks/generic"
    raw = log_path.read_text()
    assert "+33612340007" not in raw and "Bonjour" not in raw
    assert all(line.startswith("{") for line in raw.splitlines() if line.strip())


def test_the_delivery_worker_serves_its_metrics_on_its_own_address(tmp_path: Path) -> None:
    port = free_port()
    worker = subprocess.Popen(
        [sys.executable, "-m", "api", "deliver", "--metrics-address", f"127.0.0.1:{port}"],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _ready(f"http://127.0.0.1:{port}", worker, "/metrics")
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'convo_follower_lag_events{follower="delivery"}' in text
        assert "convo_delivery_attempts_total" in text or "# TYPE convo_delivery_attempts_total" in text
        assert httpx.get(f"http://127.0.0.1:{port}/other").status_code == 404
    finally:
        worker.terminate()
        worker.wait(timeout=15)
