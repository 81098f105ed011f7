"""The turn as a use case: exactly once per provider message, retried on conflicts."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.event_store import ConversationStore
from application.inbound import Inbound, TurnOutcome
from application.keyed_locks import KeyedLocks
from application.phone import guess_language, normalise_phone, telegram_user_of
from application.pipeline import TurnPipeline
from application.ports import Clock, SiteDirectory
from application.receipts import receipt_id_of, scoped_to_sender
from application.texts import SUPPORTED_LANGUAGES
from application.world import apply_committed, decided_changes
from domain.conversation import Conversation
from domain.identity import conversation_id_for
from domain.receipt import MessageReceipt

log = logging.getLogger(__name__)


class TurnConflictError(RuntimeError):
    """Other writers kept winning the race for this conversation; try again later."""


class _Erasing:
    """What a try at a turn finds while the conversation's erasure is still under way."""


_ERASING = _Erasing()


class _Stale:
    """What a try finds when it started from a cached copy that another writer had moved on."""


_STALE = _Stale()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.005
    max_delay: float = 0.2
    erasure_wait: float = 2.0  # seconds a turn waits for an erasure under way (a webhook answers within 2 s)

    def delay(self, attempt: int) -> float:
        """Full jitter, so racing workers spread out instead of colliding again."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311


class ConversationService:
    def __init__(
        self,
        store: ConversationStore,
        directory: SiteDirectory,
        pipeline: TurnPipeline,
        clock: Clock,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.store = store
        self.directory = directory
        self._pipeline = pipeline
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._locks = KeyedLocks()
        self.conflicts = 0  # version conflicts seen by this process, for benchmarks and ops
        # Where a receipt can still be read when the turn cannot run (a standby, while a
        # failover leaves no primary); set by the composition root, None on one server.
        self.fallback_receipts: Callable[[UUID], MessageReceipt | None] | None = None
        # Whether the erasure that left a conversation erased at a version is over (its keys
        # destroyed, and forgotten by this process); set by the composition root.
        # Called with the conversation id, the erased version and the contact; it also drops what
        # this process cached of the erased person (keys, directory record).
        self.erasure_finished: Callable[[UUID, int, str], bool] = lambda _id, _version, _contact: True

    def handle(self, inbound: Inbound) -> TurnOutcome:
        """Handles one inbound message exactly once and returns its reply.

        The turn is tried without looking for a receipt first: a message
        handled before makes the save conflict on its receipt, and the
        receipt is read then. That saves a round trip on every turn but the
        rare redelivery. A turn that loses its save changes nothing in the
        world: its tools only decide, and decisions are applied once committed.
        """
        contact = self._contact_of(inbound.sender)
        with self._locks.hold(conversation_id_for(contact)):
            attempt = 0
            erasure_deadline: float | None = None
            check = False
            behind = 0
            while attempt < self._retry.max_attempts:
                attempt += 1
                try:
                    outcome = self._attempt(inbound, contact, attempt, check)
                except Exception:
                    # A message handled before needs no write: its receipt has the answer.
                    answered = self._fallback_outcome(inbound, contact, attempt)
                    if answered is None:
                        raise
                    return answered
                if isinstance(outcome, _Erasing):
                    # Waiting for an erasure to finish is no lost race: it has its own bound.
                    erasure_deadline = erasure_deadline or time.monotonic() + self._retry.erasure_wait
                    if time.monotonic() < erasure_deadline:
                        attempt -= 1
                        time.sleep(self._retry.max_delay / 4)
                        continue
                    raise TurnConflictError(f"message {inbound.message_id!r} waited too long for an erasure")
                if isinstance(outcome, TurnOutcome):
                    return replace(outcome, replayed_behind=behind) if behind else outcome
                earlier = self.store.receipt(receipt_id_of(inbound, conversation_id_for(contact)))
                if earlier is not None:
                    return TurnOutcome(
                        conversation_id=earlier.conversation_id,
                        session_id=earlier.session_id,
                        duplicate=True,
                        reply=earlier.answer,
                        attempts=attempt,
                    )
                if isinstance(outcome, _Stale):
                    # No race lost: this process's copy was behind. Play it again at once, read first.
                    self.store.written_elsewhere.seen(conversation_id_for(contact))
                    attempt -= 1
                    check = True
                    behind += 1
                    continue
                self.conflicts += 1
                time.sleep(self._retry.delay(attempt))
        raise TurnConflictError(
            f"gave up on message {inbound.message_id!r} after {self._retry.max_attempts} version conflicts"
        )

    def earlier_outcomes(self, inbounds: Sequence[Inbound]) -> dict[str, TurnOutcome]:
        """By message id, the outcomes of those among `inbounds` handled before, read at once:
        a provider's retry of a whole batch then runs no turn again. Any message missed
        here (handled meanwhile) is still answered once by `handle`, from its receipt."""
        receipt_ids = {
            receipt_id_of(inbound, conversation_id_for(self._contact_of(inbound.sender))): inbound
            for inbound in inbounds
        }
        receipts = self.store.receipts(list(receipt_ids))
        return {
            receipt_ids[receipt_id].message_id: TurnOutcome(
                conversation_id=receipt.conversation_id,
                session_id=receipt.session_id,
                duplicate=True,
                reply=receipt.answer,
                attempts=1,
            )
            for receipt_id, receipt in receipts.items()
        }

    def _fallback_outcome(self, inbound: Inbound, contact: str, attempt: int) -> TurnOutcome | None:
        if self.fallback_receipts is None:
            return None
        try:
            receipt = self.fallback_receipts(receipt_id_of(inbound, conversation_id_for(contact)))
        except Exception:
            log.warning("no receipt could be read elsewhere for %r", inbound.message_id, exc_info=True)
            return None
        if receipt is None:
            return None
        return TurnOutcome(
            conversation_id=receipt.conversation_id,
            session_id=receipt.session_id,
            duplicate=True,
            reply=receipt.answer,
            attempts=attempt,
        )

    def _contact_of(self, sender: str) -> str:
        """Whose conversation this is: a phone number, also for a linked Telegram account,
        so one subcontractor has one conversation whichever channel they write from."""
        telegram_user = telegram_user_of(sender)
        if telegram_user is None:
            return normalise_phone(sender)
        linked = self.directory.find_subcontractor_by_telegram(telegram_user)
        return linked.phone if linked is not None else sender

    def _attempt(
        self, inbound: Inbound, contact: str, attempt: int, check: bool
    ) -> TurnOutcome | _Erasing | _Stale | None:
        """One try at the turn; None when another writer won the race (or handled it before),
        _ERASING while the conversation's erasure is not over, _STALE when it started from a
        cached copy, unchecked, that another writer had moved on (`check` reads the log first)."""
        now = self._clock()
        conversation, unchecked = self.store.conversation_for_turn(contact, check=check)
        subcontractor = self.directory.find_subcontractor(contact)
        if conversation is None:
            conversation = Conversation(
                contact=contact,
                subcontractor_id=subcontractor.id if subcontractor else None,
                language=subcontractor.language if subcontractor else _language_of(inbound, contact),
                message_id=inbound.message_id,
                at=now,
            )
        elif conversation.erased:
            if not self.erasure_finished(conversation.id, conversation.version, contact):
                # The erased subject's keys are still live: a new subject must not write with
                # them (the erasure is about to destroy them, and whatever they sealed). Retried.
                log.info("conversation %s is being erased, attempt %s", conversation.id, attempt)
                return _ERASING
            # Looked up again: a cached record may still be the erased person's.
            subcontractor = self.directory.find_subcontractor(contact)
            conversation.restart(
                contact=contact,
                subcontractor_id=subcontractor.id if subcontractor else None,
                language=subcontractor.language if subcontractor else _language_of(inbound, contact),
                message_id=inbound.message_id,
                at=now,
            )
        reply = self._pipeline.play(conversation, inbound, subcontractor, now)
        changes = decided_changes(conversation.pending_events)
        receipt = MessageReceipt.issue(
            channel=inbound.channel,
            provider_message_id=inbound.message_id,
            conversation_id=conversation.id,
            session_id=conversation.open_session["id"],
            reply=reply,
            scoped_to_sender=scoped_to_sender(inbound),
        )
        try:
            self.store.record_turn(conversation, receipt)
        except IntegrityError:
            if unchecked:
                return _STALE
            log.info("version conflict on %s, attempt %s", conversation.id, attempt)
            return None
        # Committed: now, and only now, what the turn decided may change the world.
        apply_committed(self.directory, changes)
        return TurnOutcome(
            conversation_id=conversation.id,
            session_id=conversation.open_session["id"],
            duplicate=False,
            reply=reply,
            attempts=attempt,
        )


def _language_of(inbound: Inbound, contact: str) -> str:
    """For senders the directory does not know: what their app says, else their phone prefix."""
    hint = (inbound.language_hint or "").split("-")[0].lower()
    return hint if hint in SUPPORTED_LANGUAGES else guess_language(contact)
