"""Names said in passing: what else the message says decides whether it is a choice, a report or a problem."""

from __future__ import annotations

import pytest

from application.ports import Catalogue, ClassifierContext, Intent
from application.understanding.model import trained_model
from application.understanding.understander import Understanding
from infrastructure.in_memory import InMemorySiteDirectory

DIRECTORY = InMemorySiteDirectory()
KARIM, JAMES = "S-001", "S-101"
classify = Understanding(trained_model()).classify


def understood(
    text: str,
    subcontractor: str = KARIM,
    focus: dict[str, str] | None = None,
    listing: list[tuple[str, str]] | None = None,
) -> Intent:
    catalogue = Catalogue(sites=DIRECTORY.sites_of(subcontractor), tasks=DIRECTORY.tasks_of(subcontractor))
    kind = None if not listing else "tasks" if listing[0][0].startswith("task.") else "sites"
    context = ClassifierContext(
        language="fr", listing_kind=kind, listing=listing or [], focus=focus or {}, awaiting=None,
        recent_intents=[], catalogue=lambda: catalogue,
    )  # fmt: skip
    return classify(text, context)


@pytest.mark.parametrize(
    ("text", "subcontractor", "task_id", "status"),
    [
        ("gaines posées", KARIM, "T-VEN-02", "done"),
        ("jai monté les colonnes", KARIM, "T-CON-01", "done"),
        ("les tableaux sont posés", KARIM, "T-TIL-02", "done"),
        ("consuel passé", KARIM, "T-VEN-03", "done"),
        ("ceiling grid up", JAMES, "T-CON-82", "done"),
        ("grid's in", JAMES, "T-CON-82", "done"),
        ("acoustic walls going up today", JAMES, "T-PDU-82", "in_progress"),
    ],
)
def test_work_reported_by_a_tasks_name_is_that_status_to_confirm(
    text: str, subcontractor: str, task_id: str, status: str
) -> None:
    intent = understood(text, subcontractor)
    assert (intent.name, intent.arguments) == ("set_status", {"task_id": task_id, "status": status})
    assert not intent.certain  # no status word: the person confirms before anything is written


@pytest.mark.parametrize(
    "text", ["les gaines sont pas encore posées", "gaines pas posées", "colonnes presque montées"]
)
def test_work_reported_as_not_done_is_never_done(text: str) -> None:
    intent = understood(text)
    assert intent.arguments.get("status") != "done"
    assert not (intent.name == "set_status" and intent.certain)


def test_a_reporting_word_that_is_the_tasks_own_name_is_the_name() -> None:
    assert understood("pose chaudière", "S-002").arguments == {"choice_id": "task.T-TIL-52", "by": "name"}


def test_an_incident_word_inside_a_name_names_the_task() -> None:
    assert understood("fire stopping", JAMES).arguments == {"choice_id": "task.T-CON-83", "by": "name"}
    assert understood("fire in the risers", JAMES).name == "report_problem"


def test_a_name_with_more_said_about_it_is_not_a_choice() -> None:
    assert understood("power's off at the hotel", JAMES).name == "report_problem"
    assert understood("the hotel please", JAMES).arguments == {"choice_id": "project.P-PDU", "by": "name"}


def test_a_word_two_names_share_asks_which() -> None:
    intent = understood("partitions", JAMES)
    assert intent.name == "select"
    assert set(intent.arguments["candidates"].split(",")) == {"task.T-CON-81", "task.T-PDU-81"}
