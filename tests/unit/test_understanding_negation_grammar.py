"""Every way of saying a status is not so, crossed with every word for that status, about the task
in focus: none may write that status or offer to ("blocked not" once wrote blocked, "far from
done" and "presque commencé" offered to mark them)."""

from __future__ import annotations

import itertools

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, open_site, said_by, say, statuses_claimed

_WORDS = {
    ("fr", "done"): ["fini", "terminé", "fait", "finie", "terminée", "bouclé", "c fait"],
    ("fr", "in_progress"): ["commencé", "démarré", "attaqué", "en cours"],
    ("fr", "blocked"): ["bloqué", "coincé"],
    ("en", "done"): ["done", "finished", "complete", "completed", "sorted"],
    ("en", "in_progress"): ["started", "underway", "begun", "in progress"],
    ("en", "blocked"): ["blocked", "stuck"],
}
_NOT_SO = {
    "fr": [
        "pas {s}", "pas encore {s}", "toujours pas {s}", "c'est pas {s}", "ce n'est pas {s}", "j'ai pas {s}",
        "c pas {s}", "pas du tout {s}", "jamais {s}", "{s} ? non", "pas tout à fait {s}",
        "pas complètement {s}", "non pas {s}", "loin d'être {s}", "il est pas {s}", "on n'a pas {s}",
        "{s} pas encore", "presque {s}", "quasi {s}", "bientôt {s}", "{s} demain", "pas {s} aujourd'hui",
        "toujours pas {s} la pose", "nan pas {s}",
    ],
    "en": [
        "not {s}", "not {s} yet", "isn't {s}", "it's not {s}", "not yet {s}", "haven't {s}", "never {s}",
        "still not {s}", "not quite {s}", "not fully {s}", "far from {s}", "nowhere near {s}", "almost {s}",
        "nearly {s}", "{s}? nope", "not {s} today", "won't be {s}", "hasn't been {s}", "{s} tomorrow",
        "grid not {s}", "nah not {s}", "{s} not",
    ],
}  # fmt: skip


def _claims(sender: str, text: str) -> set[str]:
    """The statuses the message wrote or offered to write, a todo task in focus."""
    service = in_memory_service()
    open_site(service, sender, "1", "2")  # T-CON-02 and T-CON-82, both todo
    say(service, text, sender, message_id="said")
    return statuses_claimed(said_by(service, "said", sender))


@pytest.mark.parametrize(("lang", "status"), list(_WORDS))
def test_a_status_said_not_to_be_so_is_never_written_nor_offered(lang: str, status: str) -> None:
    sender = KARIM if lang == "fr" else JAMES
    claimed = [
        text
        for word, template in itertools.product(_WORDS[(lang, status)], _NOT_SO[lang])
        if status in _claims(sender, text := template.format(s=word))
    ]
    assert claimed == []


@pytest.mark.parametrize(
    ("sender", "text", "status"),
    [
        (KARIM, "il commence à pleuvoir", "in_progress"),
        (KARIM, "il commence à flotter, on bâche", "in_progress"),
        (KARIM, "ça a commencé à fuir", "in_progress"),
        (KARIM, "on a fini de manger", "done"),
        (JAMES, "started raining", "in_progress"),
        (JAMES, "it started leaking", "in_progress"),
        (JAMES, "started pouring down, covering up", "done"),
        (JAMES, "tidying up now", "done"),
    ],
)
def test_what_begins_or_ends_besides_the_work_is_no_status_of_it(sender: str, text: str, status: str) -> None:
    # The weather, a leak, a meal, tidying: "covering up" once offered to mark the task done.
    assert status not in _claims(sender, text)


def test_a_level_that_names_a_task_on_another_site_is_asked_not_written() -> None:
    service = in_memory_service()
    open_site(service, KARIM, "4")  # the Tilleuls' tasks on screen
    say(service, "R+3 terminé", KARIM, message_id="said")  # "Baies de brassage R+3" is at Rambaud
    names = [type(e).__name__ for e in said_by(service, "said", KARIM)]
    assert "TaskStatusChangeDecided" not in names
    assert "ConfirmationRequested" in names
