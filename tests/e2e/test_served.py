"""The real server: `convo serve --workers 2` on PostgreSQL, hit by concurrent HTTP clients."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.generic_webhook import GENERIC_TOKEN, post_generic
from tests.servers import prepare_postgres, serving
from tests.turns import KARIM

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def served(postgres_url: str) -> Iterator[str]:
    env = {
        **os.environ,
        "CONVO_DATABASE_URL": postgres_url,
        "CONVO_LOG_LEVEL": "warning",
        "CONVO_GENERIC_WEBHOOK_TOKEN": GENERIC_TOKEN,
    }
    # Set up exactly as the README says for PostgreSQL.
    prepare_postgres(env)
    with serving(env, workers=2) as base:
        yield base


def test_two_worker_processes_keep_one_session_and_answer_redeliveries_alike(served: str) -> None:
    messages = [
        {"message_id": f"http-{n}", "from": KARIM, **payload}
        for n, payload in enumerate(
            [
                {"text": "Bonjour"},
                {"button": {"id": "menu.sites", "title": "Mes chantiers"}},
                {"text": "aide"},
            ]
            * 8
        )
    ]
    deliveries = messages * 3  # every message delivered three times, concurrently

    with httpx.Client(base_url=served, timeout=30) as client, ThreadPoolExecutor(max_workers=12) as pool:

        def send(message: dict[str, Any]) -> dict[str, Any]:
            response = post_generic(client, message)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            body["message_id"] = message["message_id"]
            return body

        answers = list(pool.map(send, deliveries))

    by_message: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for answer in answers:
        by_message[answer["message_id"]].append(answer)
    for message_id, replies in by_message.items():
        assert sum(not r["duplicate"] for r in replies) == 1, message_id
        assert len({str(r["reply"]) for r in replies}) == 1, message_id
    assert len({a["session_id"] for a in answers}) == 1
    greeting = next(a for a in answers if a["message_id"] == "http-0")
    assert greeting["reply"]["text"].startswith("Bonjour Karim")


def test_terminal_chat_against_the_running_server(served: str) -> None:
    chat = [sys.executable, "-m", "api", "chat", "--as", "+447700900001", "--url", served]
    # The token comes from the same setting the server reads.
    env = {**os.environ, "CONVO_GENERIC_WEBHOOK_TOKEN": GENERIC_TOKEN}
    run = subprocess.run(
        chat, input="hi\n1\n2\n", capture_output=True, text=True, timeout=60, check=True, env=env
    )
    assert "Hello James" in run.stdout
    assert "Your sites (2): which one?" in run.stdout
    assert "Hôtel Part-Dieu — your tasks (3):" in run.stdout

    env = {k: v for k, v in os.environ.items() if k != "CONVO_GENERIC_WEBHOOK_TOKEN"}
    refused = subprocess.run(
        [*chat, "--token", "wrong"],
        input="hi\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert refused.returncode == 1
    assert "403: Authorization: Bearer does not match" in refused.stderr
    assert "Traceback" not in refused.stderr
