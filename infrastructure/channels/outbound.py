"""The channels that send replies themselves, as far as settings configure them."""

from __future__ import annotations

import httpx

from application.outbound import OutboundChannel
from infrastructure.channels.telegram_outbound import TelegramSender
from infrastructure.channels.whatsapp_outbound import WhatsAppSender
from infrastructure.settings import Settings


def outbound_channels(settings: Settings, client: httpx.Client) -> dict[str, OutboundChannel]:
    """Unconfigured channels are left out: their replies are recorded as failed, not lost silently."""
    channels: list[OutboundChannel] = []
    if settings.whatsapp_access_token is not None and settings.whatsapp_phone_number_id:
        channels.append(
            WhatsAppSender(
                client,
                settings.whatsapp_api_url,
                settings.whatsapp_phone_number_id,
                settings.whatsapp_access_token.get_secret_value(),
            )
        )
    if settings.telegram_bot_token is not None:
        channels.append(
            TelegramSender(client, settings.telegram_api_url, settings.telegram_bot_token.get_secret_value())
        )
    return {channel.name: channel for channel in channels}
