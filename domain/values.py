"""Small JSON-friendly value types carried by events and kept in aggregate state."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NotRequired, TypedDict

ReplyStyle = Literal["buttons", "list", "none"]

# The strictest channel limits (WhatsApp interactive messages).
MAX_BUTTONS = 3
MAX_LIST_ROWS = 10
MAX_BUTTON_TITLE = 20
MAX_LIST_ROW_TITLE = 24
MAX_LIST_ROW_DESCRIPTION = 72
MAX_TEXT_LENGTH = 4096


class Choice(TypedDict):
    """Something the user can press; ids are namespaced by kind (`project.<id>`...)."""

    id: str
    title: str
    description: NotRequired[str]


class Reply(TypedDict):
    text: str
    style: ReplyStyle
    choices: list[Choice]


class Listing(TypedDict):
    """The last numbered list shown, so "2" or a typed name can refer to it."""

    kind: str
    items: list[Choice]
    shown_at: datetime
    session_id: str


class OfferedChoice(TypedDict):
    """A choice the bot offered, the message whose turn offered it and in which session."""

    choice: Choice
    offered_by: str
    session_id: str


class PendingConfirmation(TypedDict):
    """A write the bot asked yes or no about, and the message whose turn asked."""

    action: dict[str, str]
    asked_by: str


class Exchange(TypedDict):
    said: str
    replied: str


class LastChange(TypedDict):
    """A task's status the last turn wrote, and what it was before."""

    task_id: str
    status: str
    previous_status: str


class OpenSession(TypedDict):
    id: str
    number: int
    opened_at: datetime
    last_activity_at: datetime
    turns: int
    focus: dict[str, str]
    awaiting: str | None
    recent_intents: list[str]
    pending: NotRequired[PendingConfirmation]
    exchanges: NotRequired[list[Exchange]]
    status_awaiting_task: NotRequired[str]  # "c'est fini", then "which task?": the status said
    last_change: NotRequired[LastChange]  # written by the turn before: "undo" puts it back


def cut(text: str, limit: int) -> str:
    """Cuts text to a channel limit, marking the cut with an ellipsis; keeps its line breaks."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shorten(text: str, limit: int) -> str:
    """Cuts text to a channel limit, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
