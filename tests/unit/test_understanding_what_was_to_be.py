"""What was to be done, or would have been, is not done: "on devait commencer hier", "j'aurais
fini si…", "we were meant to start", "I'd be done if the sparky showed up" never offer to write the
status they name (it once asked "Marquer … comme commencée ?"), and a plain status still writes."""

from __future__ import annotations

import pytest

from domain.identity import conversation_id_for
from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, say


def _recorded(sender: str, text: str) -> list[object]:
    """The events the message recorded with a todo task in focus (T-CON-02 and T-CON-82)."""
    service = in_memory_service()
    say(service, "mes chantiers" if sender == KARIM else "my sites", sender, message_id="list")
    say(service, "1", sender, message_id="site")
    say(service, "2", sender, message_id="task")
    say(service, text, sender, message_id="said")
    log = service.store.events.get(conversation_id_for(sender))
    return [e for e in log if vars(e).get("message_id") == "said"]


def _offered_or_written(events: list[object]) -> set[str]:
    statuses = set()
    for event in events:
        name, fields = type(event).__name__, vars(event)
        if name == "TaskStatusChangeDecided":
            statuses.add(fields["status"])
        if name == "ConfirmationRequested":
            statuses.add(str(fields.get("action", {}).get("status")))
    return statuses


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
    assert status not in _offered_or_written(_recorded(sender, text))


@pytest.mark.parametrize(("sender", "text"), [(KARIM, "j'ai commencé"), (JAMES, "started")])
def test_a_plain_status_still_writes(sender: str, text: str) -> None:
    assert _offered_or_written(_recorded(sender, text)) == {"in_progress"}
