"""A receipt issued by the named constructor is the one the class would make."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.receipt import MessageReceipt
from domain.values import Reply


@pytest.mark.parametrize("scoped_to_sender", [False, True])
def test_issue_makes_what_the_class_makes(scoped_to_sender: bool) -> None:
    arguments = {
        "channel": "telegram",
        "provider_message_id": "42",
        "conversation_id": uuid4(),
        "session_id": "s-1",
        "reply": Reply(text="Bonjour", style="buttons", choices=[{"id": "menu.sites", "title": "Sites"}]),
        "scoped_to_sender": scoped_to_sender,
    }
    issued = MessageReceipt.issue(**arguments)  # type: ignore[arg-type]
    made = MessageReceipt(**arguments)  # type: ignore[arg-type]

    assert issued.id == made.id
    assert issued.version == made.version == 1
    assert (issued.channel, issued.provider_message_id, issued.reply) == (
        "telegram",
        "42",
        arguments["reply"],
    )
    [issued_event], [made_event] = issued.collect_events(), made.collect_events()
    assert type(issued_event) is type(made_event)
    assert {k: v for k, v in vars(issued_event).items() if k != "timestamp"} == {
        k: v for k, v in vars(made_event).items() if k != "timestamp"
    }
