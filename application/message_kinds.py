"""Messages that are neither text, a press nor a media: each kind is handled on purpose.

Providers send locations, contact cards, reactions, a note that someone
changed their number, an edit of an earlier message... None of them is text
the bot should try to understand, and none deserves "I can only read text".
"""

from __future__ import annotations

from dataclasses import dataclass


def _kept(text: str) -> str:
    # PostgreSQL text cannot hold NUL; providers redeliver what fails, so it is dropped, not refused.
    return text.replace("\x00", "")


@dataclass(frozen=True)
class SharedLocation:
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0):
            raise ValueError(f"not a position on Earth: {self.latitude}, {self.longitude}")
        object.__setattr__(self, "name", _kept(self.name))
        object.__setattr__(self, "address", _kept(self.address))


@dataclass(frozen=True)
class Reaction:
    """An emoji put on (or, empty, taken off) one of the bot's messages."""

    emoji: str
    # The provider's id of the message reacted to: a WhatsApp wamid, a Telegram "<chat id>:<message id>".
    to_message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "emoji", _kept(self.emoji))
        object.__setattr__(self, "to_message", _kept(self.to_message))


@dataclass(frozen=True)
class SharedContacts:
    """Contact cards: only how many. The people on them are someone else's personal data."""

    count: int


@dataclass(frozen=True)
class NumberChanged:
    """WhatsApp's system message: the person now writes from another number."""

    new_number: str  # E.164


@dataclass(frozen=True)
class SystemNotice:
    """Another note from the provider about the person (their identity changed...), not from them."""

    kind: str
    body: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", _kept(self.body))


@dataclass(frozen=True)
class WelcomeRequested:
    """Someone opened the chat for the first time (WhatsApp's `request_welcome`)."""


@dataclass(frozen=True)
class OrderPlaced:
    """An order from a catalogue (WhatsApp's `order`): not something this bot takes."""

    items: int


@dataclass(frozen=True)
class MessageEdited:
    """The person edited a message they sent earlier (Telegram's `edited_message`)."""

    text: str
    original_message: str  # the provider's id of the message as first sent

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _kept(self.text))


OtherMessage = (
    SharedLocation
    | Reaction
    | SharedContacts
    | NumberChanged
    | SystemNotice
    | WelcomeRequested
    | OrderPlaced
    | MessageEdited
)
