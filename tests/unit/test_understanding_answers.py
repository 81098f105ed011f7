"""Typed answers to a yes/no question about a write, as people type them: the write happens on
a yes, never on a no, and an answer is never read as something else (a problem, a new status)."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, said_by, say


def _answered(sender: str, asking: str, answer: str) -> list[str]:
    """The events the answer recorded, by name, after `asking` got a yes/no question."""
    service = in_memory_service()
    say(service, asking, sender, message_id="ask")
    assert named(said_by(service, "ask", sender), "ConfirmationRequested")
    say(service, answer, sender, message_id="answer")
    return [type(e).__name__ for e in said_by(service, "answer", sender)]


@pytest.mark.parametrize("answer", ["oui", "ouep", "tout à fait", "grave", "c'est ça", "👍", "vas-y"])
def test_a_french_yes_writes_what_was_asked(answer: str) -> None:
    assert "TaskStatusChangeDecided" in _answered(KARIM, "les prises sont posées", answer)


@pytest.mark.parametrize("answer", ["aye", "yeah go on", "that's right", "absolutely", "yea", "y", "sure"])
def test_an_english_yes_writes_what_was_asked(answer: str) -> None:
    assert "TaskStatusChangeDecided" in _answered(JAMES, "acoustic walls boarded", answer)


@pytest.mark.parametrize(
    ("sender", "asking", "answer"),
    [
        (KARIM, "les prises sont posées", "nan"),
        (KARIM, "les prises sont posées", "pas la bonne"),
        (KARIM, "les prises sont posées", "l'autre"),
        (KARIM, "les prises sont posées", "pas encore"),
        (JAMES, "acoustic walls boarded", "n"),
        (JAMES, "acoustic walls boarded", "not yet"),
        (JAMES, "acoustic walls boarded", "wrong one"),
        (JAMES, "acoustic walls boarded", "not that one"),
    ],
)
def test_a_no_writes_nothing_and_asks_nothing_else(sender: str, asking: str, answer: str) -> None:
    recorded = _answered(sender, asking, answer)
    assert "TaskStatusChangeDecided" not in recorded
    assert "ProblemReportDecided" not in recorded
    assert "ConfirmationRequested" not in recorded  # "wrong one" was once read as a problem to file
