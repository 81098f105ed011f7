"""The service over HTTP, as a channel would call it, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.admission import TurnAdmission
from domain.identity import conversation_id_for, receipt_id_for
from infrastructure.bootstrap import Container
from tests.generic_webhook import GENERIC_AUTH, post_generic
from tests.turns import KARIM, log_size, named, recorded


def post(client: TestClient, message_id: str, **payload: Any) -> dict[str, Any]:
    response = post_generic(client, {"message_id": message_id, "from": KARIM, **payload})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [c["id"] for c in body["reply"]["choices"]]


def test_scenario_over_http(client: TestClient, container: Container) -> None:
    hello = post(client, "m-1", text="Bonjour")
    assert hello["duplicate"] is False
    assert hello["reply"]["style"] == "buttons"
    assert "menu.sites" in ids(hello)

    sites = post(client, "m-2", button={"id": "menu.sites", "title": "Mes chantiers"})
    assert all(i.startswith("project.") for i in ids(sites))
    assert len(ids(sites)) == 4 and sites["reply"]["style"] == "list"
    assert all(len(c["title"]) <= 24 for c in sites["reply"]["choices"])

    tilleuls = next(c for c in sites["reply"]["choices"] if c["id"] == "project.P-TIL")
    tasks = post(client, "m-3", button={"id": tilleuls["id"], "title": tilleuls["title"]})
    assert ids(tasks) and all(i.startswith("task.") for i in ids(tasks))
    assert "menu.sites" not in ids(tasks)  # not the greeting menu
    assert len({hello["session_id"], sites["session_id"], tasks["session_id"]}) == 1
    assert len({hello["conversation_id"], sites["conversation_id"], tasks["conversation_id"]}) == 1

    events = recorded(container)
    assert len(named(events, "SessionOpened")) == 1
    tool = next(e for e in named(events, "ToolOutputRecorded") if e.message_id == "m-2")
    press = next(e for e in named(events, "ButtonPressed") if e.message_id == "m-3")
    assert "P-TIL" in [site["id"] for site in tool.output]
    assert press.offered_by == "m-2"

    again = post(client, "m-3", button={"id": tilleuls["id"], "title": tilleuls["title"]})
    assert again["duplicate"] is True and again["reply"] == tasks["reply"]


BAD_INPUTS = [
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001", "text": "Bonjour"', 400, "JSON", id="truncated-json"
    ),
    pytest.param(b"not json at all", 400, "JSON", id="malformed-json"),
    pytest.param(b'{"from": "+33600000001", "text": "Bonjour"}', 422, "message_id", id="missing-message-id"),
    pytest.param(b'{"message_id": "m-9", "text": "Bonjour"}', 422, "from", id="missing-from"),
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001"}', 422, "either", id="neither-text-nor-button"
    ),
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001", "text": "hi", "button": {"id": "menu.sites"}}',
        422,
        "either",
        id="both-text-and-button",
    ),
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001", "text": "' + b"x" * 4097 + b'"}',
        422,
        "4096",
        id="text-too-long",
    ),
    pytest.param(b'{"message_id": "m-9", "from": "+33600000001", "text": ""}', 422, "text", id="empty-text"),
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001", "text": "   "}', 422, "empty", id="blank-text"
    ),
    pytest.param(b'{"message_id": "m-9", "from": "not a phone", "text": "hi"}', 422, "phone", id="bad-phone"),
    pytest.param(
        b'{"message_id": "", "from": "+33600000001", "text": "hi"}', 422, "message_id", id="empty-id"
    ),
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001", "button": {}}', 422, "button.id", id="button-no-id"
    ),
    pytest.param(
        b'{"message_id": "m-9", "from": "+33600000001", "txt": "hi"}', 422, "txt", id="unknown-field"
    ),
    pytest.param(b"[1, 2]", 422, "", id="not-an-object"),
]


@pytest.mark.parametrize(("body", "status", "mentions"), BAD_INPUTS)
def test_bad_input_is_a_problem_and_writes_nothing(
    client: TestClient, container: Container, body: bytes, status: int, mentions: str
) -> None:
    post(client, "m-0", text="Bonjour")  # a conversation exists, so "nothing written" is meaningful
    before = log_size(container)
    response = post_generic(client, body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert mentions in problem["detail"]
    assert log_size(container) == before
    assert container.store.receipt(receipt_id_for("generic", "m-9", conversation_id_for(KARIM))) is None


def test_wrong_content_type_is_refused_and_writes_nothing(client: TestClient, container: Container) -> None:
    before = log_size(container)
    response = client.post(
        "/webhooks/generic", content=b"message_id=m-9", headers={**GENERIC_AUTH, "content-type": "text/plain"}
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
    assert log_size(container) == before


def test_health_and_readiness(client: TestClient, container: Container) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == ("postgresql" if container.settings.is_postgres else "sqlite")


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_openapi_documents_the_webhook(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/webhooks/generic" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_busy_worker_answers_503_with_retry_after_and_writes_nothing(
    client: TestClient, container: Container
) -> None:
    admission = TurnAdmission(slots=1, wait_seconds=0.05)
    client.app.state.admission = admission  # type: ignore[attr-defined]
    before = log_size(container)
    with admission.slot():  # the only slot is taken by a long turn
        response = post_generic(client, {"message_id": "m-busy", "from": KARIM, "text": "hi"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert log_size(container) == before
    # Once the slot is free again, the same message goes through.
    assert post(client, "m-busy", text="hi")["duplicate"] is False
