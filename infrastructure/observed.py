"""What the service tells its operators as it works: metrics and one log line per turn and delivery.

Wrapped around the use cases rather than written into them: the turn and the
delivery worker stay what they were, and cost the same when this is off.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from application.delivery import ReplyDeliverer
from application.event_log.records import EventRecord
from application.following import FollowingPausedError
from application.inbound import Inbound, TurnOutcome
from application.outbound import (
    OutboundChannel,
    Outgoing,
    PermanentSendError,
    SendError,
    TemporarySendError,
    ThrottledSendError,
)
from application.service import ConversationService
from domain.conversation import Conversation
from domain.delivery import Delivery
from infrastructure import metrics
from infrastructure.logs import bound

turns_log = logging.getLogger("convo.turns")
deliveries_log = logging.getLogger("convo.deliveries")

_CHOICE_KINDS = frozenset({"menu", "project", "task", "status", "problem", "confirm"})
_delivery_started: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "delivery_started", default=None
)


class Telemetry:
    """Counts and logs; `enabled=False` keeps the log lines and counts nothing."""

    def __init__(self, *, metrics_enabled: bool = True) -> None:
        self.metrics_enabled = metrics_enabled
        self._children: dict[tuple[Any, ...], Any] = {}  # labelled metrics, looked up once each

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    # -- turns -----------------------------------------------------------------

    def turn(
        self, inbound: Inbound, outcome: TurnOutcome | None, seconds: float, error: BaseException | None
    ) -> None:
        channel = inbound.channel
        if outcome is None:
            result = "failed"
            retries = 0
        else:
            result = "duplicate" if outcome.duplicate else "handled"
            retries = outcome.attempts - 1
        if self.metrics_enabled:
            self._child(metrics.TURNS, channel, result).inc()
            self._child(metrics.TURN_SECONDS, channel).observe(seconds)
            if retries:
                self._child(metrics.VERSION_CONFLICTS, channel).inc(retries)
                self._child(metrics.RETRIED_TURNS, channel).inc()
            if outcome is not None and outcome.replayed_behind:
                self._child(metrics.REPLAYED_BEHIND, channel).inc(outcome.replayed_behind)
        level = logging.INFO if error is None else logging.WARNING
        if not turns_log.isEnabledFor(level):
            return
        fields: dict[str, Any] = {
            "event": "turn",
            "channel": channel,
            "message_id": inbound.message_id,
            "sender": inbound.sender,
            "outcome": result,
            "latency_ms": round(seconds * 1000, 2),
            "retries": retries,
        }
        if outcome is not None:
            fields["conversation_id"] = str(outcome.conversation_id)
            fields["session_id"] = outcome.session_id
            if outcome.replayed_behind:
                fields["replayed_behind"] = outcome.replayed_behind
        if inbound.text is not None:
            fields["text"] = inbound.text
        elif inbound.button is not None:
            fields["button"] = inbound.button.id
        if error is not None:
            fields["error"] = f"{type(error).__name__}: {error}"
        _emit(turns_log, level, f"turn {result}", fields)

    def refused(self, channel: str) -> None:
        if self.metrics_enabled:
            metrics.TURNS.labels(channel, "refused").inc()

    # -- what was recorded (called by the store after every save) --------------

    def recorded(self, events: Sequence[Any]) -> None:
        failed_press = False
        for event in events:
            if isinstance(event, Conversation.Event):
                failed_press = self._conversation_event(event, failed_press)
            elif isinstance(event, Delivery.Finished):  # type: ignore[attr-defined]
                self._delivery_finished(event)

    def _conversation_event(self, event: Any, failed_press: bool) -> bool:
        if not self.metrics_enabled:
            return failed_press
        kind = type(event)
        if kind is Conversation.ButtonPressed:
            # A press acted on directly unless a DirectActionFailed follows in the same save.
            choice_kind = str(event.choice_id).split(".", 1)[0]
            # Choice ids come from outside: only known kinds become labels, so series stay few.
            label = choice_kind if choice_kind in _CHOICE_KINDS else "other"
            self._child(metrics.DECISIONS, "button", label).inc()
        elif kind is Conversation.DirectActionFailed:
            metrics.DIRECT_ACTION_FAILURES.labels(event.reason).inc()
            return True
        elif kind is Conversation.IntentClassified:
            understood_by = getattr(event, "understood_by", None) or {}
            self._child(metrics.DECISIONS, str(understood_by.get("layer", "rules")), str(event.intent)).inc()
            if failed_press:
                metrics.FALLBACKS.inc()
                return False
        return failed_press

    def _delivery_finished(self, event: Any) -> None:
        outcome = "delivered" if event.delivered else "failed"
        channel = event.channel
        if self.metrics_enabled:
            metrics.DELIVERIES.labels(channel, outcome).inc()
        level = logging.INFO if event.delivered else logging.WARNING
        if not deliveries_log.isEnabledFor(level):
            return
        started = _delivery_started.get()
        fields: dict[str, Any] = {
            "event": "delivery",
            "conversation_id": str(event.conversation_id),
            "message_id": event.message_id,
            "channel": channel,
            "outcome": outcome,
            "attempts": event.attempts,
            "retries": max(0, event.attempts - 1),
            "provider_message_ids": list(event.provider_message_ids),
        }
        if started is not None:
            fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        if event.error:
            fields["error"] = event.error
        _emit(deliveries_log, level, f"delivery {outcome}", fields)

    # -- calls to providers ----------------------------------------------------

    def send_attempt(self, channel: str, result: str, seconds: float) -> None:
        if self.metrics_enabled:
            metrics.DELIVERY_ATTEMPTS.labels(channel, result).inc()
            metrics.DELIVERY_SEND_SECONDS.labels(channel).observe(seconds)

    def unavailable(self, cause: str) -> None:
        if self.metrics_enabled:
            metrics.UNAVAILABLE.labels(cause).inc()

    def operator_reply(self, outcome: str) -> None:
        if self.metrics_enabled:
            metrics.OPERATOR_REPLIES.labels(outcome).inc()


def _emit(logger: logging.Logger, level: int, message: str, fields: dict[str, Any]) -> None:
    """`logger.log(level, message, extra=fields)` without looking up the caller's frame, on every turn."""
    record = logging.LogRecord(logger.name, level, __file__, 0, message, None, None)
    record.__dict__.update(fields)
    logger.handle(record)


