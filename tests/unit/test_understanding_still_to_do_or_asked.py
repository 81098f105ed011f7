"""A status still to come, asked without a question mark, taken back at the end, or said of
another trade is never written: "to be started", "gotta get the grid finished", "has it been
done", "grid done: no", "grid done ❌", "the plumbers finished in the risers", "les prises à
terminer" each once wrote the task on screen (or the one named) done or started. "Set it to in
progress", "j'ai commencer" (for commencé) and plain "done" still write."""

from __future__ import annotations

import pytest

from tests.turns import JAMES, KARIM, named, one_message, statuses_claimed, statuses_written


def _events(sender: str, text: str, *, on_screen: bool = True) -> list[object]:
    """What the message recorded, with the first site's second task on screen (or nothing open)."""
    return one_message(sender, text, "1", "2") if on_screen else one_message(sender, text)


_written = statuses_written


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "to be started"),
        (JAMES, "still to start"),
        (JAMES, "still to be done"),
        (JAMES, "to be finished"),
        (JAMES, "to complete"),
        (JAMES, "got to get it done"),
        (JAMES, "gotta get it finished today"),
        (JAMES, "want to get it started"),
        (JAMES, "trying to get it finished"),
        (JAMES, "remind me to mark it done"),
        (JAMES, "ll start tomorrow"),
        (JAMES, "has it been done"),
        (JAMES, "was it done"),
        (JAMES, "has this been completed"),
        (JAMES, "has it been started"),
        (JAMES, "done ❌"),
        (JAMES, "finished: no"),
        (JAMES, "done nah"),
        (JAMES, "done or what"),
        (JAMES, "nt done"),
        (JAMES, "havnt finished"),
        (JAMES, "the plumbers have finished"),
        (JAMES, "painters done on level 3"),
        (JAMES, "chippy's done the door linings"),
        (KARIM, "à terminer"),
        (KARIM, "reste a finir"),
        (KARIM, "je vais commencer"),
        (KARIM, "c loin detre fini"),
        (KARIM, "fini ou quoi"),
        (KARIM, "c'est marqué terminé alors que non"),
        (KARIM, "le peintre a fini"),
    ],
)
def test_nothing_is_written(sender: str, text: str) -> None:
    assert _written(_events(sender, text)) == []


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("fire stopping to be started", "in_progress"),
        ("want to get the grid finished", "done"),
        ("grid still to be finished", "done"),
        ("acoustic walls l2 to start", "in_progress"),
        ("has the grid been done", "done"),
        ("was the grid finished", "done"),
        ("has grid started", "in_progress"),
        ("grid done ❌", "done"),
        ("plumbers finished in the risers", "done"),
    ],
)
def test_named_tasks_are_neither_written_nor_offered(text: str, status: str) -> None:
    assert status not in statuses_claimed(_events(JAMES, text, on_screen=False))


@pytest.mark.parametrize(
    ("sender", "text", "status"),
    [
        (JAMES, "done", "done"),
        (JAMES, "set it to in progress", "in_progress"),
        (JAMES, "put it back to started", "in_progress"),
        (KARIM, "j'ai commencer", "in_progress"),
        (KARIM, "c'est terminer", "done"),
    ],
)
def test_the_status_said_is_still_written(sender: str, text: str, status: str) -> None:
    assert _written(_events(sender, text)) == [status]


def test_a_status_taken_back_is_asked_about() -> None:
    events = _events(JAMES, "done ❌")
    asked = named(events, "IntentClassified")
    assert [e.intent for e in asked] == ["status_unclear"]
