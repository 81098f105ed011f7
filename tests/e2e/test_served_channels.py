"""`convo serve` on the embedded default sends WhatsApp and Telegram replies by itself."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from infrastructure.channels.whatsapp.webhook import signature
from tests.fake_providers import FakeProviders
from tests.provider_payloads import (
    APP_SECRET,
    KARIM_TELEGRAM,
    KARIM_WA_ID,
    PHONE_NUMBER_ID,
    TG_BOT_TOKEN,
    TG_SECRET,
    WA_TOKEN,
    tg_message,
    wa_text,
    whatsapp_notification,
)
from tests.servers import serving

pytestmark = pytest.mark.slow


def test_the_server_on_sqlite_delivers_replies_without_another_process(tmp_path: Path) -> None:
    with FakeProviders() as fake:
        env = {
            **os.environ,
            "CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'convo.db'}",
            "CONVO_LOG_LEVEL": "warning",
            "CONVO_WHATSAPP_APP_SECRET": APP_SECRET,
            "CONVO_WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "CONVO_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "CONVO_WHATSAPP_API_URL": f"{fake.base_url}/v21.0",
            "CONVO_TELEGRAM_BOT_TOKEN": TG_BOT_TOKEN,
            "CONVO_TELEGRAM_SECRET_TOKEN": TG_SECRET,
            "CONVO_TELEGRAM_API_URL": fake.base_url,
        }
        with serving(env) as base, httpx.Client(base_url=base, timeout=30) as client:
            body = json.dumps(whatsapp_notification([wa_text("wamid.served", "Bonjour")])).encode()
            headers = {"content-type": "application/json", "X-Hub-Signature-256": signature(body, APP_SECRET)}
            assert client.post("/webhooks/whatsapp", content=body, headers=headers).status_code == 200
            update = tg_message("aide")
            headers = {"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
            assert client.post("/webhooks/telegram", json=update, headers=headers).status_code == 200

            (whatsapp_reply,) = fake.wait_for(1, "whatsapp", "messages", timeout=20)
            (telegram_reply,) = fake.wait_for(1, "telegram", "sendMessage", timeout=20)
    assert whatsapp_reply["to"] == KARIM_WA_ID
    assert whatsapp_reply["interactive"]["body"]["text"].startswith("Bonjour Karim")
    assert telegram_reply["chat_id"] == str(KARIM_TELEGRAM)
