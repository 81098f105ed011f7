"""Photos from site through every channel: recorded at once, fetched once, attached to the problem report.

Real-shaped webhooks go in; a fake provider serves the media endpoints as the real ones behave
(expiring URLs with the token, getFile, basic auth and a redirect). SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.transcript import transcript
from infrastructure.media.fetcher import media_worker
from infrastructure.settings import Settings
from tests import media_payloads as p
from tests.conftest import FakeClock
from tests.media_wiring import MediaWired, media_wired, sha256
from tests.provider_payloads import tg_press, wa_button_reply, wa_list_reply, wa_text

PHOTO = os.urandom(250_000)
MB = 1024 * 1024


@pytest.fixture
def wired(settings: Settings, clock: FakeClock, tmp_path: Path) -> Iterator[MediaWired]:
    with media_wired(settings, clock, tmp_path / "media") as wiring:
        yield wiring


def last_reply(wiring: MediaWired) -> dict[str, Any]:
    return wiring.replies()[-1]


def body_of(message: dict[str, Any]) -> str:
    return str(
        message["text"]["body"] if message["type"] == "text" else message["interactive"]["body"]["text"]
    )


def buttons_of(message: dict[str, Any]) -> list[str]:
    if message["type"] != "interactive" or message["interactive"]["type"] != "button":
        return []
    return [b["reply"]["id"] for b in message["interactive"]["action"]["buttons"]]


def test_a_captioned_photo_files_a_report_with_the_photo_stored_once(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(PHOTO)
    wired.whatsapp(wa_button_reply("wamid.site", "project.P-TIL", "Résidence Les Tilleuls"))
    wired.whatsapp(p.wa_image("wamid.photo", media_id, "fuite au plafond"))
    [received] = wired.of_type("MediaReceived")
    assert received["caption"] == "fuite au plafond"
    assert (received["kind"], received["provider_media_id"], received["channel"]) == (
        "image",
        media_id,
        "whatsapp",
    )
    question = last_reply(wired)
    if "confirm.yes" in buttons_of(question):  # not certain enough to file on its own: it asks
        assert "fuite au plafond" in body_of(question)
        wired.whatsapp(wa_button_reply("wamid.yes", "confirm.yes", "Oui"))
    assert "signalé" in body_of(last_reply(wired))

    assert wired.fetch() >= 1
    [stored] = wired.of_type("MediaStored")
    assert (stored["media_id"], stored["sha256"], stored["size"]) == (
        received["media_id"],
        sha256(PHOTO),
        len(PHOTO),
    )
    assert wired.blobs.read(sha256(PHOTO)) == PHOTO
    [photo] = wired.report_photos()
    assert (photo["media_id"], photo["kind"], photo["description"]) == (
        received["media_id"],
        "image",
        "fuite au plafond",
    )
    [decided] = wired.of_type("ProblemReportDecided")
    assert decided["photos"] == [
        {"media_id": received["media_id"], "kind": "image", "mime_type": "image/jpeg"}
    ]
    assert wired.fake.media.lookups() == [media_id]

    # Meta redelivers the photo's webhook: the turn is not played again, nothing is fetched twice.
    wired.whatsapp(p.wa_image("wamid.photo", media_id, "fuite au plafond"))
    wired.fetch()
    assert wired.fake.media.lookups() == [media_id]
    assert len(wired.fake.media.downloads()) == 1
    assert len(wired.of_type("MediaStored")) == 1
    assert not list((wired.container.settings.media_dir / ".partial").glob("*"))  # nothing left staged

    # `convo audit` shows the photo, what became of it and the report that carries it.
    lines = "\n".join(transcript(wired.events()))
    media = received["media_id"]
    assert f"[image] image/jpeg media {media} 'fuite au plafond'" in lines
    assert f"media {media} stored: {len(PHOTO)} bytes, sha256 {sha256(PHOTO)}" in lines
    assert f"problem report {decided['reference']} on P-TIL with image {media}" in lines


def test_a_photo_right_after_report_a_problem_is_the_reports_photo(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(PHOTO)
    wired.whatsapp(wa_button_reply("wamid.1", "problem.P-TIL", "Signaler problème"))
    wired.whatsapp(p.wa_image("wamid.2", media_id))
    assert "signalé" in body_of(last_reply(wired))
    [photo] = wired.report_photos()
    assert photo["description"] == "(photo sans description)"
    wired.fetch()
    assert [s["sha256"] for s in wired.of_type("MediaStored")] == [sha256(PHOTO)]


def test_a_photo_with_no_context_asks_if_it_is_a_problem_on_the_site(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(PHOTO)
    wired.whatsapp(wa_button_reply("wamid.1", "project.P-JAU", "Groupe scolaire"))
    wired.whatsapp(p.wa_image("wamid.2", media_id))
    question = last_reply(wired)
    assert body_of(question) == "Signaler un problème sur Groupe scolaire Jean Jaurès avec cette photo ?"
    assert buttons_of(question) == ["confirm.yes", "confirm.no"]
    assert wired.report_photos() == []
    wired.whatsapp(wa_text("wamid.3", "oui"))
    [photo] = wired.report_photos()
    assert photo["kind"] == "image"


def test_with_no_site_in_focus_it_asks_which_site_first(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(PHOTO)
    wired.whatsapp(p.wa_image("wamid.1", media_id))
    sites = last_reply(wired)
    assert body_of(sites).startswith("Bien reçu 📷 Sur quel chantier")
    wired.whatsapp(wa_list_reply("wamid.2", "project.P-VEN", "Maison de santé"))
    [photo] = wired.report_photos()
    assert photo["kind"] == "image"


def test_a_video_over_the_limit_is_refused_politely_and_nothing_is_stored(wired: MediaWired) -> None:
    video = wired.fake.media.whatsapp(b"\0" * (30 * MB), "video/mp4")
    wired.whatsapp(wa_button_reply("wamid.1", "project.P-TIL", "Résidence Les Tilleuls"))
    wired.whatsapp(p.wa_video("wamid.2", video, "problème : dalle fissurée"))
    wired.fetch()
    [failed] = wired.of_type("MediaFetchFailed")
    assert failed["reason"].startswith("too_large")
    assert wired.of_type("MediaStored") == []
    assert wired.fake.media.downloads() == []
    assert not any(path.is_file() for path in wired.container.settings.media_dir.rglob("*"))
    told = body_of(last_reply(wired))
    assert told.startswith("Votre vidéo dépasse la taille permise (30 Mo pour 16 Mo au plus)")


def test_a_telegram_photo_is_fetched_through_getfile(wired: MediaWired) -> None:
    file_id = wired.fake.media.telegram(PHOTO)
    keyboard = [{"text": "Résidence Les Tilleuls", "callback_data": "project.P-TIL"}]
    wired.telegram(tg_press("project.P-TIL", keyboard))
    wired.telegram(p.tg_photo(file_id, "problème : fuite au plafond", size=len(PHOTO)))
    wired.fetch()
    [stored] = wired.of_type("MediaStored")
    assert stored["sha256"] == sha256(PHOTO)
    [photo] = wired.report_photos()
    assert photo["description"] == "fuite au plafond"


def test_a_twilio_photo_is_fetched_with_the_account_credentials(wired: MediaWired) -> None:
    url = wired.fake.media.twilio(PHOTO)
    wired.twilio(MessageSid="SM1", NumMedia="0", Body="mes chantiers")
    wired.twilio(MessageSid="SM2", NumMedia="0", Body="4")
    twiml = wired.twilio(MessageSid="MM3", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg",
                         Body="problème : fuite au plafond")  # fmt: skip
    assert "signalé" in twiml
    wired.fetch()
    [stored] = wired.of_type("MediaStored")
    assert stored["sha256"] == sha256(PHOTO)
    assert wired.report_photos()[0]["media_id"] == stored["media_id"]


def test_a_fetcher_that_replays_its_batch_downloads_nothing_twice(wired: MediaWired) -> None:
    """As after a crash between recording the outcomes and moving its position, or by another worker."""
    media_id = wired.fake.media.whatsapp(PHOTO)
    wired.whatsapp(wa_button_reply("wamid.1", "problem.P-TIL", "Signaler problème"))
    wired.whatsapp(p.wa_image("wamid.2", media_id))
    wired.fetch()
    wired.fetcher.close()  # lets another worker take the lease at once
    with wired.container.database.transaction() as cursor:
        cursor.execute("UPDATE projection_tracking SET position = 0 WHERE name = 'media'")
    another = media_worker(wired.container)
    try:
        assert another.catch_up() >= 1  # it read the MediaReceived again...
    finally:
        another.close()
    assert len(wired.fake.media.downloads()) == 1  # ...and found its outcome recorded
    assert len(wired.of_type("MediaStored")) == 1