class ObservedService(ConversationService):
    """The turn, timed, counted and logged."""

    def __init__(self, *args: Any, telemetry: Telemetry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.telemetry = telemetry

    def handle(self, inbound: Inbound) -> TurnOutcome:
        started = time.perf_counter()
        try:
            outcome = super().handle(inbound)
        except Exception as error:
            self.telemetry.turn(inbound, None, time.perf_counter() - started, error)
            raise
        self.telemetry.turn(inbound, outcome, time.perf_counter() - started, None)
        return outcome

    def earlier_outcomes(self, inbounds: Sequence[Inbound]) -> dict[str, TurnOutcome]:
        earlier = super().earlier_outcomes(inbounds)
        for inbound in inbounds:  # counted and logged as the duplicates they are
            outcome = earlier.get(inbound.message_id)
            if outcome is not None:
                self.telemetry.turn(inbound, outcome, 0.0, None)
        return earlier


class ObservedDeliverer(ReplyDeliverer):
    """Each reply's delivery in a log context: its conversation, session and message."""

    def deliver(self, record: EventRecord) -> Delivery | None:
        context = {
            "conversation_id": str(record.conversation_id),
            "session_id": record.session_id,
            "message_id": record.message_id,
        }
        token = _delivery_started.set(time.perf_counter())
        try:
            with bound(**context):
                return super().deliver(record)
        finally:
            _delivery_started.reset(token)


class MeasuredChannel:
    """A channel whose every call to the provider is counted and timed."""

    def __init__(self, channel: OutboundChannel, telemetry: Telemetry) -> None:
        self.name = channel.name
        self._channel = channel
        self._telemetry = telemetry

    def send(self, outgoing: Outgoing) -> list[str]:
        started = time.perf_counter()
        result = "error"
        try:
            sent = self._channel.send(outgoing)
            result = "sent"
            return sent
        except FollowingPausedError:
            result = ""  # stopped while pacing: no call was made
            raise
        except ThrottledSendError:
            result = "throttled"
            raise
        except TemporarySendError:
            result = "temporary"
            raise
        except PermanentSendError:
            result = "permanent"
            raise
        except SendError:
            result = "refused"
            raise
        finally:
            if result:
                self._telemetry.send_attempt(self.name, result, time.perf_counter() - started)


def measured(channels: Mapping[str, OutboundChannel], telemetry: Telemetry) -> dict[str, OutboundChannel]:
    return {name: MeasuredChannel(channel, telemetry) for name, channel in channels.items()}
