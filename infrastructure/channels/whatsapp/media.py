"""Fetching what WhatsApp users send: `GET /{media-id}` for a short-lived URL, then the bytes.

The URL lasts minutes and, like the lookup, needs the access token; one that
expired mid-download is looked up again, and the download resumes where it stopped.
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

CHANNEL = "whatsapp"
_LOOKUPS = 2  # an expired URL gets one fresh lookup per try


class WhatsAppMediaSource:
    channel = CHANNEL

    def __init__(self, client: httpx.Client, api_url: str, access_token: str, downloader: Downloader) -> None:
        self._client = client
        self._api_url = api_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {access_token}"}
        self._downloader = downloader

    def download(self, media: MediaToFetch) -> Downloaded:
        for _ in range(_LOOKUPS):
            found = self._look_up(media.provider_media_id)
            mime_type = str(found.get("mime_type") or media.mime_type)
            limits = self._downloader.limits
            limits.check_type(mime_type)
            limits.check_size(_size(found.get("file_size")))
            try:
                return self._downloader.fetch(
                    media.media_id,
                    str(found["url"]),
                    self._auth,
                    mime_type=mime_type,
                    provider_sha256=found.get("sha256") or None,
                )
            except MediaExpiredError:
                continue
        raise MediaUnavailableError("the download URL kept expiring")

    def _look_up(self, media_id: str) -> dict[str, Any]:
        try:
            answer = self._client.get(f"{self._api_url}/{media_id}", headers=self._auth)
        except httpx.TransportError as error:
            raise MediaUnavailableError(f"media lookup: {type(error).__name__}: {error}") from error
        body = _json(answer)
        if answer.status_code == 429 or answer.status_code >= 500:
            raise MediaUnavailableError(f"media lookup answered {answer.status_code}")
        if answer.status_code != 200 or not isinstance(body.get("url"), str):
            found = body.get("error")
            meta: dict[str, Any] = found if isinstance(found, dict) else {}
            detail = f"{answer.status_code} (#{meta.get('code')}) {meta.get('message', '')}".strip()
            raise MediaRefusedError("refused_by_provider", f"media lookup: {detail}")
        return body


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _size(value: object) -> int | None:
    # Meta sends file_size as a number or as a string of digits.
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None
