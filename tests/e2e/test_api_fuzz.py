"""Property-based fuzzing of the HTTP API from its OpenAPI document, on both stores.

Schemathesis generates requests for every operation, valid and not; whatever they hold, the answer
is never a 5xx and always matches what the document says (status, content type, body). The bearer
token opens the audit, analytics and generic-webhook endpoints, and the provider channels take
unsigned webhooks (CONVO_INSECURE_WEBHOOKS), so the fuzz reaches the turns behind them and not only
the 401s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.app import create_app
from infrastructure.bootstrap import build
from tests import postgres
from tests.conftest import postgres_settings, sqlite_settings

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# The document does not depend on the store: read it once from an app that is never started.
schema = schemathesis.openapi.from_dict(create_app().openapi())
# Requests go in-process to the app of the store under test (passed with each call).
schema.app = create_app()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fuzzed_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    tokens = {"api_token": SecretStr(TOKEN), "generic_webhook_token": SecretStr(TOKEN)}
    with ExitStack() as stack:
        if request.param == "sqlite":
            store = sqlite_settings(tmp_path_factory.mktemp("fuzz"), insecure_webhooks=True, **tokens)
        else:
            request.getfixturevalue("postgres_server")
            url = stack.enter_context(postgres.scratch_database())
            store = postgres_settings(url, insecure_webhooks=True, **tokens)
        container = build(store)
        stack.callback(container.close)
        yield create_app(container)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_5xx_and_every_answer_as_documented(case: schemathesis.Case[Any], fuzzed_app: FastAPI) -> None:
    case.call_and_validate(app=fuzzed_app, headers=AUTH, checks=CHECKS)
