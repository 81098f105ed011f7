"""Builds the media fetcher's parts from settings: sources per channel, the blob store, transcription."""

from __future__ import annotations

from pathlib import Path

import httpx

from application.media import BlobStore, MediaSource, Transcriber
from infrastructure.channels.telegram.media import TelegramMediaSource
from infrastructure.channels.twilio.media import TwilioMediaSource
from infrastructure.channels.whatsapp.media import WhatsAppMediaSource
from infrastructure.media.disk_blobs import DiskBlobStore
from infrastructure.media.download import Downloader, MediaLimits
from infrastructure.media.s3_blobs import S3BlobStore
from infrastructure.media.transcription import OpenAITranscriber
from infrastructure.settings import Settings

STAGING = ".partial"  # under media_dir: downloads in progress, kept across a crash to resume


def media_limits(settings: Settings) -> MediaLimits:
    patterns = tuple(p.strip() for p in settings.media_accepted_types.split(",") if p.strip())
    return MediaLimits(max_bytes=int(settings.media_max_megabytes * 1024 * 1024), accepted_types=patterns)


def downloader_for(settings: Settings, client: httpx.Client) -> Downloader:
    return Downloader(client, staging_dir(settings), media_limits(settings))


def staging_dir(settings: Settings) -> Path:
    return settings.media_dir / STAGING


def blob_store_for(settings: Settings) -> BlobStore:
    if settings.media_bucket:
        secret = settings.media_bucket_secret_access_key
        return S3BlobStore.connect(
            settings.media_bucket,
            endpoint_url=settings.media_bucket_endpoint_url,
            region=settings.media_bucket_region,
            access_key_id=settings.media_bucket_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            timeout_seconds=settings.media_fetch_timeout_seconds,
        )
    return DiskBlobStore(settings.media_dir)


def media_sources(settings: Settings, client: httpx.Client, downloader: Downloader) -> dict[str, MediaSource]:
    """Channels without credentials are left out: their media are recorded as not fetched."""
    sources: list[MediaSource] = []
    if settings.whatsapp_access_token is not None:
        token = settings.whatsapp_access_token.get_secret_value()
        sources.append(WhatsAppMediaSource(client, settings.whatsapp_api_url, token, downloader))
    if settings.telegram_bot_token is not None:
        token = settings.telegram_bot_token.get_secret_value()
        sources.append(TelegramMediaSource(client, settings.telegram_api_url, token, downloader))
    if settings.twilio_account_sid and settings.twilio_auth_token is not None:
        sources.append(
            TwilioMediaSource(
                settings.twilio_api_url,
                settings.twilio_account_sid,
                settings.twilio_auth_token.get_secret_value(),
                downloader,
            )
        )
    return {source.channel: source for source in sources}


def transcriber_for(settings: Settings, client: httpx.Client) -> Transcriber | None:
    if not settings.transcription_url:
        return None
    key = settings.transcription_api_key
    return OpenAITranscriber(
        client,
        settings.transcription_url,
        settings.transcription_model,
        key.get_secret_value() if key else None,
        settings.transcription_timeout_seconds,
    )
