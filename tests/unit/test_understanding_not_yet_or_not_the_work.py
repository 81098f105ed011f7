"""Done said of part of the work, of what is to come, of someone's hours, a meal or a drain is
never written: "grid's 3/4 done", "be done in an hour", "done on one side", "first fix done",
"get the risers done this wk", "done I reckon", "done 10 hrs today", "blocked toilet", "dinner's
done", "fini a 90", "fini pour moi aujourd'hui", "la commande des tableaux c fait" each once wrote
the task in focus (or the one named) done or blocked. A blocked drain or road is a problem to
file; plain "done" still writes."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, open_site, said_by, say, statuses_claimed


def _events(sender: str, text: str) -> list[object]:
    """What the message recorded, with the first site's second task in focus (todo)."""
    service = in_memory_service()
    open_site(service, sender, "1", "2")
    say(service, text, sender, message_id="said")
    return said_by(service, "said", sender)


@pytest.mark.parametrize(
    ("sender", "text", "status"),
    [
        (JAMES, "grid's 3/4 done", "done"),
        (JAMES, "2/3 done", "done"),
        (KARIM, "3/4 fini", "done"),
        (JAMES, "be done in an hour", "done"),
        (JAMES, "done in 5 mins", "done"),
        (JAMES, "grid done in a bit", "done"),
        (KARIM, "fini dans 10 min", "done"),
        (JAMES, "done on one side", "done"),
        (JAMES, "first fix done", "done"),
        (KARIM, "première couche faite", "done"),
        (JAMES, "get the grid done this wk", "done"),
        (JAMES, "done i reckon", "done"),
        (KARIM, "fini apparemment", "done"),
        (JAMES, "need to get it finished", "done"),
        (JAMES, "done 10 hrs today", "done"),
        (JAMES, "done a 12 hr shift", "done"),
        (JAMES, "blocked toilet in the welfare", "blocked"),
        (JAMES, "blocked drain on 3", "blocked"),
        (JAMES, "sink's blocked", "blocked"),
        (KARIM, "la rue est bloquée", "blocked"),
        (JAMES, "dinner's done", "done"),
        (JAMES, "finished my tea", "done"),
        (KARIM, "pause déj finie", "done"),
        (KARIM, "fini a 90", "done"),
        (KARIM, "terminé à 70 pour cent", "done"),
        (KARIM, "fini a part 2 disjoncteurs", "done"),
        (KARIM, "fini hormis le repérage", "done"),
        (KARIM, "fini a priori", "done"),
        (KARIM, "le chef demande si c fini", "done"),
        (KARIM, "c fini pour moi aujourdhui", "done"),
        (KARIM, "bon c fini pr moi jrentre", "done"),
        (KARIM, "la commande des baies c fait", "done"),
        (KARIM, "le devis pour les baies c fait", "done"),
        (KARIM, "la peinture des baies c fini", "done"),
        (KARIM, "la baie est bloquée par un camion", "blocked"),
    ],
)
def test_the_status_is_neither_written_nor_offered(sender: str, text: str, status: str) -> None:
    assert status not in statuses_claimed(_events(sender, text))


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "blocked toilet in the welfare"),
        (JAMES, "the stairs are blocked"),
        (KARIM, "les toilettes sont bouchées"),
    ],
)
def test_a_drain_or_a_way_through_blocked_is_a_problem_to_confirm(sender: str, text: str) -> None:
    asked = named(_events(sender, text), "ConfirmationRequested")
    assert [e.action["kind"] for e in asked] == ["report_problem"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "done"),
        (JAMES, "4/4 done"),
        (KARIM, "fini à 100%"),
        (KARIM, "la pose des baies c fait"),
        (KARIM, "c'est fini pour les baies"),
    ],
)
def test_all_of_it_done_still_writes(sender: str, text: str) -> None:
    events = _events(sender, text)
    assert [e.status for e in named(events, "TaskStatusChangeDecided")] == ["done"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [(JAMES, "someone started a fire in the skip"), (JAMES, "the labourer's done a runner")],
)
def test_something_that_happened_is_not_the_work_started_or_done(sender: str, text: str) -> None:
    assert not {"in_progress", "done"} & statuses_claimed(_events(sender, text))


def test_two_letters_swapped_in_a_status_word_still_say_it() -> None:
    assert [e.status for e in named(_events(JAMES, "blokced"), "TaskStatusChangeDecided")] == ["blocked"]
