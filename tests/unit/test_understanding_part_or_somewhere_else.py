"""Done said of a part of the work, blocked said of somewhere else, another task than the one
on screen: each once wrote the task. "Préau fini côté cour", "sanitaires fini logement 12",
"fini pour la baie 1 et 2" are asked; "blocked at the gate", "ça bloque sur l'appli", "waiting
on boards", "en attente du concessionnaire" are offered, not written; "the other one's done",
"done with this one, on to the fire stopping" ask which task; "jsuis en pause" is a break."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import (
    JAMES,
    KARIM,
    SOPHIE,
    named,
    one_message,
    open_site,
    said_by,
    say,
    statuses_offered,
    statuses_written,
)


def _events(sender: str, text: str, *, task: str | None = "2") -> list[object]:
    return one_message(sender, text, "1", task) if task is not None else one_message(sender, text)


_written = statuses_written
_offered = statuses_offered


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "preau fini cote cour"),
        (KARIM, "colonnes montantes fini cote est"),
        (KARIM, "gaines c fait pr le 1er etage"),
        (KARIM, "baies de brassage fini r+3 gauche"),
        (KARIM, "alarme incendie fini classe 1"),
        (SOPHIE, "essais detancheite fini 1er etage"),
        (SOPHIE, "sanitaires fini logement 12"),
        (JAMES, "partitions done on the left side"),
    ],
)
def test_a_part_of_the_work_done_is_asked_not_written(sender: str, text: str) -> None:
    events = _events(sender, text, task=None)
    assert _written(events) == []
    assert "done" not in _offered(events)


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "baies de brassage r+3 finies"),
        (KARIM, "fini les prises du bat B"),
        (JAMES, "ceiling grid level 3 done"),
        (JAMES, "3rd floor partitions done"),
    ],
)
def test_the_place_the_task_names_is_no_part(sender: str, text: str) -> None:
    events = _events(sender, text, task=None)
    assert _written(events) + _offered(events) == ["done"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "blocked at the gate"),
        (JAMES, "stuck at the lights"),
        (JAMES, "its blocked on the app"),
        (JAMES, "on hold to screwfix"),
        (JAMES, "waiting on boards"),
        (JAMES, "held up by the plumbers"),
        (KARIM, "ca bloque sur l appli"),
        (KARIM, "ca bloque au portail"),
        (KARIM, "bloqué non, juste lent"),
        (SOPHIE, "en attente du concessionnaire"),
    ],
)
def test_blocked_somewhere_else_or_waiting_is_offered_not_written(sender: str, text: str) -> None:
    assert _written(_events(sender, text)) == []


@pytest.mark.parametrize(
    ("sender", "text"), [(JAMES, "blocked"), (JAMES, "on hold"), (KARIM, "bloqué sur les baies")]
)
def test_blocked_said_plainly_of_the_task_is_written(sender: str, text: str) -> None:
    assert _written(_events(sender, text)) == ["blocked"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "the other one's done"),
        (JAMES, "done with this one, on to the fire stopping"),
        (KARIM, "l'autre est finie"),
        (KARIM, "fini, je passe aux tableaux"),
    ],
)
def test_another_task_than_the_one_on_screen_is_asked(sender: str, text: str) -> None:
    events = _events(sender, text)
    assert _written(events) == []
    assert [e.intent for e in named(events, "IntentClassified")] == ["status_unclear"]


@pytest.mark.parametrize("text", ["jsuis en pause", "je suis sur place"])
def test_where_the_person_is_is_no_status(text: str) -> None:
    events = _events(KARIM, text)
    assert _written(events) == []
    assert _offered(events) == []


@pytest.mark.parametrize("text", ["le 3", "le dernier", "le 1er"])
def test_an_ordinal_after_a_status_question_writes_nothing(text: str) -> None:
    service = in_memory_service()
    open_site(service, KARIM, "1")
    say(service, "pas encore fini les prises", KARIM)
    say(service, text, KARIM, message_id="said")
    assert _written(said_by(service, "said", KARIM)) == []


def test_a_number_typed_for_a_status_button_still_picks_it() -> None:
    events = _events(KARIM, "1")
    assert _written(events) == ["done"]


@pytest.mark.parametrize(
    ("sender", "text"), [(KARIM, "c fait jai appelé le chef"), (JAMES, "done, i rang the office")]
)
def test_done_then_something_else_done_is_not_written(sender: str, text: str) -> None:
    assert _written(_events(sender, text)) == []


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "je termine"),
        (KARIM, "j installe les prises"),
        (KARIM, "lui c fini"),
        (KARIM, "fini pour lui"),
        (KARIM, "fini 😂"),
        (KARIM, "40 prises finies"),
        (KARIM, "partie 1 finie"),
        (KARIM, "t as fini"),
        (JAMES, "starting sunday"),
        (JAMES, "starting 8"),
        (JAMES, "be done today"),
        (JAMES, "theyre on it"),
        (JAMES, "section 1 done"),
        (JAMES, "done 10th"),
        (JAMES, "on hold 20 mins"),
    ],
)
def test_now_to_come_someone_elses_a_count_or_a_joke_is_not_written(sender: str, text: str) -> None:
    assert _written(_events(sender, text)) == []


@pytest.mark.parametrize(
    ("sender", "text"), [(KARIM, "je viens de finir"), (JAMES, "started on it this morning")]
)
def test_just_done_or_started_this_morning_still_counts(sender: str, text: str) -> None:
    events = _events(sender, text)
    assert _written(events) + _offered(events) in (["done"], ["in_progress"])


def test_a_task_done_is_reopened_only_with_a_yes() -> None:
    service = in_memory_service()
    open_site(service, KARIM, "4", "1")  # Tirage des câbles R+1, done
    say(service, "commencé", KARIM, message_id="said")
    events = said_by(service, "said", KARIM)
    assert _written(events) == []
    assert _offered(events) == ["in_progress"]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "on s installe 👍"),
        (KARIM, "en train de me changer"),
        (KARIM, "bloque ici"),
        (KARIM, "jpeux pas le faire moi"),
        (KARIM, "fini les prises du A"),
        (JAMES, "stuck downstairs"),
        (JAMES, "cant do it today"),
        (JAMES, "no can do mate"),
        (JAMES, "done this week"),
        (JAMES, "starting late"),
        (JAMES, "done at this end"),
    ],
)
def test_the_person_a_refusal_another_building_or_later_is_not_written(sender: str, text: str) -> None:
    events = _events(sender, text, task="1" if sender == KARIM and "prises" in text else "2")
    assert _written(events) == []
