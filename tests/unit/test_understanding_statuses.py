"""Statuses as people say them: negation that belongs to a phrase, statuses that point, verbs with objects."""

from __future__ import annotations

import pytest

from application.understanding.statuses import read_status
from application.understanding.text import normalise
from tests.unit.test_understanding_names import JAMES, understood


def status_of(text: str) -> tuple[str | None, tuple[str, ...]] | None:
    reading = read_status(normalise(text), question=False, raw=text)
    return None if reading is None else (reading.asserted, reading.denied)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can't crack on, waiting for the sparky", ("blocked", ())),
        ("on est bloqués, pas de plans", ("blocked", ())),
        ("pas encore fini", (None, ("done",))),
        ("il me reste 2-3 bricoles", (None, ("done",))),
        ("faut tout refaire", ("todo", ())),
        ("c'est débloqué on reprend", ("in_progress", ())),
    ],
)
def test_what_the_status_words_say(text: str, expected: tuple[str | None, tuple[str, ...]]) -> None:
    assert status_of(text) == expected


def test_a_status_verb_with_an_object_is_something_in_the_way() -> None:
    assert status_of("la grue bloque l'accès au quai") is None


def test_contractions_keep_their_verb() -> None:
    assert normalise("can't") == "can not"
    assert normalise("won't be done") == "will not be done"


def test_a_task_pointed_at_by_its_status_is_chosen_never_written() -> None:
    tasks = [("task.T-PDU-81", "Bedroom partitions L1"), ("task.T-PDU-82", "Acoustic walls L2"),
             ("task.T-PDU-83", "Lobby bulkheads")]  # fmt: skip
    intent = understood("the blocked one", JAMES, listing=tasks)
    assert (intent.name, intent.arguments) == ("select", {"choice_id": "task.T-PDU-83", "by": "status"})
    written = understood("the first one is blocked", JAMES, listing=tasks)
    assert written.arguments == {"task_id": "T-PDU-81", "status": "blocked"}


def test_a_status_with_much_else_said_is_asked_not_written() -> None:
    plain = understood("finished the acoustic walls", JAMES)
    assert plain.arguments == {"task_id": "T-PDU-82", "status": "done"} and plain.certain
    wordy = understood("finished the timber stud walls beside the stairwell lifts", JAMES)
    assert wordy.arguments.get("status") == "done" and not wordy.certain


def test_a_floor_is_not_a_district() -> None:
    intent = understood("le 3e étage c'est quoi", JAMES)
    assert "project_id" not in intent.entities
    assert (
        understood("le 3e", JAMES, listing=[("project.P-CON", "x"), ("project.P-PDU", "y")]).arguments[
            "choice_id"
        ]
        == "project.P-PDU"
    )


def test_something_blocked_that_is_no_task_is_a_problem_to_confirm() -> None:
    intent = understood("le monte charge est bloqué depuis ce matin")
    assert (intent.name, intent.certain) == ("report_problem", False)
    assert understood("bloqué", focus={"task_id": "T-TIL-03"}).arguments == {
        "task_id": "T-TIL-03",
        "status": "blocked",
    }


def test_an_ordinal_inside_a_sentence_points_at_nothing() -> None:
    tasks = [("task.T-CON-81", "Partitions level 3"), ("task.T-CON-82", "Ceiling grid level 3")]
    intent = understood("sparks haven't finished first fix so we can't close up", JAMES, listing=tasks)
    assert intent.arguments.get("task_id") is None


def test_misspelt_status_and_incident_words_are_read_right_names_are_left_alone() -> None:
    assert understood("celing grid startd", JAMES).arguments == {
        "task_id": "T-CON-82",
        "status": "in_progress",
    }
    assert understood("y a une fuitte aux tilleuls").name == "report_problem"
    # "classes" is a word of Karim's task "Alarme incendie classes", not a misspelt "casses".
    assert understood("alarme incendie classes").arguments == {"choice_id": "task.T-JAU-03", "by": "name"}


def test_a_word_the_rules_know_names_nothing_by_a_typo() -> None:
    intent = understood("le disjoncteur a sauté a l'école")  # "sauté" is not "santé"
    assert (intent.name, intent.arguments.get("project_id")) == ("report_problem", "P-JAU")


def test_wanting_to_report_is_not_yet_a_description() -> None:
    wants = understood("je voudrais déclarer un incident au vallon", "S-002")
    assert (wants.name, wants.arguments, wants.certain) == ("report_problem", {"project_id": "P-VAL"}, False)
    says = understood("problème de fuite au sous-sol du vallon", "S-002")
    assert says.certain and says.arguments["project_id"] == "P-VAL"
