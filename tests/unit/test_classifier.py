"""Rule-based intents in French and English, resolved with the session's context."""

from __future__ import annotations

import pytest

from application.ports import ClassifierContext
from application.understanding.model import trained_model
from application.understanding.text import normalise
from application.understanding.understander import Understanding

SITES = [
    ("project.P-CON", "Bureaux Quai Rambaud"),
    ("project.P-JAU", "Groupe scolaire Jean Jaurès"),
    ("project.P-TIL", "Résidence Les Tilleuls"),
]


def context(listing=SITES, awaiting=None, focus=None) -> ClassifierContext:
    return ClassifierContext(
        language="fr",
        listing_kind="sites" if listing else None,
        listing=list(listing),
        focus=focus or {},
        awaiting=awaiting,
        recent_intents=[],
    )


classify = Understanding(trained_model()).classify


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Bonjour", "greet"),
        ("salut !", "greet"),
        ("Hello", "greet"),
        ("menu", "menu"),
        ("MENU", "menu"),
        ("aide", "help"),
        ("help", "help"),
        ("?", "help"),
        ("recommencer", "reset"),
        ("mes chantiers", "list_sites"),
        ("my sites", "list_sites"),
        ("mes tâches", "list_tasks"),
        ("c'est fait", "set_status"),
        ("done", "set_status"),
        ("blablabla", "unknown"),
    ],
)
def test_keywords(text: str, intent: str) -> None:
    assert classify(text, context(listing=[])).name == intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", "project.P-JAU"),
        ("le deuxième", "project.P-JAU"),
        ("Le 2ème", "project.P-JAU"),
        ("the second one", "project.P-JAU"),
        ("premier", "project.P-CON"),
        ("le dernier", "project.P-TIL"),
        ("Les Tilleuls", "project.P-TIL"),
        ("résidence les tilleuls", "project.P-TIL"),
        ("jean jaures", "project.P-JAU"),
        ("quai rambaud", "project.P-CON"),
    ],
)
def test_position_and_name_resolve_against_the_last_listing(text: str, expected: str) -> None:
    intent = classify(text, context())
    assert intent.name == "select"
    assert intent.arguments["choice_id"] == expected


def test_position_beyond_the_listing_is_not_a_selection() -> None:
    assert classify("7", context()).name == "unknown"


def test_numbers_mean_nothing_without_a_listing() -> None:
    assert classify("2", context(listing=[])).name == "unknown"


def test_status_words_carry_the_status() -> None:
    assert classify("terminé", context()).arguments == {"status": "done"}
    assert classify("en cours", context()).arguments == {"status": "in_progress"}
    assert classify("bloqué", context()).arguments == {"status": "blocked"}
    assert classify("it's blocked", context()).arguments == {"status": "blocked"}


def test_problem_with_and_without_description() -> None:
    with_text = classify("Problème : fuite d'eau au 2e étage", context())
    assert with_text.name == "report_problem"
    assert with_text.arguments == {"description": "fuite d'eau au 2e étage"}
    assert classify("signaler un problème", context()).arguments == {}


def test_awaited_description_takes_the_whole_message() -> None:
    intent = classify("La dalle du 3e est fissurée", context(awaiting="problem_description"))
    assert intent.name == "describe_problem"
    assert intent.arguments["description"] == "La dalle du 3e est fissurée"
    # A command still wins over the awaited description.
    assert classify("menu", context(awaiting="problem_description")).name == "menu"


def test_long_message_starting_with_a_greeting_is_not_a_greeting() -> None:
    # A site blocked with no task named is a problem to confirm, not a task's status.
    intent = classify("bonjour le chantier est bloqué depuis ce matin", context())
    assert (intent.name, intent.certain) == ("report_problem", False)


def test_ambiguous_name_is_not_guessed_but_asked() -> None:
    twins = [("project.A", "Résidence Nord"), ("project.B", "Résidence Sud")]
    intent = classify("résidence", context(listing=twins))
    assert intent.name == "select"
    assert not intent.certain
    assert set(intent.arguments["candidates"].split(",")) == {"project.A", "project.B"}
    assert "choice_id" not in intent.arguments


def test_normalise() -> None:
    assert normalise("  Le 2ÈME !! ") == "le 2eme"
