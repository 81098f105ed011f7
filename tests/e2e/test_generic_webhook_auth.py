"""The generic webhook answers only its client: a bearer token, checked before the body is read."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from domain.identity import conversation_id_for, receipt_id_for
from infrastructure.bootstrap import Container
from tests.generic_webhook import GENERIC_TOKEN, post_generic
from tests.turns import KARIM, log_size

MESSAGE = {"message_id": "m-auth", "from": KARIM, "text": "mes chantiers"}


def written_nothing(container: Container, before: int) -> bool:
    receipt = container.store.receipt(receipt_id_for("generic", "m-auth", conversation_id_for(KARIM)))
    return log_size(container) == before and receipt is None


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": f"Basic {GENERIC_TOKEN}"}, id="another-scheme"),
        pytest.param({"Authorization": "Bearer"}, id="bearer-without-token"),
    ],
)
def test_without_a_token_the_answer_is_401_and_nothing_is_written(
    client: TestClient, container: Container, headers: dict[str, str]
) -> None:
    before = log_size(container)
    response = post_generic(client, MESSAGE, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer is missing" in response.json()["detail"]
    assert written_nothing(container, before)


def test_a_wrong_token_is_403_and_nothing_is_written(client: TestClient, container: Container) -> None:
    before = log_size(container)
    for wrong in (GENERIC_TOKEN + "x", GENERIC_TOKEN[:-1], GENERIC_TOKEN.upper()):
        response = post_generic(client, MESSAGE, headers={"Authorization": f"Bearer {wrong}"})
        assert response.status_code == 403, wrong
        assert response.json()["detail"] == "Authorization: Bearer does not match"
    # Bytes that are not ASCII (or not even UTF-8) are refused the same way.
    odd = client.post(
        "/webhooks/generic",
        json=MESSAGE,
        headers={"Authorization": b"Bearer \xe9\xff" + GENERIC_TOKEN.encode()},
    )
    assert odd.status_code == 403
    assert written_nothing(container, before)


def test_the_token_is_checked_before_the_body_is_parsed(client: TestClient, container: Container) -> None:
    before = log_size(container)
    truncated = b'{"message_id": "m-auth", "from": "+336'
    assert post_generic(client, truncated, headers={}).status_code == 401
    assert post_generic(client, b"x", headers={"content-type": "text/plain"}).status_code == 401
    assert post_generic(client, truncated).status_code == 400  # with the token: what is wrong with it
    assert written_nothing(container, before)


def test_with_the_token_the_message_is_handled_as_before(client: TestClient, container: Container) -> None:
    response = post_generic(client, MESSAGE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["duplicate"] is False
    assert [c["id"].split(".")[0] for c in body["reply"]["choices"]] == ["project"] * 4
    again = post_generic(client, MESSAGE)
    assert again.json()["duplicate"] is True


def test_without_a_configured_token_it_answers_403_unless_insecure(
    client: TestClient, container: Container
) -> None:
    container.settings = container.settings.model_copy(update={"generic_webhook_token": None})
    before = log_size(container)
    for headers in ({}, {"Authorization": f"Bearer {GENERIC_TOKEN}"}):
        refused = post_generic(client, MESSAGE, headers=headers)
        assert refused.status_code == 403
        assert "CONVO_GENERIC_WEBHOOK_TOKEN" in refused.json()["detail"]
    assert written_nothing(container, before)

    container.settings = container.settings.model_copy(update={"insecure_webhooks": True})
    assert post_generic(client, MESSAGE, headers={}).status_code == 200


def test_a_configured_token_holds_even_in_insecure_mode(client: TestClient, container: Container) -> None:
    container.settings = container.settings.model_copy(
        update={"insecure_webhooks": True, "generic_webhook_token": SecretStr(GENERIC_TOKEN)}
    )
    before = log_size(container)
    assert post_generic(client, MESSAGE, headers={}).status_code == 401
    assert written_nothing(container, before)


def test_openapi_documents_the_bearer_token(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/webhooks/generic"]["post"]
    assert operation["security"] == [{"GenericWebhookToken": []}]
    assert spec["components"]["securitySchemes"]["GenericWebhookToken"]["scheme"] == "bearer"
    assert "GenericMessageIn" in str(operation["requestBody"])
