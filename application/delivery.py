"""Sending recorded replies through their channel, once each, and recording what happened."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError

from application.event_records import EventRecord
from application.event_store import ConversationStore
from application.following import FollowingPausedError
from application.outbound import OutboundChannel, Outgoing, SendError, StatusReport
from application.ports import Clock
from domain.delivery import Delivery, OutboundMessage

log = logging.getLogger(__name__)


class DeliveryInterruptedError(FollowingPausedError):
    """Stopped while waiting to try again: the reply is left unrecorded, to be sent after a restart."""


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter; a provider's own Retry-After wins when longer."""
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        jittered = backoff * random.uniform(0.5, 1.0)  # noqa: S311
        return min(self.max_delay, max(jittered, retry_after or 0.0))


class ReplyDeliverer:
    """Delivers the `ReplySent` records of channels that send replies themselves.

    At least once: a reply is recorded as delivered only after the provider
    took it, so a crash in between sends it again after the restart. A reply
    already recorded is never sent again.
    """

    def __init__(
        self,
        store: ConversationStore,
        channels: Mapping[str, OutboundChannel],
        clock: Clock,
        policy: DeliveryPolicy | None = None,
        stop: threading.Event | None = None,
        keep_alive: Callable[[], None] | None = None,
        keep_alive_every: float = 5.0,
    ) -> None:
        """`keep_alive` runs before each attempt and during long waits; it raises to stop the
        delivery (the worker lost its lease)."""
        self._store = store
        self._channels = dict(channels)
        self._clock = clock
        self._policy = policy or DeliveryPolicy()
        self._stop = stop or threading.Event()
        self._keep_alive = keep_alive or (lambda: None)
        self._keep_alive_every = keep_alive_every

    def deliver(self, record: EventRecord) -> Delivery | None:
        """Sends one reply unless it was delivered before; None when its channel answers inline."""
        channel_name = str(record.payload.get("channel", "generic"))
        reply_to = record.payload.get("reply_to")
        if reply_to is None:
            return None
        message_id = str(record.payload["message_id"])
        earlier = self._store.delivery(record.conversation_id, message_id)
        if earlier is not None:
            return earlier
        outgoing = Outgoing(
            conversation_id=record.conversation_id,
            message_id=message_id,
            channel=channel_name,
            reply=record.payload["reply"],
            reply_to=dict(reply_to),
        )
        channel = self._channels.get(channel_name)
        if channel is None:
            return self._record(outgoing, [], attempts=0, error=f"{channel_name} sending is not configured")
        for attempt in range(1, self._policy.max_attempts + 1):
            self._keep_alive()
            try:
                provider_ids = channel.send(outgoing)
            except SendError as failure:
                error = str(failure)
                log.warning("%s reply %s, attempt %s: %s", channel_name, message_id, attempt, error)
                if not failure.retryable or attempt == self._policy.max_attempts:
                    return self._record(outgoing, [], attempts=attempt, error=error)
                self._back_off(self._policy.delay(attempt, failure.retry_after), message_id)
                continue
            except Exception as bug:
                # A reply that cannot even be rendered must not block every reply after it.
                log.exception("%s reply %s could not be sent", channel_name, message_id)
                return self._record(outgoing, [], attempts=attempt, error=f"{type(bug).__name__}: {bug}")
            return self._record(outgoing, provider_ids, attempts=attempt, error=None)
        raise AssertionError("unreachable: the last attempt always returns")

    def _back_off(self, seconds: float, message_id: str) -> None:
        # In slices, so a long wait keeps the lease and a stop is seen at once.
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self._stop.wait(min(remaining, self._keep_alive_every)):
                raise DeliveryInterruptedError(message_id)
            self._keep_alive()

    def _record(
        self, outgoing: Outgoing, provider_ids: list[str], *, attempts: int, error: str | None
    ) -> Delivery:
        delivery = Delivery(
            conversation_id=outgoing.conversation_id,
            message_id=outgoing.message_id,
            channel=outgoing.channel,
            delivered=error is None,
            attempts=attempts,
            provider_message_ids=provider_ids,
            error=error,
            at=self._clock(),
        )
        index = [OutboundMessage(outgoing.channel, provider_id, delivery.id) for provider_id in provider_ids]
        try:
            self._store.save(delivery, *index)
        except IntegrityError:
            # Another sender recorded this reply first; theirs is the record.
            recorded = self._store.delivery(outgoing.conversation_id, outgoing.message_id)
            if recorded is None:
                raise
            return recorded
        return delivery


def record_status(store: ConversationStore, report: StatusReport, attempts: int = 5) -> bool:
    """Adds a provider's status report to its delivery; False, writing nothing, when the
    message is not one we sent or the report was already recorded."""
    for _ in range(attempts):
        delivery = store.delivery_of_provider_message(report.channel, report.provider_message_id)
        if delivery is None:
            return False
        recorded = delivery.report_status(
            provider_message_id=report.provider_message_id,
            status=report.status,
            errors=list(report.errors),
            at=report.at,
        )
        if not recorded:
            return False
        try:
            store.save(delivery)
        except IntegrityError:
            continue  # another report for the same delivery won; look again
        return True
    raise RuntimeError(f"could not record status {report.status} of {report.provider_message_id}")
