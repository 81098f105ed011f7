"""Small helpers to drive turns and read what they recorded."""

from __future__ import annotations

import itertools
from typing import Any

from application.inbound import Inbound, PressedButton, TurnOutcome
from application.service import ConversationService
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container
from infrastructure.in_memory import in_memory_service

KARIM = "+33600000001"
SOPHIE = "+33600000002"
JAMES = "+447700900001"

_ids = itertools.count(1)


def next_message_id() -> str:
    return f"m-{next(_ids)}"


def say(
    service: ConversationService, text: str, sender: str = KARIM, message_id: str | None = None
) -> TurnOutcome:
    return service.handle(
        Inbound(channel="generic", message_id=message_id or next_message_id(), sender=sender, text=text)
    )


def press(
    service: ConversationService,
    choice_id: str,
    title: str = "",
    sender: str = KARIM,
    message_id: str | None = None,
) -> TurnOutcome:
    return service.handle(
        Inbound(
            channel="generic",
            message_id=message_id or next_message_id(),
            sender=sender,
            button=PressedButton(choice_id, title),
        )
    )


def choice_ids(outcome: TurnOutcome) -> list[str]:
    return [c["id"] for c in outcome.reply["choices"]]


def recorded(container: Container, sender: str = KARIM) -> list[Any]:
    """Every stored event of the sender's conversation, in order."""
    return list(container.store.events.get(conversation_id_for(sender)))


def named(events: list[Any], name: str) -> list[Any]:
    return [e for e in events if type(e).__name__ == name]


def open_site(service: ConversationService, sender: str, site: str, task: str | None = None) -> None:
    """The sender lists their sites and picks one by its position, then one of its tasks, as typed."""
    say(service, "my sites" if sender == JAMES else "mes chantiers", sender, message_id="list")
    say(service, site, sender, message_id="site")
    if task is not None:
        say(service, task, sender, message_id="task")


def said_by(service: ConversationService, message_id: str, sender: str = KARIM) -> list[Any]:
    """The events one message recorded in the sender's conversation."""
    log = service.store.events.get(conversation_id_for(sender))
    return [e for e in log if vars(e).get("message_id") == message_id]


def statuses_claimed(events: list[Any]) -> set[str]:
    """The task statuses these events wrote, or asked whether to write."""
    claimed = {vars(e)["status"] for e in named(events, "TaskStatusChangeDecided")}
    return claimed | {str(vars(e)["action"].get("status")) for e in named(events, "ConfirmationRequested")}


def log_size(container: Container) -> int:
    """How many events the whole store holds: proof that something was or wasn't written."""
    return container.store.recorder.max_notification_id() or 0


def one_message(sender: str, text: str, site: str | None = None, task: str | None = None) -> list[Any]:
    """What one message recorded on fresh in-memory state, typed after opening the sender's site
    (and one of its tasks) by its position, if given."""
    service = in_memory_service()
    if site is not None:
        open_site(service, sender, site, task)
    say(service, text, sender, message_id="said")
    return said_by(service, "said", sender)


def statuses_written(events: list[Any]) -> list[str]:
    return [vars(e)["status"] for e in named(events, "TaskStatusChangeDecided")]


def statuses_offered(events: list[Any]) -> list[str]:
    return [str(vars(e)["action"].get("status")) for e in named(events, "ConfirmationRequested")]


def intents(events: list[Any]) -> list[str]:
    return [vars(e)["intent"] for e in named(events, "IntentClassified")]
