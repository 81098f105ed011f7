"""A container built with every channel pointed at the fake providers, its media fetcher and delivery
worker: what the media tests drive, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from application.event_log.records import EventRecord
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container, build
from infrastructure.delivery import DeliveryWorker
from infrastructure.media.disk_blobs import DiskBlobStore
from infrastructure.media.fetcher import media_worker
from infrastructure.media.worker import MediaWorker
from infrastructure.settings import Settings
from tests.channels import channel_settings
from tests.conftest import FakeClock
from tests.fake_media import TWILIO_SID
from tests.fake_providers import FakeProviders
from tests.provider_payloads import post_telegram, post_whatsapp, whatsapp_notification

TWILIO_TOKEN = "twilio-auth-token"
TWILIO_URL = "https://convo.example/webhooks/twilio"


@dataclass
class MediaWired:
    container: Container
    client: TestClient
    delivery: DeliveryWorker
    fetcher: MediaWorker
    fake: FakeProviders

    def whatsapp(self, *messages: dict[str, Any]) -> dict[str, Any]:
        response = post_whatsapp(self.client, whatsapp_notification(list(messages)))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def telegram(self, update: dict[str, Any]) -> dict[str, Any]:
        response = post_telegram(self.client, update)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def twilio(self, **fields: str) -> str:
        from infrastructure.channels.twilio.webhook import signature

        params = [("From", "whatsapp:+33600000001"), ("To", "whatsapp:+14155238886"), *fields.items()]
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(TWILIO_URL, params, TWILIO_TOKEN),
        }
        response = self.client.post("/webhooks/twilio", content=urlencode(params), headers=headers)
        assert response.status_code == 200, response.text
        return response.text

    def fetch(self) -> int:
        """Fetches every media the log holds; returns how many MediaReceived were read."""
        return self.fetcher.catch_up()

    def replies(self, provider: str = "whatsapp") -> list[dict[str, Any]]:
        """What the delivery worker sent so far, once it caught up."""
        self.delivery.catch_up()
        self.delivery.catch_up()
        return self.fake.sent(provider, "messages" if provider == "whatsapp" else "sendMessage")

    def events(self, sender: str = "+33600000001") -> list[EventRecord]:
        return list(self.container.audit.scan(conversation_id_for(sender)))

    def of_type(self, name: str, sender: str = "+33600000001") -> list[dict[str, Any]]:
        return [r.payload for r in self.events(sender) if r.type == name]

    @property
    def blobs(self) -> DiskBlobStore:
        return DiskBlobStore(self.container.settings.media_dir)

    def report_photos(self) -> list[dict[str, Any]]:
        return self.container.database.fetch_all(
            "SELECT r.reference, r.description, p.media_id, p.kind, p.position FROM problem_reports r "
            "JOIN problem_report_photos p ON p.report_change_id = r.change_id "
            "ORDER BY r.reference, p.position"
        )


def media_settings(settings: Settings, fake: FakeProviders, media_dir: Path, **overrides: object) -> Settings:
    return channel_settings(
        settings,
        fake,
        media_dir=media_dir,
        twilio_auth_token=SecretStr(TWILIO_TOKEN),
        twilio_webhook_url=TWILIO_URL,
        twilio_account_sid=TWILIO_SID,
        twilio_api_url=fake.base_url,
        media_fetch_max_attempts=2,
        **overrides,
    )


@contextmanager
def media_wired(
    settings: Settings, clock: FakeClock, media_dir: Path, **overrides: object
) -> Iterator[MediaWired]:
    """Built with the media settings from the start: what a turn promises (a transcript) depends on them."""
    with FakeProviders(twilio_auth_token=TWILIO_TOKEN) as fake:
        container = build(media_settings(settings, fake, media_dir, **overrides), clock=clock)
        delivery = container.delivery_worker()
        fetcher = media_worker(container)
        try:
            with TestClient(create_app(container)) as client:
                yield MediaWired(container, client, delivery, fetcher, fake)
        finally:
            fetcher.close()
            delivery.close()
            container.close()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
