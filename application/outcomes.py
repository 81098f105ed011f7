"""Recording what became of a reply once its provider answered: never a reason to send it again."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.event_store import ConversationStore
from application.pausing import Pause
from domain.delivery import Delivery, OutboundMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What happened to one reply: sent (with the provider's message ids) or failed (with why)."""

    conversation_id: UUID
    message_id: str
    channel: str
    provider_message_ids: tuple[str, ...]
    attempts: int
    error: str | None
    at: datetime

    @property
    def delivery_id(self) -> UUID:
        return Delivery.create_id(self.conversation_id, self.message_id)

    def delivery(self) -> Delivery:
        # A new aggregate each time: a failed save has already taken the pending events.
        return Delivery(
            conversation_id=self.conversation_id,
            message_id=self.message_id,
            channel=self.channel,
            delivered=self.error is None,
            attempts=self.attempts,
            provider_message_ids=list(self.provider_message_ids),
            error=self.error,
            at=self.at,
        )

    def index(self) -> list[OutboundMessage]:
        return [
            OutboundMessage(self.channel, sent, self.delivery_id, self.conversation_id)
            for sent in self.provider_message_ids
        ]


class OutcomeRecorder:
    """Records outcomes as `Delivery` aggregates; one it cannot record is remembered, not resent.

    Once a provider took a reply, sending it again is what a failed record
    must never cause (a worker replaying its batch would otherwise resend it
    without end). So the outcome is remembered in this process before it is
    recorded, and forgotten once it is. A record is tried `ATTEMPTS` times
    with back-off; when the provider's message ids are already the index of
    another delivery, the delivery is recorded without them. Still failing,
    the outcome is logged with the provider's ids and `record` returns None:
    the worker moves on and commits its position past the reply. If that
    commit fails too (the database is down), the replayed batch finds the
    outcome remembered here and records it instead of sending.

    The bound: a reply goes out at most once per worker process that had it
    sent but unrecorded, so twice only if that worker dies or loses its lease
    before the database takes the record.
    """

    ATTEMPTS = 3
    MAX_REMEMBERED = 10_000  # outcomes never recorded are few; this only bounds memory

    def __init__(
        self, store: ConversationStore, pause: Pause, delay: Callable[[int, float | None], float]
    ) -> None:
        self._store = store
        self._pause = pause
        self._delay = delay
        self._lock = threading.Lock()
        self._unrecorded: OrderedDict[UUID, Outcome] = OrderedDict()

    def unrecorded(self, conversation_id: UUID, message_id: str) -> Outcome | None:
        """The outcome of a reply this worker finished but could not record, if any."""
        with self._lock:
            return self._unrecorded.get(Delivery.create_id(conversation_id, message_id))

    def record(self, outcome: Outcome) -> Delivery | None:
        """The recorded delivery (this one, or another worker's); None when it could not be recorded."""
        self._remember(outcome)
        with_index = True
        for attempt in range(1, self.ATTEMPTS + 1):
            delivery = outcome.delivery()
            try:
                self._store.save(delivery, *(outcome.index() if with_index else []))
            except IntegrityError:
                recorded = self._recorded(outcome)
                if recorded is not None:
                    self._forget(outcome)  # another worker recorded this reply first; theirs is the record
                    return recorded
                if with_index and outcome.provider_message_ids:
                    log.error(
                        "%s reply %s: provider message ids %s already index another delivery; "
                        "recording the delivery without them",
                        outcome.channel,
                        outcome.message_id,
                        list(outcome.provider_message_ids),
                    )
                    with_index = False
                    continue
                log.warning("%s reply %s: record refused", outcome.channel, outcome.message_id, exc_info=True)
            except Exception:
                log.warning("%s reply %s: record failed", outcome.channel, outcome.message_id, exc_info=True)
            else:
                self._forget(outcome)
                return delivery
            if attempt < self.ATTEMPTS:
                self._pause(self._delay(attempt, None), outcome.message_id)
        log.error(
            "%s reply %s: its outcome (%s, provider message ids %s) could not be recorded; "
            "it will not be sent again",
            outcome.channel,
            outcome.message_id,
            "delivered" if outcome.error is None else f"failed: {outcome.error}",
            list(outcome.provider_message_ids),
        )
        return None

    def _recorded(self, outcome: Outcome) -> Delivery | None:
        try:
            return self._store.delivery(outcome.conversation_id, outcome.message_id)
        except Exception:
            log.warning(
                "%s reply %s: cannot read its delivery", outcome.channel, outcome.message_id, exc_info=True
            )
            return None

    def _remember(self, outcome: Outcome) -> None:
        with self._lock:
            self._unrecorded[outcome.delivery_id] = outcome
            self._unrecorded.move_to_end(outcome.delivery_id)
            while len(self._unrecorded) > self.MAX_REMEMBERED:
                forgotten, _ = self._unrecorded.popitem(last=False)
                log.error("forgetting the unrecorded outcome of delivery %s: too many unrecorded", forgotten)

    def _forget(self, outcome: Outcome) -> None:
        with self._lock:
            self._unrecorded.pop(outcome.delivery_id, None)
