"""A change to the site directory happens if and only if the turn that decided it is committed."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError

from application.inbound import Inbound
from application.ports import DirectoryChange, TaskStatusChange
from domain.receipt import MessageReceipt
from infrastructure.bootstrap import Container
from tests.turns import JAMES, KARIM, SOPHIE, choice_ids, log_size, named, press, recorded, say
from tests.world import applied_change_ids, assert_directory_matches_log, decisions


def status_of(container: Container, task_id: str) -> str:
    row = container.database.fetch_one("SELECT status FROM tasks WHERE id = %s", (task_id,))
    assert row is not None
    return str(row["status"])


def test_a_redelivery_after_the_focus_moved_does_not_mark_the_task(container: Container) -> None:
    service = container.service
    say(service, "reset", sender=JAMES)
    asked = say(service, "done", sender=JAMES, message_id="r-2")
    assert "Which site?" in asked.reply["text"]
    press(service, "project.P-CON", "Bureaux Quai Rambaud", sender=JAMES)
    shown = press(service, "task.T-CON-83", "Fire stopping risers", sender=JAMES)
    assert "status.T-CON-83.done" in choice_ids(shown)

    again = say(service, "done", sender=JAMES, message_id="r-2")  # as Meta redelivers

    assert again.duplicate
    assert again.reply == asked.reply
    assert status_of(container, "T-CON-83") == "todo"
    assert not named(recorded(container, JAMES), "TaskStatusChangeDecided")
    assert applied_change_ids(container) == {}
    assert_directory_matches_log(container)


def test_a_redelivered_problem_is_not_filed_on_the_site_now_in_focus(container: Container) -> None:
    service = container.service
    say(service, "reset")
    first = say(service, "problème : fuite d'eau", message_id="leak-1")
    assert "Sur quel chantier" in first.reply["text"]
    chosen = say(service, "tilleuls", message_id="which-site")  # the answer files the waiting report
    assert "Tilleuls" in chosen.reply["text"]
    filed = container.database.fetch_all("SELECT project_id FROM problem_reports")
    assert filed == [{"project_id": "P-TIL"}]
    again = say(service, "problème : fuite d'eau", message_id="leak-1")
    assert again.duplicate and again.reply == first.reply
    assert container.database.fetch_all("SELECT project_id FROM problem_reports") == filed
    decided = assert_directory_matches_log(container)
    assert [record.message_id for record in decided] == ["which-site"]


def test_a_turn_that_loses_its_save_changes_nothing(container: Container) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "3"):
        say(service, text)
    stale = container.store.conversation(KARIM)
    assert stale is not None
    say(service, "menu")  # another worker's turn wins the next version meanwhile
    size = log_size(container)

    inbound = Inbound(channel="generic", message_id="loser", sender=KARIM, text="c'est fait")
    karim = container.directory.find_subcontractor(KARIM)
    reply = service._pipeline.play(stale, inbound, karim, service._clock())
    assert "Terminé" in reply["text"]  # the losing attempt did decide to mark the task done
    receipt = MessageReceipt(
        channel="generic",
        provider_message_id="loser",
        conversation_id=stale.id,
        session_id=stale.open_session["id"],
        reply=reply,
        scoped_to_sender=True,
    )
    with pytest.raises(IntegrityError):
        container.store.record_turn(stale, receipt)

    assert log_size(container) == size
    assert status_of(container, "T-TIL-03") == "todo"
    assert applied_change_ids(container) == {}


def test_a_change_left_undone_by_a_crash_is_applied_once_by_the_follower(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "3"):
        say(service, text)

    def crash(change: DirectoryChange) -> bool:
        raise ConnectionError("the process died right after its commit")

    directory = service.directory
    monkeypatch.setattr(directory, "apply_change", crash)
    done = say(service, "c'est fait", message_id="done-before-crash")
    filed = say(service, "problème : disjoncteur HS", message_id="problem-before-crash")
    monkeypatch.undo()
    assert "Terminé" in done.reply["text"]
    assert status_of(container, "T-TIL-03") == "todo"  # committed, not applied yet
    assert applied_change_ids(container) == {}

    container.projections.catch_up()
    assert status_of(container, "T-TIL-03") == "done"
    decided = assert_directory_matches_log(container)
    assert [record.message_id for record in decided] == ["done-before-crash", "problem-before-crash"]
    reference = decided[1].payload["reference"]
    assert reference in filed.reply["text"]
    rows = container.database.fetch_all("SELECT reference, description FROM problem_reports")
    assert [(row["reference"], row["description"]) for row in rows] == [(reference, "disjoncteur HS")]

    # The follower again, and the turn's own apply again: both find the changes made.
    container.projections.catch_up()
    for change in (c for c in _changes(container)):
        assert directory.apply_change(change)
    assert sum(applied_change_ids(container).values()) == 2


def test_a_newer_decision_is_never_overwritten_by_an_older_one_applied_late(container: Container) -> None:
    directory = container.directory
    now = container.service._clock()
    decided = {"conversation_id": "c-1", "subcontractor_id": "S-001", "task_id": "T-TIL-03", "at": now}
    older = TaskStatusChange(change_id="older", status="done", decided_version=7, **decided)
    newer = TaskStatusChange(change_id="newer", status="in_progress", decided_version=9, **decided)
    assert directory.apply_change(newer)
    assert directory.apply_change(older)  # made (on record), but it does not win
    assert status_of(container, "T-TIL-03") == "in_progress"
    assert sum(applied_change_ids(container).values()) == 2


def test_two_senders_reusing_one_message_id_each_get_their_own_reply(container: Container) -> None:
    service = container.service
    karims = say(service, "mes chantiers", sender=KARIM, message_id="same-id")
    sophies = say(service, "mes chantiers", sender=SOPHIE, message_id="same-id")
    assert not sophies.duplicate
    assert sophies.conversation_id != karims.conversation_id
    assert "project.P-VAL" in choice_ids(sophies)
    assert "project.P-VAL" not in choice_ids(karims)
    assert named(recorded(container, SOPHIE), "MessageReceived")


def test_a_twilio_sid_equal_to_an_earlier_generic_id_files_its_own_report(container: Container) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls"):
        say(service, text)
    generic = say(service, "problème : fuite au R+1", message_id="SM0001")
    twilio = service.handle(
        Inbound(channel="twilio", message_id="SM0001", sender=KARIM, text="problème : plus de courant")
    )
    assert not twilio.duplicate
    assert "n°" in generic.reply["text"] and "n°" in twilio.reply["text"]
    assert twilio.reply["text"] != generic.reply["text"]
    rows = container.database.fetch_all("SELECT description FROM problem_reports ORDER BY id")
    assert [row["description"] for row in rows] == ["fuite au R+1", "plus de courant"]
    assert_directory_matches_log(container)


def test_a_status_already_set_decides_no_change(container: Container) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "1"):  # "Tirage des câbles R+1" is done already
        say(service, text)
    outcome = say(service, "c'est fait")
    assert "déjà" in outcome.reply["text"]
    assert decisions(container) == []


def _changes(container: Container) -> list[DirectoryChange]:
    from application.world import change_of

    found = [change_of(record) for record in decisions(container)]
    return [change for change in found if change is not None]
