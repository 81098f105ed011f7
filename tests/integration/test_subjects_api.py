"""Erasure, access and retention over HTTP, with the bearer token (both stores)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from infrastructure.bootstrap import Container
from tests.conftest import API_AUTH, API_TOKEN
from tests.turns import KARIM, say

TOKEN = API_TOKEN
AUTH = API_AUTH


def test_export_gives_everything_held_then_delete_erases_it(audited: Container, client: TestClient) -> None:
    say(audited.service, "problème : fuite au sous-sol Quetzalbidule", message_id="wamid.q1")
    say(audited.service, "tilleuls", message_id="wamid.q2")
    audited.projections.catch_up()

    export = client.get("/subjects/+33 6 00 00 00 01/export", headers=AUTH)
    assert export.status_code == 200, export.text
    body = export.json()
    assert body["subject"]["contact"] == KARIM
    assert any("Quetzalbidule" in str(event.get("text")) for event in body["events"])
    assert body["tables"]["subcontractors"][0]["name"] == "Karim Benali"
    assert body["tables"]["problem_reports"][0]["description"].endswith("Quetzalbidule")

    erased = client.delete("/subjects/+33600000001", params={"requested_by": "ticket-7"}, headers=AUTH)
    assert erased.status_code == 200, erased.text
    assert erased.json()["requested_by"] == "ticket-7" and erased.json()["keys_destroyed"] >= 2
    assert client.delete("/subjects/+33600000001", headers=AUTH).status_code == 404
    assert client.get("/subjects/+33600000001/export", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("delete", "/subjects/not-a-phone", 422),
        ("get", "/subjects/not-a-phone/export", 422),
        ("delete", "/subjects/+33699999999", 404),
    ],
)
def test_bad_or_unknown_numbers_are_refused_with_nothing_written(
    audited: Container, client: TestClient, method: str, url: str, status: int
) -> None:
    response = client.request(method.upper(), url, headers=AUTH)
    assert response.status_code == status, response.text
    assert audited.database.fetch_all("SELECT * FROM erasures") == []


def test_without_the_token_nothing_is_erased(audited: Container, client: TestClient) -> None:
    say(audited.service, "Bonjour")
    assert client.delete("/subjects/+33600000001").status_code == 401
    assert client.get("/subjects/+33600000001/export").status_code == 401
    conversation = audited.store.conversation(KARIM)
    assert conversation is not None and not conversation.erased


def test_retention_status_over_http(audited: Container, client: TestClient) -> None:
    response = client.get("/subjects/retention", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["retention_days"] is None and response.json()["sessions_due"] == 0
