"""What the service says at start about channels it can hear but not answer."""

from __future__ import annotations

from pydantic import SecretStr

from api.app import unsendable_channels
from infrastructure.settings import Settings


def test_a_channel_that_takes_messages_but_cannot_reply_is_named() -> None:
    deaf = Settings(whatsapp_app_secret=SecretStr("s"), telegram_secret_token=SecretStr("t"))
    warnings = unsendable_channels(deaf)
    assert len(warnings) == 2
    assert "CONVO_WHATSAPP_ACCESS_TOKEN" in warnings[0]
    assert "CONVO_TELEGRAM_BOT_TOKEN" in warnings[1]


def test_fully_configured_or_unused_channels_say_nothing() -> None:
    complete = Settings(
        whatsapp_app_secret=SecretStr("s"),
        whatsapp_access_token=SecretStr("a"),
        whatsapp_phone_number_id="1",
        telegram_secret_token=SecretStr("t"),
        telegram_bot_token=SecretStr("b"),
    )
    assert unsendable_channels(complete) == []
    assert unsendable_channels(Settings()) == []
