"""A status written by mistake is taken back the next message: "undo that" got a 👍 and "wrong one
sorry" was offered as a problem, while the task kept the status. Now the status it had before is
offered, yes or no; only the message right after the write can take it back."""

from __future__ import annotations

import pytest

from application.service import ConversationService
from infrastructure.in_memory import in_memory_service
from tests.turns import (
    JAMES,
    KARIM,
    named,
    open_site,
    press,
    said_by,
    say,
    statuses_offered,
    statuses_written,
)


def _after_a_write(sender: str) -> ConversationService:
    service = in_memory_service()
    if sender == JAMES:
        open_site(service, JAMES, "1", "ceiling grid")
        say(service, "done", JAMES, message_id="write")
    else:
        open_site(service, KARIM, "Tilleuls", "prises")
        say(service, "fini", KARIM, message_id="write")
    assert statuses_written(said_by(service, "write", sender)) == ["done"]
    return service


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "undo that"),
        (JAMES, "wrong one sorry"),
        (JAMES, "oops wrong one"),
        (JAMES, "my bad, cancel that"),
        (KARIM, "annule"),
        (KARIM, "je me suis trompé"),
        (KARIM, "oups pas celle la"),
        (KARIM, "erreur dsl"),
    ],
)
def test_the_status_before_is_offered_back(sender: str, text: str) -> None:
    service = _after_a_write(sender)
    say(service, text, sender, message_id="back")
    events = said_by(service, "back", sender)
    assert statuses_offered(events) == ["todo"]
    assert not named(events, "ProblemReportDecided") and not statuses_written(events)


def test_yes_puts_it_back() -> None:
    service = _after_a_write(JAMES)
    say(service, "undo", JAMES, message_id="back")
    say(service, "yes", JAMES, message_id="yes")
    assert statuses_written(said_by(service, "yes", JAMES)) == ["todo"]


def test_only_the_message_right_after_the_write_takes_it_back() -> None:
    service = _after_a_write(JAMES)
    say(service, "thanks", JAMES, message_id="between")
    say(service, "undo that", JAMES, message_id="back")
    assert statuses_offered(said_by(service, "back", JAMES)) == []


def test_a_write_by_button_is_taken_back_too() -> None:
    service = in_memory_service()
    open_site(service, JAMES, "1", "ceiling grid")
    press(service, "status.done", "Done", JAMES, message_id="write")
    assert statuses_written(said_by(service, "write", JAMES)) == ["done"]
    say(service, "wrong button", JAMES, message_id="back")
    assert statuses_offered(said_by(service, "back", JAMES)) == ["todo"]


@pytest.mark.parametrize(
    ("sender", "text"), [(JAMES, "wrong one delivered"), (KARIM, "annule le rdv de demain avec le client")]
)
def test_words_about_something_else_take_nothing_back(sender: str, text: str) -> None:
    service = _after_a_write(sender)
    say(service, text, sender, message_id="back")
    assert "todo" not in statuses_offered(said_by(service, "back", sender))


@pytest.mark.parametrize(
    ("sender", "text", "task"),
    [
        (JAMES, "and the risers", "T-CON-83"),
        (JAMES, "partitions too", "T-CON-81"),
        (KARIM, "le parking aussi", "T-TIL-04"),
    ],
)
def test_another_task_too_is_offered_the_same_status(sender: str, text: str, task: str) -> None:
    service = _after_a_write(sender)
    say(service, text, sender, message_id="too")
    asked = named(said_by(service, "too", sender), "ConfirmationRequested")
    assert [(e.action["task_id"], e.action["status"]) for e in asked] == [(task, "done")]


def test_a_task_named_alone_after_a_write_is_shown() -> None:
    service = _after_a_write(JAMES)
    say(service, "the risers", JAMES, message_id="shown")
    assert statuses_offered(said_by(service, "shown", JAMES)) == []
