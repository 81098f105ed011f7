"""A message that asks by its first words is a question, "?" or not: "anyone seen my drill",
"do you know a good wholesaler" are not small talk to nod at (they got a 👍), "c'est ok si je viens
samedi" asks no status of any task, and a word of the rules' own is never read as another word
misspelt ("commands" was read as "commande")."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, said_by, say


def _intent(sender: str, text: str) -> str:
    service = in_memory_service()
    say(service, text, sender, message_id="said")
    classified = [e for e in said_by(service, "said", sender) if type(e).__name__ == "IntentClassified"]
    return str(classified[0].intent)


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "anyone seen my drill"),
        (JAMES, "do you know a good wholesaler"),
        (JAMES, "does anybody have a spare key"),
        (KARIM, "tu connais un bon grossiste"),
        (KARIM, "quelqu'un a vu ma perceuse"),
        (KARIM, "c'est ok si je viens avec mon fils samedi"),
    ],
)
def test_a_question_by_its_first_words_is_not_understood_as_small_talk_or_a_status(
    sender: str, text: str
) -> None:
    assert _intent(sender, text) == "unknown"


@pytest.mark.parametrize(("sender", "text"), [(JAMES, "ça va ?"), (JAMES, "you good?"), (KARIM, "ça va toi")])
def test_asking_after_someone_is_still_small_talk(sender: str, text: str) -> None:
    assert _intent(sender, text) == "small_talk"


@pytest.mark.parametrize(("sender", "text"), [(JAMES, "anyone there?"), (KARIM, "t'es là ?")])
def test_checking_the_bot_is_there_greets(sender: str, text: str) -> None:
    assert _intent(sender, text) == "greet"


def test_a_word_of_the_rules_is_not_corrected_into_another() -> None:
    assert _intent(JAMES, "commands?") == "help"


def test_a_statement_that_starts_like_a_question_still_reports() -> None:
    assert _intent(KARIM, "quelqu'un a piqué les tourets de câble") == "report_problem"
