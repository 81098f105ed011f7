"""Downloading what users send from each provider's (fake) media endpoints, as the real ones behave."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from application.media import MediaRefusedError, MediaToFetch, MediaUnavailableError
from infrastructure.channels.telegram.media import TelegramMediaSource
from infrastructure.channels.twilio.media import TwilioMediaSource
from infrastructure.channels.whatsapp.media import WhatsAppMediaSource
from infrastructure.media.download import Downloader, MediaLimits, same_hash
from tests.fake_media import TWILIO_SID
from tests.fake_providers import FakeProviders

MB = 1024 * 1024
PHOTO = os.urandom(300_000)
LIMITS = MediaLimits(max_bytes=16 * MB, accepted_types=("image/*", "video/*", "audio/*", "application/pdf"))


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


@pytest.fixture
def downloader(client: httpx.Client, tmp_path: Path) -> Downloader:
    return Downloader(client, tmp_path / ".partial", LIMITS)


def whatsapp(fake: FakeProviders, client: httpx.Client, downloader: Downloader) -> WhatsAppMediaSource:
    return WhatsAppMediaSource(client, f"{fake.base_url}/v21.0", "wa-token", downloader)


def wanted(
    media_id: str, provider_id: str, mime: str = "image/jpeg", size: int | None = None
) -> MediaToFetch:
    return MediaToFetch(media_id, "whatsapp", "image", provider_id, mime, size)


def test_whatsapp_looks_up_a_short_lived_url_and_downloads_it_with_the_token(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    media_id = fake.media.whatsapp(PHOTO)
    got = whatsapp(fake, client, downloader).download(wanted("m1", media_id))
    assert (got.size, got.sha256) == (len(PHOTO), fake.media.sha256_of(PHOTO))
    assert got.path.read_bytes() == PHOTO
    assert got.provider_sha256 is not None and same_hash(got.sha256, got.provider_sha256)  # Meta's is base64
    [download] = fake.media.downloads("whatsapp")
    assert (download.status, download.range) == (200, None)


def test_an_expired_whatsapp_url_is_looked_up_again(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    fake.media.url_seconds = 0.0  # expired before the download starts, as after minutes in a queue
    media_id = fake.media.whatsapp(PHOTO)
    with pytest.raises(MediaUnavailableError, match="kept expiring"):
        whatsapp(fake, client, downloader).download(wanted("m1", media_id))
    assert fake.media.lookups() == [media_id, media_id]
    assert [d.status for d in fake.media.downloads()] == [404, 404]
    fake.media.url_seconds = 300.0
    assert whatsapp(fake, client, downloader).download(wanted("m1", media_id)).sha256 == fake.media.sha256_of(
        PHOTO
    )


def test_a_download_cut_midway_resumes_with_a_range(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    media_id = fake.media.whatsapp(PHOTO)
    downloader.staging_file("m1").parent.mkdir(parents=True)
    downloader.staging_file("m1").write_bytes(PHOTO[:120_000])  # what a killed worker left
    got = whatsapp(fake, client, downloader).download(wanted("m1", media_id))
    assert got.sha256 == fake.media.sha256_of(PHOTO)
    [download] = fake.media.downloads()
    assert (download.range, download.status, download.sent) == ("bytes=120000-", 206, len(PHOTO) - 120_000)


def test_a_staging_file_that_is_not_a_prefix_is_thrown_away(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    media_id = fake.media.whatsapp(PHOTO)
    downloader.staging_file("m1").parent.mkdir(parents=True)
    downloader.staging_file("m1").write_bytes(b"something else" * 10)
    with pytest.raises(MediaUnavailableError, match="sha256 mismatch"):
        whatsapp(fake, client, downloader).download(wanted("m1", media_id))
    assert not downloader.staging_file("m1").exists()
    assert whatsapp(fake, client, downloader).download(wanted("m1", media_id)).sha256 == fake.media.sha256_of(
        PHOTO
    )


def test_a_media_over_the_limit_is_refused_before_any_byte_is_downloaded(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    video = fake.media.whatsapp(b"\0" * (30 * MB), "video/mp4")
    with pytest.raises(MediaRefusedError) as refused:
        whatsapp(fake, client, downloader).download(wanted("m1", video, "video/mp4"))
    assert refused.value.reason == "too_large"
    assert fake.media.downloads() == []  # the lookup's file_size was enough
    assert not downloader.staging_file("m1").exists()


def test_a_download_larger_than_the_limit_is_refused_and_not_kept(
    fake: FakeProviders, client: httpx.Client, tmp_path: Path
) -> None:
    small = Downloader(client, tmp_path / ".partial", MediaLimits(100_000, ("image/*",)))
    url = fake.media.twilio(PHOTO)
    fake.media.slow_downloads(chunk=50_000, pause=0.0)
    source = TwilioMediaSource(fake.base_url, TWILIO_SID, "twilio-auth-token", small)
    with pytest.raises(MediaRefusedError, match="too_large"):
        source.download(MediaToFetch("m1", "twilio", "image", url, "", None))
    assert not small.staging_file("m1").exists()


def test_a_type_not_accepted_is_refused(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    media_id = fake.media.whatsapp(b"PK\3\4", "application/zip")
    with pytest.raises(MediaRefusedError, match="type_not_accepted"):
        whatsapp(fake, client, downloader).download(wanted("m1", media_id, "application/zip"))
    assert fake.media.downloads() == []


def test_telegram_asks_getfile_then_downloads_the_file_path(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    file_id = fake.media.telegram(PHOTO)
    source = TelegramMediaSource(client, fake.base_url, "123:tg-token", downloader)
    got = source.download(MediaToFetch("m1", "telegram", "image", file_id, "image/jpeg", len(PHOTO)))
    assert got.sha256 == fake.media.sha256_of(PHOTO)
    assert fake.media.lookups() == [file_id]


def test_telegram_files_over_20_mb_are_refused(
    fake: FakeProviders, client: httpx.Client, tmp_path: Path
) -> None:
    roomy = Downloader(client, tmp_path, MediaLimits(100 * MB, ("video/*",)))
    file_id = fake.media.telegram(b"\0" * (21 * MB), "video/mp4", "videos")
    source = TelegramMediaSource(client, fake.base_url, "123:tg-token", roomy)
    with pytest.raises(MediaRefusedError, match="too_large"):
        source.download(MediaToFetch("m1", "telegram", "video", file_id, "video/mp4", None))  # size unsaid
    with pytest.raises(MediaRefusedError, match="too_large"):
        source.download(MediaToFetch("m2", "telegram", "video", file_id, "video/mp4", 21 * MB))
    assert fake.media.downloads() == []


def test_twilio_media_need_the_account_credentials_and_redirect(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    url = fake.media.twilio(PHOTO)
    good = TwilioMediaSource(fake.base_url, TWILIO_SID, "twilio-auth-token", downloader)
    assert (
        good.download(MediaToFetch("m1", "twilio", "image", url, "image/jpeg", None)).path.read_bytes()
        == PHOTO
    )
    wrong = TwilioMediaSource(fake.base_url, TWILIO_SID, "not-the-token", downloader)
    with pytest.raises(MediaUnavailableError):
        wrong.download(MediaToFetch("m2", "twilio", "image", url, "image/jpeg", None))


def test_twilio_credentials_go_nowhere_but_twilio(
    fake: FakeProviders, client: httpx.Client, downloader: Downloader
) -> None:
    source = TwilioMediaSource("https://api.twilio.com", TWILIO_SID, "twilio-auth-token", downloader)
    with pytest.raises(MediaRefusedError, match="foreign_url"):
        source.download(MediaToFetch("m1", "twilio", "image", fake.media.twilio(PHOTO), "image/jpeg", None))
    assert fake.media.downloads() == []
