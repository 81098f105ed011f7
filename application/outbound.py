"""What a channel that sends replies itself must offer the delivery worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.values import Reply


class SendError(Exception):
    """A provider did not take the message."""

    retryable = False

    def __init__(self, reason: str, *, retry_after: float | None = None, code: int | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after  # seconds the provider asked us to wait, if it said
        self.code = code  # the provider's own error code (Meta's error.code, Telegram's error_code)


class TemporarySendError(SendError):
    """5xx, a transient provider error, a timeout or a dropped connection: trying again may work."""

    retryable = True


class ThrottledSendError(TemporarySendError):
    """The provider refused the message only because it came too fast (a rate limit).

    Nothing is wrong with the message, so it is retried for a time rather than
    a number of tries: at a rush the provider may throttle for a while.
    """


class PermanentSendError(SendError):
    """The provider refused the message itself: the same request will fail again."""


@dataclass(frozen=True)
class Outgoing:
    """A reply recorded in the log, addressed as its channel needs."""

    conversation_id: UUID
    message_id: str  # the inbound message it answers
    channel: str
    reply: Reply
    reply_to: dict[str, str]


class OutboundChannel(Protocol):
    name: str

    def send(self, outgoing: Outgoing) -> list[str]:
        """Sends the reply; returns the ids the provider gave the messages it accepted.

        Raises SendError subclasses; never anything else for provider trouble.
        """
        ...


@dataclass(frozen=True)
class StatusReport:
    """A provider's news about a message it sent for us (sent, delivered, read, failed)."""

    channel: str
    provider_message_id: str
    status: str
    at: datetime
    errors: tuple[str, ...] = ()
