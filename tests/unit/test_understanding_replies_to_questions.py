"""Replies to what the bot just asked: "none" or "dunno" to "which task?" were offered as problems
to report (and a plain "ok" filed them); "wrong site, it's at the hotel" while describing a problem
was filed on the wrong site with that sentence; "no, the ceiling grid" to "mark the partitions
done?" dropped the offer instead of moving it."""

from __future__ import annotations

import pytest

from application.service import ConversationService
from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, SOPHIE, named, open_site, said_by, say, statuses_offered


def _asked_which_task(sender: str) -> ConversationService:
    service = in_memory_service()
    open_site(service, sender, "1" if sender == JAMES else "Tilleuls")
    say(service, "done" if sender == JAMES else "fini", sender)
    return service


@pytest.mark.parametrize(("sender", "text"), [(JAMES, "none"), (JAMES, "dunno"), (KARIM, "jsp")])
def test_no_answer_to_which_task_is_no_problem(sender: str, text: str) -> None:
    service = _asked_which_task(sender)
    say(service, text, sender, message_id="answer")
    say(service, "ok", sender, message_id="ok")
    events = said_by(service, "answer", sender) + said_by(service, "ok", sender)
    assert not named(events, "ConfirmationRequested") and not named(events, "ProblemReportDecided")


@pytest.mark.parametrize(
    ("sender", "site", "text", "there"),
    [
        (JAMES, "1", "wrong site, it's at the hotel", "P-PDU"),
        (KARIM, "Tilleuls", "c est sur jaures pas ici", "P-JAU"),
    ],
)
def test_another_site_said_while_describing_moves_the_problem_there(
    sender: str, site: str, text: str, there: str
) -> None:
    service = in_memory_service()
    open_site(service, sender, site)
    say(service, "problem" if sender == JAMES else "probleme", sender)
    say(service, text, sender, message_id="moved")
    assert not named(said_by(service, "moved", sender), "ProblemReportDecided")
    say(service, "water through the ceiling in room 12", sender, message_id="described")
    filed = named(said_by(service, "described", sender), "ProblemReportDecided")
    assert [vars(e)["project_id"] for e in filed] == [there]


@pytest.mark.parametrize(
    ("sender", "site", "said", "instead", "task"),
    [
        (JAMES, "1", "partitions sorted", "no the ceiling grid", "T-CON-82"),
        (KARIM, "Tilleuls", "les prises c bon", "non l eclairage parking", "T-TIL-04"),
    ],
)
def test_no_then_another_task_offers_the_status_for_that_one(
    sender: str, site: str, said: str, instead: str, task: str
) -> None:
    service = in_memory_service()
    open_site(service, sender, site)
    say(service, said, sender, message_id="offer")
    assert statuses_offered(said_by(service, "offer", sender)) == ["done"]
    say(service, instead, sender, message_id="instead")
    asked = named(said_by(service, "instead", sender), "ConfirmationRequested")
    assert [(e.action["task_id"], e.action["status"]) for e in asked] == [(task, "done")]


@pytest.mark.parametrize(
    ("sender", "site", "text"),
    [
        (KARIM, "Tilleuls", "porte du local technique fermee a cle"),
        (SOPHIE, "Vallon", "pompe a chaleur livree sans les supports"),
    ],
)
def test_shut_or_short_of_something_is_a_problem_not_done(sender: str, site: str, text: str) -> None:
    service = in_memory_service()
    open_site(service, sender, site)
    say(service, text, sender, message_id="told")
    asked = named(said_by(service, "told", sender), "ConfirmationRequested")
    assert [e.action["kind"] for e in asked] == ["report_problem"]


@pytest.mark.parametrize(("sender", "text"), [(JAMES, "yep send it"), (KARIM, "ouais envoie")])
def test_send_it_files_the_problem_offered(sender: str, text: str) -> None:
    service = in_memory_service()
    open_site(service, sender, "1" if sender == JAMES else "Tilleuls")
    say(service, "the boards got wet" if sender == JAMES else "le peintre est pas passe", sender)
    say(service, text, sender, message_id="yes")
    assert len(named(said_by(service, "yes", sender), "ProblemReportDecided")) == 1
