"""News that a trouble is over carries the trouble's own words ("la fuite est réparée"), and so do
a meal ("casser la croûte"), a test passed, safety kit put up and a planned cut: they are
acknowledged, never offered as a new problem to file; anything that still sounds wrong is."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, open_site, said_by, say


def _recorded(sender: str, text: str) -> tuple[list[str], str]:
    """The events the message recorded, by name, and what it was understood as; a site in focus."""
    service = in_memory_service()
    open_site(service, sender, "1")
    say(service, text, sender, message_id="news")
    events = said_by(service, "news", sender)
    (classified,) = named(events, "IntentClassified")
    return [type(e).__name__ for e in events], vars(classified)["intent"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "la fuite est réparée"),
        (KARIM, "le courant est revenu"),
        (KARIM, "le courant est de retour"),
        (KARIM, "plus de fuite 👍"),
        (KARIM, "rien de cassé"),
        (KARIM, "le matériel est arrivé"),
        (KARIM, "le probleme est resolu"),
        (JAMES, "leak is fixed now"),
        (JAMES, "power's back"),
        (JAMES, "the broken window was replaced"),
        (JAMES, "material arrived this morning"),
        (JAMES, "we got access now"),
        (JAMES, "nothing broken, all good"),
        # Not troubles at all, though they use a trouble's words: a meal, a test passed, safety
        # kit put up, a cut that was planned.
        (KARIM, "j'ai cassé la croûte, je reprends"),
        (KARIM, "test de fuite ok"),
        (KARIM, "garde corps posés"),
        (KARIM, "coupure prévue demain 8h par enedis"),
        (KARIM, "ça fuit pas"),
        (JAMES, "the flood test went fine"),
        (JAMES, "guardrails up"),
        (JAMES, "power off for the tie-in, planned"),
        (JAMES, "broke for lunch"),
    ],
)
def test_a_trouble_said_to_be_over_is_acknowledged_and_nothing_is_offered(sender: str, text: str) -> None:
    recorded, intent = _recorded(sender, text)
    assert intent == "small_talk"
    assert "ConfirmationRequested" not in recorded
    assert "ProblemReportDecided" not in recorded


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "la fuite est pas réparée"),
        (KARIM, "toujours pas de courant"),
        (KARIM, "la fuite est revenue"),
        (KARIM, "la livraison est arrivée cassée"),
        (KARIM, "le placo est arrivé mouillé"),
        (KARIM, "fuite réparée mais ça refuit"),
        (KARIM, "plus de courant"),
        (JAMES, "the leak is back"),
        (JAMES, "boards delivered wet"),
        (JAMES, "the window got replaced with the wrong size"),
        (JAMES, "material never arrived"),
        (JAMES, "fixed the leak myself, but the floor is soaked"),
        (KARIM, "test de fuite pas ok"),
        (KARIM, "garde corps arraché"),
        (KARIM, "coupure pas prévue"),
        (JAMES, "leak test failed"),
        (JAMES, "guardrails down"),
        (JAMES, "unplanned power cut"),
        (KARIM, "le siphon est bouché"),
        (JAMES, "the drain is plugged"),
    ],
)
def test_what_still_sounds_wrong_is_still_a_problem(sender: str, text: str) -> None:
    recorded, intent = _recorded(sender, text)
    assert intent == "report_problem"
    assert "ConfirmationRequested" in recorded  # the site in focus is offered, to be confirmed


def test_the_leak_is_back_is_news_not_the_way_back_to_the_menu() -> None:
    _, intent = _recorded(JAMES, "the crack is back")
    assert intent != "menu"
