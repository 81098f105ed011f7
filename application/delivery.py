"""Sending recorded replies through their channel, once each, and recording what happened."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError

from application.event_log.records import EventRecord
from application.event_store import ConversationStore
from application.following import FollowingPausedError
from application.outbound import OutboundChannel, Outgoing, SendError, StatusReport, ThrottledSendError
from application.outcomes import Outcome, OutcomeRecorder
from application.pausing import DeliveryInterruptedError, Pause
from application.ports import Clock
from domain.delivery import Delivery
from domain.receipt import ERASED_TEXT

log = logging.getLogger(__name__)

__all__ = ["DeliveryInterruptedError", "DeliveryPolicy", "ReplyDeliverer", "record_status"]


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_throttled_seconds: float = 600.0  # how long a reply the provider throttles is retried

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter; a provider's own Retry-After wins when longer."""
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (min(attempt, 60) - 1))
        jittered = backoff * random.uniform(0.5, 1.0)  # noqa: S311
        return min(self.max_delay, max(jittered, retry_after or 0.0))


class ReplyDeliverer:
    """Delivers the `ReplySent` records of channels that send replies themselves.

    At least once: a reply is recorded as delivered only after the provider
    took it, so a crash in between sends it again after the restart. A reply
    already recorded is never sent again, and neither is one whose outcome
    this worker knows but could not record (see `OutcomeRecorder`).
    """

    def __init__(
        self,
        store: ConversationStore,
        channels: Mapping[str, OutboundChannel],
        clock: Clock,
        policy: DeliveryPolicy | None = None,
        pause: Pause | None = None,
    ) -> None:
        """`pause` waits between tries; it raises to stop the delivery (stopping, or the
        worker lost its lease)."""
        self._store = store
        self._channels = dict(channels)
        self._clock = clock
        self._policy = policy or DeliveryPolicy()
        self._pause = pause or Pause()
        self._outcomes = OutcomeRecorder(store, self._pause, self._policy.delay)

    def deliver(self, record: EventRecord) -> Delivery | None:
        """Sends one reply unless it was delivered before; None when its channel answers
        inline, or when its outcome could not be recorded (it is not sent again)."""
        channel_name = str(record.payload.get("channel", "generic"))
        reply_to = record.payload.get("reply_to")
        if reply_to is None:
            return None
        if ERASED_TEXT in dict(reply_to).values():
            return None  # its person was erased before it went: there is no one to send it to
        message_id = str(record.payload["message_id"])
        known = self._outcomes.unrecorded(record.conversation_id, message_id)
        if known is not None:
            return self._outcomes.record(known)  # sent before: only its record is missing
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
            outcome = self._outcome(
                outgoing, [], attempts=0, error=f"{channel_name} sending is not configured"
            )
        else:
            outcome = self._send(channel, outgoing)
        return self._outcomes.record(outcome)

    def _send(self, channel: OutboundChannel, outgoing: Outgoing) -> Outcome:
        """Tries until the provider takes the reply or refuses it for good."""
        name, message_id = outgoing.channel, outgoing.message_id
        failures = 0  # tries that count towards max_attempts: throttling does not
        throttled = 0
        throttled_until: float | None = None
        attempt = 0
        while True:
            attempt += 1
            self._pause.keep_alive()
            try:
                provider_ids = channel.send(outgoing)
            except ThrottledSendError as slow_down:
                log.info("%s reply %s throttled, attempt %s: %s", name, message_id, attempt, slow_down)
                throttled += 1
                if throttled_until is None:
                    throttled_until = time.monotonic() + self._policy.max_throttled_seconds
                wait = self._policy.delay(throttled, slow_down.retry_after)
                if time.monotonic() + wait > throttled_until:
                    return self._outcome(outgoing, [], attempts=attempt, error=f"throttled: {slow_down}")
                self._pause(wait, message_id)
            except SendError as failure:
                log.warning("%s reply %s, attempt %s: %s", name, message_id, attempt, failure)
                failures += 1
                if not failure.retryable or failures >= self._policy.max_attempts:
                    return self._outcome(outgoing, [], attempts=attempt, error=str(failure))
                self._pause(self._policy.delay(failures, failure.retry_after), message_id)
            except FollowingPausedError:
                raise  # stopping, or the lease is lost: nothing was sent, a successor sends it
            except Exception as bug:
                # A reply that cannot even be rendered must not block every reply after it.
                log.exception("%s reply %s could not be sent", name, message_id)
                return self._outcome(outgoing, [], attempts=attempt, error=f"{type(bug).__name__}: {bug}")
            else:
                return self._outcome(outgoing, provider_ids, attempts=attempt, error=None)

    def _outcome(
        self, outgoing: Outgoing, provider_ids: list[str], *, attempts: int, error: str | None
    ) -> Outcome:
        return Outcome(
            conversation_id=outgoing.conversation_id,
            message_id=outgoing.message_id,
            channel=outgoing.channel,
            provider_message_ids=tuple(provider_ids),
            attempts=attempts,
            error=error,
            at=self._clock(),
        )


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
