"""What a channel hands to the turn, and what the turn hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from application.media import InboundMedia, MediaOutcome
from application.message_kinds import OtherMessage
from application.storable import storable, unstorable_in
from domain.values import MAX_TEXT_LENGTH, Reply


class InvalidInboundError(ValueError):
    """The inbound message cannot be handled as given; nothing is written."""


class MalformedPayloadError(InvalidInboundError):
    """The body is not even well-formed (truncated JSON...); nothing is written."""


@dataclass(frozen=True)
class PressedButton:
    id: str
    title: str


@dataclass(frozen=True)
class Inbound:
    """One message or button press from a subcontractor, as a channel received it."""

    channel: str
    message_id: str
    sender: str
    text: str | None = None
    button: PressedButton | None = None
    unsupported: str | None = None  # the kind of a message the bot cannot read ("image"...)
    # Where a channel that sends replies itself must send this one (a chat id...);
    # None for channels that answer in the webhook's response.
    reply_to: dict[str, str] | None = field(default=None, compare=False)
    # The language the sender's app is set to, when the channel says (Telegram does):
    # better than guessing from a phone prefix for senders the directory does not know.
    language_hint: str | None = field(default=None, compare=False)
    # Photos, voice notes... (their caption, if any, is `text`); other kinds (a location...);
    # or what became of an earlier message's media, handed back by the media fetcher.
    media: tuple[InboundMedia, ...] = ()
    other: OtherMessage | None = None
    media_outcome: MediaOutcome | None = None

    def __post_init__(self) -> None:
        self._make_storable()
        if not self.channel or not self.message_id.strip():
            raise InvalidInboundError("a message needs a channel and a non-empty message id")
        if not self.sender.strip():
            raise InvalidInboundError("a message needs a sender")
        parts = (self.button, self.unsupported, self.other, self.media_outcome)
        content = sum(part is not None for part in parts) + bool(self.media)
        if content + (self.text is not None and not self.media) != 1:
            raise InvalidInboundError("a message carries either text or a button, not both or neither")
        if self.text is not None and not self.text.strip():
            raise InvalidInboundError("text must not be empty")
        if self.text is not None and len(self.text) > MAX_TEXT_LENGTH:
            raise InvalidInboundError(f"text is longer than {MAX_TEXT_LENGTH} characters")
        if self.button is not None and not self.button.id.strip():
            raise InvalidInboundError("a button press needs the button's id")

    def _make_storable(self) -> None:
        # Providers redeliver what they got an error for, for days: a NUL in a message is
        # dropped here, for every channel, rather than failing the turn on every redelivery.
        for name in ("channel", "message_id", "sender", "text", "unsupported", "language_hint"):
            value = getattr(self, name)
            if value is not None and unstorable_in(value):
                object.__setattr__(self, name, storable(value))
        button = self.button
        if button is not None and (unstorable_in(button.id) or unstorable_in(button.title)):
            object.__setattr__(self, "button", PressedButton(storable(button.id), storable(button.title)))
        if self.reply_to is not None:
            object.__setattr__(self, "reply_to", {k: storable(v) for k, v in self.reply_to.items()})


@dataclass(frozen=True)
class TurnOutcome:
    conversation_id: UUID
    session_id: str
    duplicate: bool
    reply: Reply
    attempts: int = 1
    # Plays thrown away because the worker's cached conversation was behind another writer's.
    replayed_behind: int = 0
