"""`convo fetch-media` as a real process, killed in the middle of a download and started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infrastructure.settings import Settings
from tests import media_payloads as p
from tests.conftest import FakeClock
from tests.media_wiring import media_wired, sha256
from tests.provider_payloads import PHONE_NUMBER_ID, WA_TOKEN, wa_button_reply
from tests.servers import convo

pytestmark = pytest.mark.slow

PHOTO = os.urandom(3 * 1024 * 1024)  # a phone's photo at full resolution


def test_a_fetch_killed_midway_resumes_and_stores_the_photo_once(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    media_dir = tmp_path / "media"
    with media_wired(settings, clock, media_dir, delivery_lease_seconds=1.0) as wired:
        media_id = wired.fake.media.whatsapp(PHOTO)
        wired.whatsapp(wa_button_reply("wamid.1", "problem.P-TIL", "Signaler problème"))
        wired.whatsapp(p.wa_image("wamid.2", media_id))
        env = {
            **os.environ,
            "CONVO_DATABASE_URL": settings.database_url,
            "CONVO_WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "CONVO_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "CONVO_WHATSAPP_API_URL": f"{wired.fake.base_url}/v21.0",
            "CONVO_MEDIA_DIR": str(media_dir),
            "CONVO_DELIVERY_LEASE_SECONDS": "1",
            "CONVO_PROJECTION_POLL_SECONDS": "0.1",
        }
        wired.fake.media.slow_downloads(chunk=64 * 1024, pause=0.02)
        fetcher = convo(env, "fetch-media")
        try:
            wired.fake.media.wait_for_progress(1024 * 1024, timeout=30)
        finally:
            fetcher.send_signal(signal.SIGKILL)
            fetcher.wait(timeout=10)
        staged = media_dir / ".partial" / wired.of_type("MediaReceived")[0]["media_id"]
        kept = staged.stat().st_size
        assert 0 < kept < len(PHOTO), "the killed download left what it had"
        assert wired.of_type("MediaStored") == []

        wired.fake.media.slow_downloads(chunk=0, pause=0)
        time.sleep(1.2)  # the dead fetcher's lease runs out
        again = subprocess.run(
            [sys.executable, "-m", "api", "fetch-media", "--once"],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert again.returncode == 0, again.stderr.decode()

        [stored] = wired.of_type("MediaStored")
        assert (stored["sha256"], stored["size"]) == (sha256(PHOTO), len(PHOTO))
        assert wired.blobs.read(sha256(PHOTO)) == PHOTO
        resumed = wired.fake.media.downloads()[-1]
        assert (resumed.range, resumed.status, resumed.sent) == (f"bytes={kept}-", 206, len(PHOTO) - kept)
        assert len(wired.fake.media.lookups()) == 2  # the first URL had been used: a fresh one, same media
        assert not staged.exists()
        [photo] = wired.report_photos()
        assert photo["media_id"] == stored["media_id"]
