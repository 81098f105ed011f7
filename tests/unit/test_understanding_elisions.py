"""An elision typed without its apostrophe still names what it names: "lecole", "lalarme" choose
the school and the alarm, "jai pas deau" reports no water; a word that only looks glued stays
whole ("quand" is not "qu and")."""

from __future__ import annotations

import pytest

from application.understanding.spelling import spelled_right
from infrastructure.in_memory import in_memory_service
from tests.turns import KARIM, named, said_by, say


def _classified(text: str, before: str | None = None) -> tuple[str, dict[str, str]]:
    service = in_memory_service()
    if before is not None:
        say(service, before, KARIM)
    say(service, text, KARIM, message_id="said")
    intent = named(said_by(service, "said", KARIM), "IntentClassified")[0]
    return str(intent.intent), dict(intent.arguments)


@pytest.mark.parametrize(
    ("text", "choice"), [("lecole", "project.P-JAU"), ("montre moi lalarme", "task.T-JAU-03")]
)
def test_a_glued_elision_names_the_site_or_task(text: str, choice: str) -> None:
    intent, arguments = _classified(text, before="mes chantiers")
    assert (intent, arguments.get("choice_id")) == ("select", choice)


@pytest.mark.parametrize("text", ["jai pas deau", "plus delec depuis ce matin"])
def test_no_water_or_power_glued_is_a_problem(text: str) -> None:
    assert _classified(text)[0] == "report_problem"


@pytest.mark.parametrize("word", ["quand", "deux", "lundi", "jamais", "dessus"])
def test_a_word_that_only_looks_glued_stays_whole(word: str) -> None:
    assert spelled_right(word, lambda: frozenset({"eux", "amais", "essus", "undi"})) == word
