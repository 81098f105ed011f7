"""Answers the API fuzzing found undocumented: each now as the OpenAPI document says."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from infrastructure.bootstrap import Container

AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def api(container: Container, client: TestClient) -> TestClient:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr("t")})
    return client


def assert_documented(api: TestClient, method: str, path: str, response: Any) -> None:
    """The response's status and content type are in the document, and its body matches the schema."""
    document = api.get("/openapi.json").json()
    documented = document["paths"][path][method.lower()]["responses"][str(response.status_code)]
    content_type = response.headers["content-type"].split(";")[0]
    assert content_type in documented["content"], (content_type, list(documented["content"]))
    schema = schemathesis.openapi.from_dict(document)
    schema[path][method].validate_response(response)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/analytics/daily", "to=AAA"),
        ("/analytics/sessions", "to=AAA"),
        ("/conversations/{subcontractor}/deliveries", "limit=0"),
        ("/events", "types=null&x-unknown=42"),
    ],
)
def test_an_invalid_request_is_a_documented_problem(api: TestClient, path: str, query: str) -> None:
    response = api.get(f"{path.replace('{subcontractor}', '0')}?{query}", headers=AUTH)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert_documented(api, "GET", path, response)


def test_the_problem_schema_holds_the_fields_at_fault(api: TestClient) -> None:
    response = api.get("/analytics/daily?to=AAA", headers=AUTH)
    problem = api.get("/openapi.json").json()["components"]["schemas"]["Problem"]
    assert set(problem["required"]) <= set(response.json())
    assert response.json()["errors"][0]["field"] == "query.to"


@pytest.mark.parametrize(
    ("path", "since"), [("/analytics/daily", "2000-01-01"), ("/analytics/sessions", "2000-01-01T00:00:00Z")]
)
@pytest.mark.parametrize("format", ["csv", "json"])
def test_analytics_rows_are_documented_as_csv_and_json(
    api: TestClient, path: str, since: str, format: str
) -> None:
    response = api.get(path, params={"from": since, "format": format}, headers=AUTH)
    assert response.status_code == 200
    assert_documented(api, "GET", path, response)
