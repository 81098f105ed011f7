"""A container wired to fake providers on loopback, with every channel's secrets set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from infrastructure.bootstrap import Container
from infrastructure.delivery import DeliveryWorker
from infrastructure.settings import Settings
from tests.fake_providers import FakeProviders
from tests.provider_payloads import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    TG_BOT_TOKEN,
    TG_SECRET,
    VERIFY_TOKEN,
    WA_TOKEN,
)

Wired = tuple[TestClient, DeliveryWorker, FakeProviders]  # the app, a delivery worker, the providers
API_TOKEN = "projections-token"


def channel_settings(settings: Settings, fake: FakeProviders, **overrides: object) -> Settings:
    return settings.model_copy(
        update={
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
            "whatsapp_access_token": SecretStr(WA_TOKEN),
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_api_url": f"{fake.base_url}/v21.0",
            "telegram_bot_token": SecretStr(TG_BOT_TOKEN),
            "telegram_secret_token": SecretStr(TG_SECRET),
            "telegram_api_url": fake.base_url,
            "delivery_retry_seconds": 0.01,
            "delivery_max_retry_seconds": 0.05,
            **overrides,
        }
    )


@contextmanager
def wired(container: Container, **overrides: object) -> Iterator[Wired]:
    """The app and a delivery worker, both talking to fake providers."""
    with FakeProviders() as fake:
        container.settings = channel_settings(container.settings, fake, **overrides)
        worker = container.delivery_worker()
        try:
            with TestClient(create_app(container)) as client:
                yield client, worker, fake
        finally:
            worker.close()


def delivery_lag_shown(container: Container, worker: DeliveryWorker | None = None) -> int:
    """The delivery lag as `GET /projections` shows it, after `worker` (if given) caught up."""
    if worker is not None:
        worker.catch_up()
        worker.catch_up()  # as its next poll does: past the deliveries it recorded itself
    container.settings = container.settings.model_copy(update={"api_token": SecretStr(API_TOKEN)})
    with TestClient(create_app(container)) as client:
        answer = client.get("/projections", headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert answer.status_code == 200, answer.text
    delivery = answer.json()["delivery"]
    assert delivery["position"] + delivery["lag"] == delivery["head"]
    lag: int = delivery["lag"]
    return lag
