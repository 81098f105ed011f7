"""A problem word is not always a problem to file. "Grid prob done by fri" (probably), "had a
problem yesterday but it's sorted", "any problems I'll let you know", "issue was fixed" were
each filed at once on the site in focus. And after "describe the problem", "non", "merci",
"oups", "mes chantiers" or "j'ai fini les prises" were filed as the description; a problem
read from free text and sent to a site chosen afterwards was filed without a yes."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, open_site, press, said_by, say


def _after(sender: str, steps: list[str], text: str) -> list[object]:
    service = in_memory_service()
    open_site(service, sender, "1")
    for step in steps:
        say(service, step, sender)
    say(service, text, sender, message_id="said")
    return said_by(service, "said", sender)


def _filed(events: list[object]) -> list[object]:
    return named(events, "ProblemReportDecided")


@pytest.mark.parametrize(
    "text",
    [
        "grid prob done by fri",
        "will prob start monday",
        "had a problem yesterday but its sorted",
        "small problem but ive sorted it",
        "was a problem with access this morning all good now",
        "any problems ill let you know",
        "issue was fixed",
        "problem with the lift got fixed",
        "no problem with the grid",
        "not a prob",
        "problems?",
        "is there a problem",
    ],
)
def test_nothing_is_filed_nor_asked(text: str) -> None:
    events = _after(JAMES, [], text)
    assert _filed(events) == []
    assert named(events, "ConfirmationRequested") == []


@pytest.mark.parametrize("text", ["problem: the lift is broken", "problem with the hoist again"])
def test_a_problem_said_with_what_it_is_is_still_filed(text: str) -> None:
    assert len(_filed(_after(JAMES, [], text))) == 1


def test_a_problem_word_in_french_is_still_a_problem() -> None:
    events = _after(KARIM, [], "j'ai un prob avec le tableau")
    assert [e.intent for e in named(events, "IntentClassified")] == ["report_problem"]


@pytest.mark.parametrize(
    ("sender", "asked", "text"),
    [
        (KARIM, "probleme", "non"),
        (KARIM, "probleme", "merci"),
        (KARIM, "probleme", "oups"),
        (KARIM, "probleme", "mauvais bouton"),
        (KARIM, "probleme", "finalement cest bon"),
        (KARIM, "probleme", "2 sec jte dis"),
        (KARIM, "probleme", "👍"),
        (KARIM, "probleme", "mes chantiers"),
        (KARIM, "probleme", "jsuis en retard sur quoi"),
        (KARIM, "probleme", "jai fini les prises"),
        (JAMES, "report a problem", "no"),
        (JAMES, "report a problem", "cheers"),
        (JAMES, "report a problem", "nah ignore that"),
    ],
)
def test_what_is_no_description_is_not_filed(sender: str, asked: str, text: str) -> None:
    assert _filed(_after(sender, [asked], text)) == []


@pytest.mark.parametrize(
    ("sender", "asked", "text"),
    [
        (KARIM, "probleme", "fuite au sous sol"),
        (KARIM, "probleme", "le placo est pas fait"),
        (KARIM, "probleme", "les boitiers manquent"),
        (JAMES, "report a problem", "the hoist is broken"),
    ],
)
def test_a_description_is_filed(sender: str, asked: str, text: str) -> None:
    assert len(_filed(_after(sender, [asked], text))) == 1


def test_a_problem_unsure_of_is_confirmed_once_its_site_is_chosen() -> None:
    service = in_memory_service()
    say(service, "freezing on site today 🥶", JAMES)
    press(service, "project.P-CON", sender=JAMES, message_id="chosen")
    chosen = said_by(service, "chosen", JAMES)
    assert _filed(chosen) == []
    assert [e.action["kind"] for e in named(chosen, "ConfirmationRequested")] == ["report_problem"]
    say(service, "yes", JAMES, message_id="yes")
    assert len(_filed(said_by(service, "yes", JAMES))) == 1


def test_a_problem_sure_of_is_filed_once_its_site_is_chosen() -> None:
    service = in_memory_service()
    say(service, "problem: the lift is broken", JAMES)
    press(service, "project.P-CON", sender=JAMES, message_id="chosen")
    assert len(_filed(said_by(service, "chosen", JAMES))) == 1


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "wrong button"),
        (KARIM, "a+"),
        (KARIM, "2"),
        (JAMES, "actually its fine now"),
        (JAMES, "wrong button"),
    ],
)
def test_after_describe_these_file_nothing(sender: str, text: str) -> None:
    asked = "probleme" if sender == KARIM else "report a problem"
    events = _after(sender, [asked], text)
    assert _filed(events) == []
    assert named(events, "ConfirmationRequested") == []


@pytest.mark.parametrize(
    ("sender", "asked", "text"),
    [(KARIM, "probleme", "je t envoie une photo"), (JAMES, "report a problem", "sending pic")],
)
def test_a_photo_announced_keeps_the_description_awaited(sender: str, asked: str, text: str) -> None:
    service = in_memory_service()
    open_site(service, sender, "1")
    say(service, asked, sender)
    say(service, text, sender)
    say(service, "the ceiling has collapsed in the corridor", sender, message_id="then")
    assert len(_filed(said_by(service, "then", sender))) == 1


@pytest.mark.parametrize(
    ("sender", "asked", "text"),
    [(KARIM, "probleme", "appelle moi"), (JAMES, "report a problem", "call me")],
)
def test_a_few_words_of_no_incident_are_confirmed_first(sender: str, asked: str, text: str) -> None:
    events = _after(sender, [asked], text)
    assert _filed(events) == []
    assert [e.action["kind"] for e in named(events, "ConfirmationRequested")] == ["report_problem"]


def test_a_word_of_an_address_is_not_a_word_said_in_passing() -> None:
    events = _after(KARIM, [], "le placo est tout mouillé")
    offered = [e.action.get("project_id") for e in named(events, "ConfirmationRequested")]
    assert "P-VEN" not in offered  # "placo" once named "3 place Léon Sublet"


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "probleme de riche 😂"),
        (KARIM, "pas eu de probleme ajd"),
        (KARIM, "probleme avec ma fiche de paie"),
        (JAMES, "might be an issue with the grid next week"),
        (JAMES, "never had an issue with them"),
        (JAMES, "theres a problem at the other site not here"),
    ],
)
def test_a_problem_doubted_joked_or_not_the_sites_is_not_filed_at_once(sender: str, text: str) -> None:
    assert _filed(_after(sender, [], text)) == []
