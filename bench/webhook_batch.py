"""1c. One WhatsApp webhook carrying 1,000 messages, on PostgreSQL, against the 5 s budget.

Meta batches messages of many senders in one notification and waits a few
seconds for the answer before retrying. The batch is posted, signed, through
the real app; then posted again, as a retry, which must add nothing to the log.
Alone: `.venv/bin/python -m bench --only webhook_batch [--quick]`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from bench.directory import add_subcontractors, crew
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.timing import median, progress
from infrastructure.bootstrap import build
from infrastructure.channels.whatsapp.webhook import signature

Section = tuple[list[Line], list[str]]
PHONES = "+3366200"  # a block of numbers no other section uses
SECRET = "bench-app-secret"
BUDGET_SECONDS = 5.0
MESSAGES_PER_SENDER = 4
_TEXTS = ("Bonjour", "mes chantiers", "1", "mes tâches")


def _notification(senders: list[str], count: int, tag: str) -> bytes:
    messages: list[dict[str, Any]] = [
        {
            "from": senders[n % len(senders)].lstrip("+"),
            "id": f"wamid.{tag}.{n}",
            "timestamp": "1764000000",
            "type": "text",
            "text": {"body": _TEXTS[(n // len(senders)) % len(_TEXTS)]},
        }
        for n in range(count)
    ]
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}, "messages": messages}
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [change]}]}).encode()


def _events(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*) FROM convo_events").fetchone()
    return int(row[0]) if row else 0


def run(database_url: str, sizes: Sizes) -> Section:
    count = sizes.batch_messages
    members = crew("W", PHONES, max(1, count // MESSAGES_PER_SENDER))
    add_subcontractors(database_url, members)
    senders = [m.phone for m in members]
    container = build(settings_for(database_url, whatsapp_app_secret=SecretStr(SECRET)))
    first: list[float] = []
    retried: list[float] = []
    added_by_retries = 0
    try:
        with TestClient(create_app(container)) as client:

            def post(body: bytes) -> float:
                headers = {"content-type": "application/json", "X-Hub-Signature-256": signature(body, SECRET)}
                started = time.perf_counter()
                response = client.post("/webhooks/whatsapp", content=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200 or response.json()["messages"] != count:
                    raise RuntimeError(f"the batch was not handled: {response.status_code} {response.text}")
                return elapsed

            for round_number in range(1, sizes.batch_rounds + 1):
                body = _notification(senders, count, f"b{round_number}")
                first.append(post(body))
                before = _events(database_url)
                retried.append(post(body))
                added_by_retries += _events(database_url) - before
                progress(
                    f"webhook batch round {round_number}/{sizes.batch_rounds}: {count} messages in "
                    f"{first[-1]:.2f} s, its retry in {retried[-1]:.2f} s"
                )
    finally:
        container.close()

    section = f"1c. One WhatsApp webhook of {count:,} messages from {len(senders)} senders, PostgreSQL"
    lines = [
        Line(
            section,
            "answered in",
            median(first),
            "s",
            samples=first,
            baseline=BUDGET_SECONDS,
            baseline_label="budget",
            target=Target("<=", 1.0),
        ),
        Line(
            section,
            "the same batch retried, answered in",
            median(retried),
            "s",
            samples=retried,
            baseline=BUDGET_SECONDS,
            baseline_label="budget",
            target=Target("<=", 1.0),
        ),
        Line(
            section,
            "events added by the retries, all rounds",
            float(added_by_retries),
            "",
            target=Target("<=", 0),
            must_pass=True,
        ),
    ]
    return lines, []
