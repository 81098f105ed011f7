"""What /metrics counts, and the log line each turn and each delivery writes, with its request id."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from infrastructure.bootstrap import Container
from infrastructure.logs import JsonFormatter
from tests.channels import wired
from tests.provider_payloads import post_whatsapp, wa_button_reply, wa_text, whatsapp_notification

TOKEN = "metrics-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GENERIC_TOKEN = "metrics-generic-token"


def post_generic(client: TestClient, body: dict[str, object], headers: dict[str, str] | None = None) -> Any:
    """As the generic webhook's client posts, with its token (where the service asks for one)."""
    return client.post("/webhooks/generic", json=body, headers=headers or _generic())


def value(text: str, name: str, **labels: str) -> float:
    """A sample's value in the text format; 0 when it is not there yet."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return 0.0


def _settings(container: Container, **overrides: object) -> None:
    container.settings = container.settings.model_copy(
        update={"api_token": SecretStr(TOKEN), "generic_webhook_token": SecretStr(GENERIC_TOKEN), **overrides}
    )


@pytest.fixture
def turn_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("convo.turns"), logging.getLogger("convo.deliveries")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_metrics_need_the_token(container: Container) -> None:
    _settings(container)
    with TestClient(create_app(container)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = client.get("/metrics", headers=AUTH)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")


def test_turns_webhooks_and_decisions_are_counted(container: Container, turn_lines: io.StringIO) -> None:
    _settings(container)
    with TestClient(create_app(container)) as client:
        before = client.get("/metrics", headers=AUTH).text
        message = {"message_id": "m-1", "from": "+33600000001", "text": "Bonjour"}
        answer = post_generic(client, message, headers={**_generic(), "X-Request-Id": "req-42"})
        assert answer.headers["x-request-id"] == "req-42"
        assert post_generic(client, message).status_code == 200  # a redelivery
        press = {
            "message_id": "m-2",
            "from": "+33600000001",
            "button": {"id": "menu.sites", "title": "Sites"},
        }
        post_generic(client, press)
        assert post_generic(client, {"message_id": "m-3"}).status_code == 422
        generated = client.get("/healthz").headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
        after = client.get("/metrics", headers=AUTH).text

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("convo_turns_total", channel="generic", outcome="handled") == 2
    assert delta("convo_turns_total", channel="generic", outcome="duplicate") == 1
    assert delta("convo_turn_duration_seconds_count", channel="generic") == 3
    assert delta("convo_webhook_responses_total", channel="generic", status="200") == 3
    assert delta("convo_webhook_responses_total", channel="generic", status="422") == 1
    assert delta("convo_understanding_decisions_total", layer="button", intent="menu") == 1
    assert value(after, "convo_follower_lag_events", follower="sessions") > 0  # nothing follows here

    lines = [json.loads(line) for line in turn_lines.getvalue().splitlines()]
    first = next(line for line in lines if line.get("request_id") == "req-42")
    assert first["message"] == "turn handled" and first["outcome"] == "handled"
    assert first["channel"] == "generic" and first["message_id"] == "m-1"
    assert first["sender"] == "+336•••••001" and first["text"] == "••• (7 characters)"
    assert first["conversation_id"] and first["session_id"] and first["retries"] == 0
    assert isinstance(first["latency_ms"], float)
    assert [line["outcome"] for line in lines] == ["handled", "duplicate", "handled"]


def _generic() -> dict[str, str]:
    return {"Authorization": f"Bearer {GENERIC_TOKEN}"}


def test_a_busy_worker_counts_its_503s_by_cause(container: Container) -> None:
    _settings(container, pool_size=1, pool_max_overflow=0, busy_wait_seconds=0.05)
    with TestClient(create_app(container)) as client:
        before = client.get("/metrics", headers=AUTH).text
        admission = client.app.state.admission  # type: ignore[attr-defined]
        taken = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with admission.slot():
                taken.set()
                release.wait(5)

        holder = threading.Thread(target=hold)
        holder.start()
        taken.wait(5)
        try:
            busy = post_generic(client, {"message_id": "b-1", "from": "+33600000001", "text": "Bonjour"})
        finally:
            release.set()
            holder.join()
        assert busy.status_code == 503
        after = client.get("/metrics", headers=AUTH).text
    assert (
        value(after, "convo_unavailable_responses_total", cause="busy")
        - value(before, "convo_unavailable_responses_total", cause="busy")
        == 1
    )
    assert (
        value(after, "convo_turns_total", channel="generic", outcome="refused")
        - value(before, "convo_turns_total", channel="generic", outcome="refused")
        == 1
    )


def test_deliveries_are_counted_timed_and_logged(container: Container, turn_lines: io.StringIO) -> None:
    _settings(container)
    with wired(container) as (client, worker, fake):
        before = client.get("/metrics", headers=AUTH).text
        fake.fail_next("whatsapp", code=131026)
        post_whatsapp(client, whatsapp_notification([wa_text("wamid.a", "Bonjour")]))
        worker.catch_up()
        post_whatsapp(client, whatsapp_notification([wa_button_reply("wamid.b", "menu.sites", "Chantiers")]))
        worker.catch_up()
        after = client.get("/metrics", headers=AUTH).text

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("convo_delivery_attempts_total", channel="whatsapp", result="permanent") == 1
    assert delta("convo_delivery_attempts_total", channel="whatsapp", result="sent") == 1
    assert delta("convo_delivery_send_duration_seconds_count", channel="whatsapp") == 2
    assert delta("convo_deliveries_total", channel="whatsapp", outcome="failed") == 1
    assert delta("convo_deliveries_total", channel="whatsapp", outcome="delivered") == 1
    assert delta("convo_webhook_responses_total", channel="whatsapp", status="200") == 2
    assert delta("convo_turns_total", channel="whatsapp", outcome="handled") == 2
    deliveries = [json.loads(line) for line in turn_lines.getvalue().splitlines()]
    deliveries = [line for line in deliveries if line.get("event") == "delivery"]
    assert [line["outcome"] for line in deliveries] == ["failed", "delivered"]
    assert deliveries[0]["level"] == "warning" and "131026" in deliveries[0]["error"]
    assert deliveries[1]["message_id"] == "wamid.b" and deliveries[1]["session_id"]
    assert deliveries[1]["provider_message_ids"][0].startswith("wamid.")
    assert deliveries[1]["retries"] == 0 and deliveries[1]["latency_ms"] > 0


@pytest.mark.postgres
def test_pool_connections_are_measured_on_postgresql(postgres_url: str, tmp_path: object) -> None:
    from infrastructure.bootstrap import build
    from tests.conftest import postgres_settings

    container = build(postgres_settings(postgres_url))
    _settings(container)
    try:
        with TestClient(create_app(container)) as client:
            post_generic(client, {"message_id": "p-1", "from": "+33600000001", "text": "Bonjour"})
            text = client.get("/metrics", headers=AUTH).text
    finally:
        container.close()
    for pool in ("event_store", "database"):
        assert value(text, "convo_pool_connections_open", pool=pool) >= 1, pool
        assert f'convo_pool_connections_in_use{{pool="{pool}"}}' in text
        assert f'convo_pool_requests_waiting{{pool="{pool}"}}' in text
