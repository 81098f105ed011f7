"""Every other kind of message the channels document gets its own, deliberate handling; one test each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import media_payloads as p
from tests.conftest import FakeClock, sqlite_settings
from tests.media_wiring import MediaWired, media_wired
from tests.provider_payloads import KARIM_TELEGRAM, tg_message, wa_button_reply, wa_text


@pytest.fixture
def wired(clock: FakeClock, tmp_path: Path) -> Iterator[MediaWired]:
    with media_wired(sqlite_settings(tmp_path), clock, tmp_path / "media") as wiring:
        yield wiring


def body_of(message: dict[str, Any]) -> str:
    return str(
        message["text"]["body"] if message["type"] == "text" else message["interactive"]["body"]["text"]
    )


def wamid_of_reply(wired: MediaWired, n: int) -> str:
    """The wamid the (fake) Graph API gave the n-th reply the worker sent."""
    wired.replies()
    delivered = wired.of_type("ReplySent")
    delivery = wired.container.store.delivery(wired.events()[0].conversation_id, delivered[n]["message_id"])
    assert delivery is not None
    return delivery.provider_message_ids[0]


def test_a_reaction_is_recorded_and_not_answered(wired: MediaWired) -> None:
    wired.whatsapp(wa_text("wamid.1", "Bonjour"))
    greeting = wamid_of_reply(wired, 0)
    outcome = wired.whatsapp(p.wa_reaction("wamid.2", greeting, "👍"))
    assert outcome["messages"] == 1
    [reaction] = wired.of_type("ReactionReceived")
    assert (reaction["emoji"], reaction["to_message"], reaction["reacted_to"]) == ("👍", greeting, "wamid.1")
    assert len(wired.replies()) == 1  # nothing sent for it
    assert len(wired.of_type("ReplySent")) == 1


def test_a_thumbs_up_on_a_pending_question_is_a_yes(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(b"\xff\xd8 a photo")
    wired.whatsapp(wa_button_reply("wamid.1", "project.P-TIL", "Résidence Les Tilleuls"))
    wired.whatsapp(p.wa_image("wamid.2", media_id))
    assert body_of(wired.replies()[-1]).startswith("Signaler un problème sur Résidence Les Tilleuls")
    question = wamid_of_reply(wired, 1)
    wired.whatsapp(p.wa_reaction("wamid.3", question, "👍🏽"))
    assert "signalé" in body_of(wired.replies()[-1])
    assert [a["accepted"] for a in wired.of_type("ConfirmationAnswered")] == [True]
    assert len(wired.report_photos()) == 1


def test_a_thumbs_up_on_another_message_answers_nothing(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(b"\xff\xd8 a photo")
    wired.whatsapp(wa_button_reply("wamid.1", "project.P-TIL", "Résidence Les Tilleuls"))
    wired.whatsapp(p.wa_image("wamid.2", media_id))
    tasks = wamid_of_reply(wired, 0)
    wired.whatsapp(p.wa_reaction("wamid.3", tasks, "👍"))
    assert len(wired.replies()) == 2
    assert wired.report_photos() == []


def test_a_telegram_reaction_is_recorded_and_not_answered(wired: MediaWired) -> None:
    wired.telegram(tg_message("Bonjour"))
    wired.replies("telegram")
    wired.telegram(p.tg_reaction(1))
    [reaction] = wired.of_type("ReactionReceived")
    assert reaction["to_message"] == f"{KARIM_TELEGRAM}:1"
    assert reaction["reacted_to"] is not None
    assert len(wired.replies("telegram")) == 1


def test_a_changed_number_is_followed_by_the_directory_and_not_answered(wired: MediaWired) -> None:
    wired.whatsapp(wa_text("wamid.1", "Bonjour"))
    wired.whatsapp(p.wa_number_changed("wamid.2", "33700000042"))
    [decided] = wired.of_type("PhoneNumberChangeDecided")
    assert (decided["old_number"], decided["new_number"]) == ("+33600000001", "+33700000042")
    assert len(wired.replies()) == 1
    directory = wired.container.directory
    found = directory.find_subcontractor("+33700000042")
    assert found is not None and found.name == "Karim Benali"
    assert directory.find_subcontractor("+33600000001") is None
    [flag] = wired.container.database.fetch_all(
        "SELECT old_phone, new_phone, followed FROM phone_number_changes"
    )
    assert (flag["old_phone"], flag["new_phone"], bool(flag["followed"])) == (
        "+33600000001",
        "+33700000042",
        True,
    )
    wired.container.projections.catch_up()
    [shown] = wired.container.database.fetch_all("SELECT detail FROM attention WHERE kind = 'number_changed'")
    assert shown["detail"] == "from +33600000001 to +33700000042"  # on the operators' console


def test_a_number_someone_else_has_is_only_flagged(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_number_changed("wamid.1", "33600000002"))  # Sophie's
    assert wired.container.directory.find_subcontractor("+33600000001") is not None
    [flag] = wired.container.database.fetch_all("SELECT followed FROM phone_number_changes")
    assert not flag["followed"]


def test_request_welcome_gets_the_greeting(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_request_welcome("wamid.1"))
    assert body_of(wired.replies()[-1]) == "Bonjour Karim 👋 Que voulez-vous faire ?"
    [welcome] = wired.of_type("OtherMessageReceived")
    assert welcome["kind"] == "request_welcome"


def test_a_location_near_a_site_puts_it_in_focus(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_location("wamid.1", 45.7722, 4.8899, "Chantier"))  # rue des Tilleuls
    reply = body_of(wired.replies()[-1])
    assert reply.startswith("📍 Vous êtes à Résidence Les Tilleuls.\nRésidence Les Tilleuls — vos tâches")
    [location] = wired.of_type("LocationReceived")
    assert location["latitude"] == pytest.approx(45.7722)


def test_a_location_far_from_every_site_says_so(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_location("wamid.1", 48.8566, 2.3522))  # Paris
    assert body_of(wired.replies()[-1]).startswith("Merci pour votre position 📍 Aucun de vos chantiers")


def test_contacts_are_not_kept_and_get_their_own_answer(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_contacts("wamid.1"))
    assert body_of(wired.replies()[-1]).startswith("Merci, mais je ne peux rien faire d'une fiche contact")
    [contacts] = wired.of_type("OtherMessageReceived")
    assert contacts["detail"] == {"count": "1"}  # no name, no number of the third party


def test_an_order_is_declined_with_the_menu(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_order("wamid.1"))
    assert body_of(wired.replies()[-1]) == "Je ne prends pas de commandes. Que voulez-vous faire ?"


def test_unsupported_says_what_can_be_sent(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_unsupported("wamid.1"))
    reply = body_of(wired.replies()[-1])
    assert "photo" in reply and "vocal" in reply
    assert "que le texte et les boutons" not in reply


def test_a_sticker_opening_the_chat_is_a_hello_and_later_like_a_reaction(wired: MediaWired) -> None:
    wired.whatsapp(p.wa_sticker("wamid.1", wired.fake.media.whatsapp(b"RIFF", "image/webp")))
    assert body_of(wired.replies()[-1]).startswith("Bonjour Karim")
    wired.whatsapp(p.wa_sticker("wamid.2", wired.fake.media.whatsapp(b"RIFF2", "image/webp")))
    assert len(wired.replies()) == 1


def test_a_document_is_kept_like_a_photo(wired: MediaWired) -> None:
    pdf = b"%PDF-1.7 devis"
    wired.whatsapp(wa_button_reply("wamid.1", "problem.P-TIL", "Signaler problème"))
    wired.whatsapp(p.wa_document("wamid.2", wired.fake.media.whatsapp(pdf, "application/pdf")))
    wired.fetch()
    [photo] = wired.report_photos()
    assert photo["kind"] == "document"
    assert wired.of_type("MediaStored")[0]["mime_type"] == "application/pdf"


def test_telegram_location_contact_and_edit(wired: MediaWired) -> None:
    wired.telegram(p.tg_location(45.7405, 4.8172))  # quai Rambaud
    assert "Bureaux Quai Rambaud" in wired.replies("telegram")[-1]["text"]
    wired.telegram(p.tg_contact())
    assert "fiche contact" in wired.replies("telegram")[-1]["text"]
    wired.telegram(p.tg_edited("pas fini", message_id=12))
    assert "« pas fini »" in wired.replies("telegram")[-1]["text"]
    [edited] = [o for o in wired.of_type("OtherMessageReceived") if o["kind"] == "edited"]
    assert edited["detail"] == {"text": "pas fini", "original_message": f"{KARIM_TELEGRAM}:12"}
    assert wired.of_type("TaskStatusChangeDecided") == []  # an edit never acts


def test_twilio_location(wired: MediaWired) -> None:
    twiml = wired.twilio(MessageSid="SM1", NumMedia="0", Body="", Latitude="45.6976", Longitude="4.8866",
                         Address="3 place Léon Sublet", Label="Maison de santé")  # fmt: skip
    assert "Maison de santé Vénissieux" in twiml


def test_a_strangers_photo_is_answered_but_never_fetched(wired: MediaWired) -> None:
    media_id = wired.fake.media.whatsapp(b"\xff\xd8 someone")
    photo = p.wa_image("wamid.1", media_id)
    photo["from"] = "33699999999"
    wired.whatsapp(photo)
    assert "pas enregistré" in body_of(wired.replies()[-1])
    wired.fetch()
    [failed] = wired.of_type("MediaFetchFailed", sender="+33699999999")
    assert failed["reason"] == "sender_not_registered"
    assert wired.fake.media.lookups() == []
    assert len(wired.replies()) == 1
