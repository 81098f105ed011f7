"""Their own day is a nod, not the overdue tasks: "running late" listed them. What is missing for
the work (keys, drawings, barriers, boards) is a problem to confirm, not a list of sites or a 👍.
Words of every sentence name no site: "mais" once named "Maison de santé Vénissieux"."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, intents, named, one_message, say


def _events(sender: str, text: str) -> list[object]:
    return one_message(sender, text, "1")


_intents = intents


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "running late"),
        (JAMES, "sorry lads running late"),
        (JAMES, "running 10 mins late"),
        (JAMES, "ill be late tmrw"),
        (JAMES, "on my way"),
        (KARIM, "jsuis en retard jarrive dans 15 min"),
        (KARIM, "jsuis en retard desolée"),
    ],
)
def test_their_day_is_a_nod(sender: str, text: str) -> None:
    assert _intents(_events(sender, text)) == ["small_talk"]


@pytest.mark.parametrize(
    ("sender", "text"), [(KARIM, "je suis en retard sur quoi"), (JAMES, "whats overdue")]
)
def test_what_is_overdue_is_still_asked(sender: str, text: str) -> None:
    assert _intents(_events(sender, text)) == ["ask_overdue"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "no key for the plant room"),
        (JAMES, "no drawings for the lobby"),
        (JAMES, "open riser on L3 no barriers"),
        (JAMES, "no boards on site"),
        (JAMES, "no hangers left"),
        (KARIM, "le boitier est fendu"),
        (KARIM, "on a pas les cles du local technique"),
    ],
)
def test_something_missing_is_a_problem_to_confirm(sender: str, text: str) -> None:
    events = _events(sender, text)
    assert [e.action["kind"] for e in named(events, "ConfirmationRequested")] == ["report_problem"]


def test_a_word_of_every_sentence_names_no_site() -> None:
    events = _events(KARIM, "ok mais j ai un souci au parking")
    assert [e.intent for e in named(events, "IntentClassified")] == ["report_problem"]
    assert all(e.action.get("project_id") != "P-VEN" for e in named(events, "ConfirmationRequested"))
    assert "Vénissieux" not in str([vars(e) for e in events])


@pytest.mark.parametrize(
    ("sender", "text", "reply"),
    [
        (KARIM, "ok merci bonne soiree", "Bonne soirée ! 👋"),
        (KARIM, "bonne journée", "Bonne journée ! 👋"),
        (JAMES, "night night", "Have a good evening! 👋"),
    ],
)
def test_goodbye_is_answered_for_the_time_it_names(sender: str, text: str, reply: str) -> None:
    service = in_memory_service()
    outcome = say(service, text, sender)
    assert outcome.reply["text"] == reply
