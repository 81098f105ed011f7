"""What people say around a choice or instead of one: "ouais la 2 du coup", "le premier truc", "uh
the 2nd i think" and "the middle one" point into the list on screen ("le 2eme truc" once chose a
site, "la 3eme ligne" offered a problem); "quoi ?" asks what the bot meant (help, not a list);
insults and jokes are not nodded at; a message sent to the wrong chat is no problem to file."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, said_by, say


def _classified(sender: str, steps: list[str], text: str) -> tuple[str, dict[str, str]]:
    service = in_memory_service()
    for step in steps:
        say(service, step, sender)
    say(service, text, sender, message_id="said")
    intent = named(said_by(service, "said", sender), "IntentClassified")[0]
    return str(intent.intent), dict(intent.arguments)


@pytest.mark.parametrize(
    ("sender", "text", "position"),
    [
        (KARIM, "ouais la 2 du coup", 2),
        (KARIM, "euh la troisieme je crois", 3),
        (KARIM, "le premier truc", 1),
        (KARIM, "le 2eme truc", 2),
        (KARIM, "la 3eme ligne", 3),
        (JAMES, "uh the 2nd i think", 2),
        (JAMES, "the second thing", 2),
        (JAMES, "yeah 2", 2),
        (JAMES, "the middle one", 2),
    ],
)
def test_a_position_said_with_words_around_it_points_into_the_list(
    sender: str, text: str, position: int
) -> None:
    """The first site's tasks are on screen: three for James, three for Karim (Bureaux Quai Rambaud)."""
    steps = ["my sites" if sender == JAMES else "mes chantiers", "1"]
    listed = {KARIM: ["T-CON-01", "T-CON-02", "T-CON-03"], JAMES: ["T-CON-81", "T-CON-82", "T-CON-83"]}
    intent, arguments = _classified(sender, steps, text)
    assert (intent, arguments.get("choice_id")) == ("select", f"task.{listed[sender][position - 1]}")


def test_the_middle_of_an_even_list_is_not_guessed() -> None:
    intent, _ = _classified(KARIM, ["mes chantiers"], "celle du milieu")  # four sites
    assert intent != "select"


@pytest.mark.parametrize(("sender", "text"), [(KARIM, "quoi"), (JAMES, "wot")])
def test_what_alone_asks_what_the_bot_meant(sender: str, text: str) -> None:
    assert _classified(sender, [], text)[0] == "help"


@pytest.mark.parametrize(
    ("sender", "text", "intent"),
    [
        (KARIM, "bot de merde", "unknown"),
        (KARIM, "ferme la", "unknown"),
        (JAMES, "tell me a joke", "unknown"),
        (JAMES, "sorry wrong chat", "small_talk"),
        (KARIM, "dsl mauvaise conv", "small_talk"),
    ],
)
def test_insults_jokes_and_the_wrong_chat(sender: str, text: str, intent: str) -> None:
    assert _classified(sender, ["mes chantiers" if sender == KARIM else "my sites", "1"], text)[0] == intent
