"""Fetching what Twilio users send: the media URL of the webhook, with the account's credentials.

The credentials go only to the Twilio API itself: a media URL anywhere else is
refused rather than sent the account's secret. Twilio answers with a redirect
to a short-lived URL elsewhere, which httpx follows without the credentials.
"""

from __future__ import annotations

import base64

import httpx

from application.media import Downloaded, MediaRefusedError, MediaToFetch, MediaUnavailableError
from infrastructure.media.download import Downloader

CHANNEL = "twilio"


class TwilioMediaSource:
    channel = CHANNEL

    def __init__(self, api_url: str, account_sid: str, auth_token: str, downloader: Downloader) -> None:
        self._api_url = api_url.rstrip("/") + "/"
        basic = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._auth = {"Authorization": f"Basic {basic}"}
        self._downloader = downloader

    def download(self, media: MediaToFetch) -> Downloaded:
        url = media.provider_media_id
        if not url.startswith(self._api_url):
            raise MediaRefusedError("foreign_url", f"not a media URL of {self._api_url}")
        if media.mime_type:  # otherwise the download's Content-Type is checked
            self._downloader.limits.check_type(media.mime_type)
        try:
            return self._downloader.fetch(media.media_id, url, self._auth, mime_type=media.mime_type)
        except MediaUnavailableError:
            raise
        except httpx.InvalidURL as error:
            raise MediaRefusedError("foreign_url", str(error)) from error
