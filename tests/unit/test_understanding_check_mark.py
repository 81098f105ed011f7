"""A check mark alone ticks off the task in focus: "✅" offers it as done (asked, never written at
once); once the task is done, it is a nod; a thumbs-up stays a nod."""

from __future__ import annotations

from infrastructure.in_memory import in_memory_service
from tests.turns import KARIM, named, open_site, said_by, say


def test_a_check_mark_alone_offers_the_task_in_focus_as_done() -> None:
    service = in_memory_service()
    open_site(service, KARIM, "1", "2")
    say(service, "✅", KARIM, message_id="said")
    events = said_by(service, "said", KARIM)
    assert [e.action.get("status") for e in named(events, "ConfirmationRequested")] == ["done"]
    assert not named(events, "TaskStatusChangeDecided")


def test_a_check_mark_after_the_task_is_done_is_a_nod() -> None:
    service = in_memory_service()
    open_site(service, KARIM, "1", "2")
    say(service, "c'est fait", KARIM)
    say(service, "✅", KARIM, message_id="said")
    events = said_by(service, "said", KARIM)
    assert not named(events, "ConfirmationRequested")
    assert not named(events, "TaskStatusChangeDecided")


def test_a_thumbs_up_stays_a_nod() -> None:
    service = in_memory_service()
    open_site(service, KARIM, "1", "2")
    say(service, "👍", KARIM, message_id="said")
    events = said_by(service, "said", KARIM)
    assert not named(events, "ConfirmationRequested")
    assert [e.intent for e in named(events, "IntentClassified")] == ["small_talk"]
