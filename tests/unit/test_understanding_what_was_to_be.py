"""What was to be done, or would have been, is not done: "on devait commencer hier", "j'aurais
fini si…", "we were meant to start", "I'd be done if the sparky showed up" never offer to write the
status they name (it once asked "Marquer … comme commencée ?"), and a plain status still writes."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, open_site, said_by, say, statuses_claimed


def _claimed(sender: str, text: str) -> set[str]:
    """The statuses the message wrote or offered to write, a todo task in focus (T-CON-02 and
    T-CON-82)."""
    service = in_memory_service()
    open_site(service, sender, "1", "2")
    say(service, text, sender, message_id="said")
    return statuses_claimed(said_by(service, "said", sender))


@pytest.mark.parametrize(
    ("sender", "text", "status"),
    [
        (KARIM, "on devait commencer hier", "in_progress"),
        (KARIM, "je devais commencer ce matin", "in_progress"),
        (KARIM, "on aurait commencé si on avait les clés", "in_progress"),
        (KARIM, "j'aurais fini si j'avais eu le matériel", "done"),
        (KARIM, "ça aurait dû être fini", "done"),
        (JAMES, "we were meant to start yesterday", "in_progress"),
        (JAMES, "supposed to start today", "in_progress"),
        (JAMES, "I'd be done if the sparky showed up", "done"),
    ],
)
def test_what_was_to_be_is_neither_written_nor_offered(sender: str, text: str, status: str) -> None:
    assert status not in _claimed(sender, text)


@pytest.mark.parametrize(("sender", "text"), [(KARIM, "j'ai commencé"), (JAMES, "started")])
def test_a_plain_status_still_writes(sender: str, text: str) -> None:
    assert _claimed(sender, text) == {"in_progress"}
