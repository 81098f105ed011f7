"""Dictated punctuation and picks put right. "Mark this one as in progress please full stop" wrote
"Fire stopping risers" ("stop" starts its name) with the ceiling grid on screen; "le 2 euh non le 4"
opened the second site, not the fourth; "it's nae finished" was offered as done."""

from __future__ import annotations

import pytest

from application.understanding.text import normalise
from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, one_message, said_by, say, statuses_offered, statuses_written


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("done full stop", "done"),
        ("fini virgule merci", "fini merci"),
        ("is it done question mark", "is it done ?"),
        ("its done stop", "it is done stop"),
    ],
)
def test_dictated_punctuation_is_punctuation(said: str, read: str) -> None:
    assert normalise(said) == read


def test_a_status_dictated_goes_to_the_task_on_screen() -> None:
    events = one_message(JAMES, "mark this one as in progress please full stop", "1", "ceiling grid")
    writes = named(events, "TaskStatusChangeDecided")
    assert [(vars(e)["task_id"], vars(e)["status"]) for e in writes] == [("T-CON-82", "in_progress")]


def test_the_start_of_another_tasks_name_does_not_move_a_write_to_it() -> None:
    events = one_message(JAMES, "its done stop", "1", "ceiling grid")
    assert statuses_written(events) == [] and statuses_offered(events) == []


@pytest.mark.parametrize(
    ("sender", "text", "chosen"),
    [
        (KARIM, "le 2 euh non le 4", "project.P-TIL"),
        (KARIM, "la 2 non la 3", "project.P-VEN"),
        (JAMES, "1 sorry I mean 2", "project.P-PDU"),
    ],
)
def test_a_pick_put_right_is_the_last_one_said(sender: str, text: str, chosen: str) -> None:
    service = in_memory_service()
    say(service, "my sites" if sender == JAMES else "mes chantiers", sender)
    say(service, text, sender, message_id="pick")
    picked = named(said_by(service, "pick", sender), "IntentClassified")
    assert [vars(e)["arguments"].get("choice_id") for e in picked] == [chosen]


@pytest.mark.parametrize("text", ["it's nae finished", "it isnae done yet"])
def test_scots_negation_is_never_done(text: str) -> None:
    events = one_message(JAMES, text, "1", "ceiling grid")
    assert statuses_written(events) == [] and "done" not in statuses_offered(events)
