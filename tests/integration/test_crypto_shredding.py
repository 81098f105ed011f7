"""Personal data sealed with each person's keys; erasure destroys them (both stores)."""

from __future__ import annotations

import pytest

from application.sealing import ERASED
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS, projection_named
from infrastructure.settings import Settings
from infrastructure.subjects.erasure import SubjectNotFoundError
from tests.dumps import database_dump, found_in
from tests.turns import KARIM, SOPHIE, recorded, say

MARKER = "Zorglubinette"  # what Karim typed, found nowhere else


def _karim_talks(container: Container) -> None:
    service = container.service
    say(service, "reset")
    say(service, f"problème : fuite d'eau chez {MARKER}", message_id="wamid.leak")
    say(service, "tilleuls", message_id="wamid.which")
    say(service, "mes chantiers")
    say(service, "Bonjour", sender=SOPHIE)  # someone else, who must keep everything
    container.projections.catch_up()


def test_what_a_person_typed_is_sealed_in_the_log(container: Container, settings: Settings) -> None:
    _karim_talks(container)
    table = container.store.recorder.__dict__.get("events_table_name", "")
    assert table
    states = b"".join(
        bytes(row["state"]) for row in container.database.fetch_all(f"SELECT state FROM {table}")
    )
    assert MARKER.encode() not in states and b"600000001" not in states and b"Karim" not in states
    said = [e for e in recorded(container) if type(e).__name__ == "MessageReceived"]
    assert any(MARKER in e.text for e in said)  # and opened again with the key


def test_after_forget_nothing_of_the_person_is_left_in_the_database(
    container: Container, settings: Settings
) -> None:
    _karim_talks(container)
    assert found_in(database_dump(settings), MARKER, KARIM, "Karim Benali")  # the check can see them

    erasure = container.eraser().forget(KARIM, "ticket-42")
    assert erasure.keys_destroyed >= 2  # who Karim is, and each of his sessions
    container.projections.catch_up()

    assert found_in(database_dump(settings), MARKER, KARIM, "600000001", "Karim Benali", "Benali") == []
    assert found_in(database_dump(settings), SOPHIE)  # Sophie keeps hers
    record = container.database.fetch_one("SELECT requested_by, keys_destroyed FROM erasures")
    assert record == {"requested_by": "ticket-42", "keys_destroyed": erasure.keys_destroyed}

    # The audit keeps the structure, not the content.
    page = container.audit.events(conversation_id_for(KARIM), limit=1000)
    said = [r for r in page.items if r.type == "MessageReceived"]
    assert said and {r.payload["text"] for r in said} == {ERASED}
    assert page.items[-1].type == "Erased"


def test_a_returning_number_is_a_new_subject_and_old_messages_stay_answered(container: Container) -> None:
    _karim_talks(container)
    container.eraser().forget(KARIM, "ticket-42")

    again = say(container.service, "Bonjour", message_id="wamid.new")
    assert not again.duplicate and again.reply["text"]
    conversation = container.store.conversation(KARIM)
    assert conversation is not None and not conversation.erased
    assert conversation.exchanges and conversation.exchanges[0]["said"] == "Bonjour"

    redelivered = say(container.service, "tilleuls", message_id="wamid.which")
    assert redelivered.duplicate  # exactly once still holds
    assert redelivered.reply["text"] == ""  # and nothing of the erased reply is sent
    filed = container.database.fetch_all("SELECT description FROM problem_reports")
    assert len(filed) == 1 and filed[0]["description"] == ERASED


def test_rebuilt_projections_bring_nothing_back(container: Container, settings: Settings) -> None:
    _karim_talks(container)
    container.eraser().forget(KARIM, "ticket-42")
    for name in PROJECTIONS:
        rebuild(container.database, container.store, projection_named(name), batch_size=100)
    assert found_in(database_dump(settings), MARKER, KARIM, "600000001") == []
    rows = container.database.fetch_all(
        "SELECT count(*) AS n FROM conversations WHERE conversation_id = %s", (conversation_id_for(KARIM),)
    )
    assert rows[0]["n"] == 0


def test_forgetting_an_unknown_number_writes_nothing(container: Container) -> None:
    with pytest.raises(SubjectNotFoundError):
        container.eraser().forget("+33611111111", "ticket-43")
    assert container.database.fetch_all("SELECT * FROM erasures") == []
