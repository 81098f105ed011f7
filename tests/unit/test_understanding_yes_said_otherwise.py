"""Yes and no as people type them answer a pending question: "ouii", "oué", "oui stp", "sound",
"spot on", "go for it" once got a 👍 and left the question unanswered, so the person believed it
done; "👎" and "pas vraiment" say no; "à moitié" and "half way" are no problem to file."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, open_site, said_by, say


def _answered(sender: str, text: str) -> list[object]:
    service = in_memory_service()
    open_site(service, sender, "1")
    say(
        service,
        "cc les tableaux elec sont poses 👍" if sender == KARIM else "ceiling grid lvl3 complete",
        sender,
    )
    say(service, text, sender, message_id="said")
    return said_by(service, "said", sender)


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "ouii"),
        (KARIM, "oué"),
        (KARIM, "oui stp"),
        (KARIM, "oki doki"),
        (KARIM, "d'acc"),
        (KARIM, "k"),
        (KARIM, "voila"),
        (KARIM, "tkt c bon"),
        (KARIM, "🆗"),
        (JAMES, "sound"),
        (JAMES, "spot on"),
        (JAMES, "yeah go for it"),
        (JAMES, "yessir"),
    ],
)
def test_yes_writes(sender: str, text: str) -> None:
    assert [e.status for e in named(_answered(sender, text), "TaskStatusChangeDecided")] == ["done"]


@pytest.mark.parametrize(("sender", "text"), [(KARIM, "👎"), (KARIM, "pas vraiment"), (JAMES, "not really")])
def test_no_declines(sender: str, text: str) -> None:
    events = _answered(sender, text)
    assert named(events, "TaskStatusChangeDecided") == []
    assert [e.intent for e in named(events, "IntentClassified")] == ["confirm_no"]


@pytest.mark.parametrize(("sender", "text"), [(KARIM, "a moitie"), (JAMES, "half way")])
def test_half_of_it_is_no_problem(sender: str, text: str) -> None:
    events = _answered(sender, text)
    assert named(events, "ProblemReportDecided") == []
    assert [e.action["kind"] for e in named(events, "ConfirmationRequested")] != ["report_problem"]


@pytest.mark.parametrize("text", ["k", "voila", "d'acc"])
def test_a_nod_with_nothing_asked_is_a_nod(text: str) -> None:
    service = in_memory_service()
    say(service, text, KARIM, message_id="said")
    assert [e.intent for e in named(said_by(service, "said", KARIM), "IntentClassified")] == ["small_talk"]


@pytest.mark.parametrize(
    ("sender", "text", "status"),
    [
        (JAMES, "no its started", "in_progress"),
        (JAMES, "nah its blocked", "blocked"),
        (KARIM, "non c bloqué", "blocked"),
    ],
)
def test_no_with_the_status_meant_offers_that_status(sender: str, text: str, status: str) -> None:
    events = _answered(sender, text)
    assert named(events, "TaskStatusChangeDecided") == []
    assert [e.action.get("status") for e in named(events, "ConfirmationRequested")] == [status]


@pytest.mark.parametrize(
    ("sender", "said", "chosen"),
    [(KARIM, "c fini", "les prises"), (KARIM, "c fini", "3"), (JAMES, "started", "the grid")],
)
def test_the_task_chosen_after_which_task_gets_the_status_said(sender: str, said: str, chosen: str) -> None:
    service = in_memory_service()
    say(service, "mes chantiers" if sender == KARIM else "my sites", sender)
    say(service, "1" if sender == JAMES else "4", sender)
    say(service, said, sender)
    say(service, chosen, sender, message_id="chosen")
    events = said_by(service, "chosen", sender)
    assert named(events, "TaskStatusChangeDecided") == []
    offered = [e.action.get("status") for e in named(events, "ConfirmationRequested")]
    assert offered == ["done" if sender == KARIM else "in_progress"]


def test_a_task_chosen_with_nothing_said_before_is_shown() -> None:
    service = in_memory_service()
    say(service, "mes chantiers", KARIM)
    say(service, "4", KARIM)
    say(service, "les prises", KARIM, message_id="chosen")
    assert [e.intent for e in named(said_by(service, "chosen", KARIM), "IntentClassified")] == ["select"]
