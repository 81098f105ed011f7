"""Fetching what Telegram users send: `getFile` for the file's path, then the file endpoint.

Bots can download files of up to 20 MB that way; larger ones are refused
before anything is downloaded.
"""

from __future__ import annotations

from typing import Any

import httpx

from application.media import (
    Downloaded,
    MediaExpiredError,
    MediaRefusedError,
    MediaToFetch,
    MediaUnavailableError,
)
from infrastructure.media.download import Downloader

CHANNEL = "telegram"
BOT_API_MAX_BYTES = 20 * 1024 * 1024


class TelegramMediaSource:
    channel = CHANNEL

    def __init__(self, client: httpx.Client, api_url: str, bot_token: str, downloader: Downloader) -> None:
        self._client = client
        self._api_url = api_url.rstrip("/")
        self._token = bot_token
        self._downloader = downloader

    def download(self, media: MediaToFetch) -> Downloaded:
        limits = self._downloader.limits
        limits.check_type(media.mime_type)
        limits.check_size(media.size)
        if media.size is not None and media.size > BOT_API_MAX_BYTES:
            raise MediaRefusedError("too_large", f"{media.size} bytes, bots can download 20 MB")
        found = self._get_file(media.provider_media_id)
        limits.check_size(found.get("file_size") if isinstance(found.get("file_size"), int) else None)
        url = f"{self._api_url}/file/bot{self._token}/{found['file_path']}"
        try:
            return self._downloader.fetch(media.media_id, url, {}, mime_type=media.mime_type)
        except MediaExpiredError as error:  # the path lasts an hour: next try asks getFile again
            raise MediaUnavailableError(str(error)) from error

    def _get_file(self, file_id: str) -> dict[str, Any]:
        try:
            answer = self._client.get(
                f"{self._api_url}/bot{self._token}/getFile", params={"file_id": file_id}
            )
        except httpx.TransportError as error:
            raise MediaUnavailableError(f"getFile: {type(error).__name__}: {error}") from error
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code == 429 or answer.status_code >= 500:
            raise MediaUnavailableError(f"getFile answered {answer.status_code}")
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, dict) or not isinstance(result.get("file_path"), str):
            description = body.get("description", "") if isinstance(body, dict) else ""
            reason = "too_large" if "too big" in str(description).lower() else "refused_by_provider"
            raise MediaRefusedError(reason, f"getFile: {answer.status_code} {description}".strip())
        return result
