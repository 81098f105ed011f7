"""Personal data sealed with each person's keys; erasure destroys them (both stores)."""

from __future__ import annotations

import threading

import pytest

from application.delivery import record_status
from application.inbound import Inbound, TurnOutcome
from application.outbound import StatusReport
from application.sealing import ERASED
from domain.identity import conversation_id_for, use_id_secret
from infrastructure.bootstrap import Container, build
from infrastructure.database import Database
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS, projection_named
from infrastructure.settings import Settings
from infrastructure.subject_rows import SubjectRef
from infrastructure.subjects import erasure
from infrastructure.subjects.erasure import SubjectNotFoundError
from tests.channels import channel_settings
from tests.conftest import FakeClock
from tests.dumps import database_dump, found_in
from tests.fake_providers import FakeProviders
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


def test_a_store_upgraded_from_before_keys_keeps_its_ids_and_exactly_once(
    settings: Settings, clock: FakeClock
) -> None:
    """A log written before sealing: the same conversation goes on, old messages stay recognised,
    and what is written from then on is sealed."""
    before = build(settings, clock=clock, sealed=False)
    try:
        with before.database.transaction() as cursor:
            cursor.execute("DELETE FROM service_secrets")  # as before the migration that made it
        use_id_secret(None)
        first = say(before.service, "Bonjour d'avant", message_id="wamid.before")
        legacy_id = conversation_id_for(KARIM)
        with before.database.transaction() as cursor:
            cursor.execute("DELETE FROM service_secrets")
    finally:
        before.close()

    after = build(settings, clock=clock)
    try:
        assert conversation_id_for(KARIM) == legacy_id  # public derivation kept
        again = say(after.service, "Bonjour d'avant", message_id="wamid.before")
        assert again.duplicate and again.reply == first.reply
        say(after.service, f"Bonjour {MARKER}")
        table = after.store.recorder.__dict__["events_table_name"]
        states = b"".join(
            bytes(row["state"]) for row in after.database.fetch_all(f"SELECT state FROM {table}")
        )
        assert b"Bonjour d'avant" in states  # written before: in clear, as it was
        assert MARKER.encode() not in states  # written after: sealed
        assert after.store.conversation(KARIM) is not None
    finally:
        after.close()


def _new_subject_is_readable(settings: Settings, clock: FakeClock) -> None:
    """Read by a process with nothing cached: the new subject's events open, the old ones do not."""
    fresh = build(settings, clock=clock)
    try:
        page = fresh.audit.events(conversation_id_for(KARIM), limit=1000).items
        erased_at = max(r.version for r in page if r.type == "Erased")
        restarted = [r for r in page if r.version > erased_at]
        assert restarted and restarted[0].type == "Restarted"
        assert restarted[0].payload["contact"] == KARIM
        said = {r.payload["text"] for r in restarted if r.type == "MessageReceived"}
        assert said == {"Bonjour"}
        assert {r.payload["text"] for r in page if r.type == "MessageReceived" and r.version < erased_at} == {
            ERASED
        }
    finally:
        fresh.close()


def test_a_process_that_cached_the_erased_keys_seals_the_new_subject_with_new_ones(
    container: Container, settings: Settings, clock: FakeClock
) -> None:
    _karim_talks(container)  # this process has Karim's keys cached
    other = build(settings, clock=clock)  # another process erases him
    try:
        other.eraser().forget(KARIM, "ticket-42")
    finally:
        other.close()
    again = say(container.service, "Bonjour", message_id="wamid.new")  # conflicts, finds him erased
    assert not again.duplicate
    _new_subject_is_readable(settings, clock)


def test_a_turn_during_an_erasure_waits_for_it_then_starts_a_new_subject(
    container: Container, settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _karim_talks(container)
    # Another process, patient enough to outlast the erasure it meets.
    other = build(settings.model_copy(update={"turn_max_attempts": 40}), clock=clock)
    outcomes: list[TurnOutcome] = []
    turn = threading.Thread(
        target=lambda: outcomes.append(say(other.service, "Bonjour", message_id="wamid.new"))
    )
    erase_rows = erasure.erase_subject_rows

    def between_the_event_and_the_keys(database: Database, subject: SubjectRef) -> dict[str, int]:
        turn.start()  # `Erased` is in the log, the keys are still live
        turn.join(0.3)
        return erase_rows(database, subject)

    monkeypatch.setattr(erasure, "erase_subject_rows", between_the_event_and_the_keys)
    try:
        container.eraser().forget(KARIM, "ticket-42")
        turn.join(10)
        assert outcomes and not outcomes[0].duplicate
    finally:
        other.close()
    _new_subject_is_readable(settings, clock)


def test_an_erasure_stopped_after_its_event_is_finished_by_running_it_again(
    container: Container, settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _karim_talks(container)

    def crash(database: Database, subject: SubjectRef) -> dict[str, int]:
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(erasure, "erase_subject_rows", crash)
        with pytest.raises(RuntimeError, match="killed"):
            container.eraser().forget(KARIM, "ticket-42")
    erased = container.eraser().forget(KARIM, "ticket-42")
    assert erased.keys_destroyed >= 2
    with pytest.raises(SubjectNotFoundError):  # and once over, it is over
        container.eraser().forget(KARIM, "ticket-42")
    say(container.service, "Bonjour", message_id="wamid.new")
    _new_subject_is_readable(settings, clock)


def test_deliveries_and_provider_reports_go_with_the_person(settings: Settings, clock: FakeClock) -> None:
    """A WhatsApp conversation whose replies were sent and reported on: after `forget`,
    nothing of the number, the texts or the provider's ids is left in the database."""
    with FakeProviders() as fake:
        container = build(channel_settings(settings, fake), clock=clock)
        worker = container.delivery_worker()
        try:
            for n, text in enumerate(("Bonjour", f"problème : fuite {MARKER}", "tilleuls")):
                container.service.handle(
                    Inbound(
                        "whatsapp", f"wamid.in{n}", "33600000001", text=text, reply_to={"to": "33600000001"}
                    )
                )
            worker.catch_up()
            deliveries = container.audit.deliveries(conversation_id_for(KARIM))
            assert len(deliveries) == 3 and {d.outcome for d in deliveries} == {"delivered"}
            wamids = [wamid for d in deliveries for wamid in d.provider_message_ids]
            for wamid in wamids:
                assert record_status(container.store, StatusReport("whatsapp", wamid, "read", clock.now))
            container.projections.catch_up()
            before = database_dump(settings)
            assert found_in(before, "33600000001", wamids[0])  # in the directory, the read models

            container.eraser().forget(KARIM, "ticket-77")
            container.projections.catch_up()
            after = database_dump(settings)
            assert (
                found_in(
                    after, "33600000001", MARKER, "Karim Benali", *wamids, *(f"wamid.in{n}" for n in range(3))
                )
                == []
            )
            # The deliveries are still there, as structure: what became of each reply, not what it said.
            erased = container.store.delivery_of_provider_message("whatsapp", wamids[0])
            assert erased is not None and erased.delivered and erased.provider_message_ids == []
        finally:
            worker.close()
            container.close()
