"""Work said not to be good is no "done": "c pas bon les prises" and "les prises sont pas au bon
endroit" were offered as Terminé ("bon" read as "c'est bon"). Work done wrong is a problem to
confirm. A task of another site than the one open, named by more of its words, is that task,
offered rather than written."""

from __future__ import annotations

import pytest

from tests.turns import KARIM, intents, named, one_message, statuses_offered, statuses_written


@pytest.mark.parametrize(
    "text",
    [
        "c pas bon les prises",
        "les tableaux c pas bon faut reprendre",
        "les prises sont pas au bon endroit",
        "prises mal posees",
        "les cables du r+1 faut tout refaire le plaquiste a tout arrache",
    ],
)
def test_not_good_is_never_done(text: str) -> None:
    events = one_message(KARIM, text, "Tilleuls")
    assert statuses_written(events) == []
    assert "done" not in statuses_offered(events) and "todo" not in statuses_offered(events)


@pytest.mark.parametrize(
    "text",
    [
        "les prises sont pas au bon endroit",
        "prises mal posees",
        "faut tout refaire le plaquiste a tout arrache",
    ],
)
def test_work_done_wrong_is_a_problem_to_confirm(text: str) -> None:
    events = one_message(KARIM, text, "Tilleuls")
    assert [e.action["kind"] for e in named(events, "ConfirmationRequested")] == ["report_problem"]


def test_good_still_sounds_done() -> None:
    assert statuses_offered(one_message(KARIM, "les prises c bon", "Tilleuls")) == ["done"]


def test_another_sites_task_named_in_full_is_offered() -> None:
    # "Éclairage parking" is on the site open; "Éclairage LED plateaux" on another.
    events = one_message(KARIM, "eclairage led plateaux fini", "Tilleuls")
    assert statuses_written(events) == []
    assert [e.action["task_id"] for e in named(events, "ConfirmationRequested")] == ["T-CON-03"]


def test_the_open_sites_task_is_still_written() -> None:
    events = one_message(KARIM, "eclairage parking fini", "Tilleuls")
    assert statuses_written(events) == ["done"]


@pytest.mark.parametrize(("text", "intent"), [("oublie", "reset"), ("oublie ca", "reset")])
def test_forget_it_starts_over(text: str, intent: str) -> None:
    assert intents(one_message(KARIM, text, "Tilleuls")) == [intent]


def test_forgotten_keys_are_no_reset() -> None:
    assert intents(one_message(KARIM, "j ai oublie mes cles", "Tilleuls")) != ["reset"]


def test_late_sorry_is_their_day() -> None:
    assert intents(one_message(KARIM, "en retard dsl", "Tilleuls", "prises")) == ["small_talk"]


@pytest.mark.parametrize("text", ["ok les prises", "bon ok le parking"])
def test_ok_before_a_name_picks_it(text: str) -> None:
    events = one_message(KARIM, text, "Tilleuls")
    assert intents(events) == ["select"] and statuses_offered(events) == []
