"""The channels that send replies themselves, as far as settings configure them."""

from __future__ import annotations

import httpx

from application.outbound import OutboundChannel
from application.pacing import Pace, Wait
from infrastructure.channels.telegram.outbound import CHAT_BURST, TelegramSender
from infrastructure.channels.whatsapp.outbound import WhatsAppSender
from infrastructure.settings import Settings


def outbound_channels(settings: Settings, client: httpx.Client, wait: Wait) -> dict[str, OutboundChannel]:
    """Unconfigured channels are left out: their replies are recorded as failed, not lost silently.

    `wait` is how senders wait for their pace: the worker's, which keeps its lease and sees a stop.
    """
    channels: list[OutboundChannel] = []
    if settings.whatsapp_access_token is not None and settings.whatsapp_phone_number_id:
        channels.append(
            WhatsAppSender(
                client,
                settings.whatsapp_api_url,
                settings.whatsapp_phone_number_id,
                settings.whatsapp_access_token.get_secret_value(),
                Pace(settings.whatsapp_sends_per_second, wait=wait),
            )
        )
    if settings.telegram_bot_token is not None:
        channels.append(
            TelegramSender(
                client,
                settings.telegram_api_url,
                settings.telegram_bot_token.get_secret_value(),
                bot_pace=Pace(settings.telegram_sends_per_second, wait=wait),
                chat_pace=Pace(settings.telegram_chat_sends_per_second, burst=CHAT_BURST, wait=wait),
            )
        )
    return {channel.name: channel for channel in channels}
