"""The eventsourcing Application that stores conversations and message receipts."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache
from eventsourcing.domain import CanInitAggregate, CanMutateProtocol, DomainEventProtocol
from eventsourcing.persistence import Mapper, Recording, StoredEvent, Transcoder
from eventsourcing.utils import Environment, EnvType

from application.sealing import Keyring, SealingMapper, random_nonce
from application.transcoding import ConvoTranscoder
from application.written_elsewhere import LastWriters, WrittenElsewhere
from domain.conversation import Conversation
from domain.delivery import Delivery, OutboundMessage
from domain.identity import conversation_id_for, delivery_id_for, outbound_message_id_for
from domain.receipt import MessageReceipt

log = logging.getLogger(__name__)


class ConversationStore(Application[UUID]):
    """Events of every conversation, one receipt per handled provider message, and the
    delivery of each reply a channel sends itself.

    Its name fixes the table names (`convo_events`, `convo_snapshots`).
    """

    name = "Convo"
    is_snapshotting_enabled = True

    def __init__(
        self, env: EnvType | None = None, *, snapshot_interval: int = 100, keyring: Keyring | None = None
    ) -> None:
        # Before the library builds its mapper, which seals with it.
        self.keyring = keyring
        super().__init__(env)
        self.snapshot_interval = snapshot_interval
        cache = self.repository.cache
        self.written_elsewhere = WrittenElsewhere(cache.maxsize if isinstance(cache, LRUCache) else 10_000)
        # Set where worker processes of one machine share a board of their last writes.
        self.last_writers: LastWriters | None = None
        # Told the events of every save once it is committed (metrics, log lines).
        self.observers: list[Callable[[Sequence[DomainEventProtocol[UUID]]], None]] = []

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Settings are the single source of configuration: stray process
        # variables (POSTGRES_*, CREATE_TABLE...) must not reach the library.
        values: dict[str, Any] = {"IS_SNAPSHOTTING_ENABLED": "y"}
        values.update(env or {})
        return Environment(name, values)

    def close(self) -> None:
        # A recorder that keeps a connection between inserts gives it back before the pool closes.
        give_back = getattr(self.recorder, "give_back_connection", None)
        if give_back is not None:
            give_back()
        super().close()

    def construct_transcoder(self) -> Transcoder:
        # The library's JSON format, byte for byte, encoded faster.
        transcoder = ConvoTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def construct_mapper(self) -> Mapper[UUID]:
        if self.keyring is None:  # an in-memory store for tests of turns: nothing to protect
            return super().construct_mapper()
        return SealingMapper(self.construct_transcoder(), self.keyring, random_nonce)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        self._tell_observers([recording.domain_event for recording in recordings])

    def _tell_observers(self, events: Sequence[DomainEventProtocol[UUID]]) -> None:
        for observer in self.observers:
            try:
                observer(events)
            except Exception:  # the save is committed: an observer must not make it look failed
                log.warning("an observer of recorded events failed", exc_info=True)

    def conversation(self, contact: str) -> Conversation | None:
        try:
            found: Conversation = self.repository.get(conversation_id_for(contact), projector_func=_projected)
        except AggregateNotFoundError:
            return None
        return found

    def conversation_for_turn(self, contact: str, *, check: bool) -> tuple[Conversation | None, bool]:
        """The conversation a turn works on, and whether it was taken unchecked.

        Turns of one conversation run one at a time in a process, and every write to it
        takes its next version. So, unless `check` is asked, another writer was seen on
        it lately, or the board of last writers names another worker, this process's
        cached copy is taken as it is, without asking the log for newer events (a round
        trip). Had another writer been first, the turn's save conflicts; the caller
        notes it in `written_elsewhere` and tries again checked. Either way the turn
        owns the cached object, brought up to date where it reads, without a copy,
        until `record_turn` puts it back.
        """
        conversation_id = conversation_id_for(contact)
        cache = self.repository.cache
        if cache is None:
            return self.conversation(contact), False
        try:
            cached = cache.get(conversation_id, evict=True)  # the turn's own from here: no copy
        except KeyError:  # not cached
            return self.conversation(contact), False
        assert isinstance(cached, Conversation)
        mine = self.last_writers is None or self.last_writers.wrote_last(conversation_id, cached.version)
        if mine and not check and conversation_id not in self.written_elsewhere:
            return cached, True
        version = cached.version
        newer = cast(Iterable[CanMutateProtocol[Conversation]], self.events.get(conversation_id, gt=version))
        found = _projected(cached, newer)
        if mine and found is not None:
            # Newer events the board did not announce: a writer it does not know.
            self.written_elsewhere.read(conversation_id, moved=found.version != version)
        return found, False

    def conversation_by_id(self, conversation_id: UUID, version: int | None = None) -> Conversation:
        found: Conversation = self.repository.get(conversation_id, version=version, projector_func=_projected)
        return found

    def forget_cached(self, conversation_id: UUID) -> None:
        """Drops the cached copy: after an erasure or a retention pass, the next load reads the log."""
        cache = self.repository.cache
        if cache is not None:
            with contextlib.suppress(KeyError):  # not cached
                cache.get(conversation_id, evict=True)

    def forget_all_cached(self) -> None:
        """Drops every cached aggregate: after an erasure, its deliveries too (their ids are not
        known without opening what was just shredded). Erasures are rare; reloads are cheap."""
        cache = self.repository.cache
        if isinstance(cache, LRUCache):
            # The library's LRUCache.clear() resets its order, not its entries: a new one does both.
            self.repository.cache = LRUCache(maxsize=cache.maxsize)
        elif cache is not None:
            cache.cache.clear()

    def receipt(self, receipt_id: UUID) -> MessageReceipt | None:
        """The receipt of an already handled message; read directly, it never changes."""
        issued = list(self.events.get(receipt_id, limit=1))
        if not issued:
            return None
        first = issued[0]
        assert isinstance(first, CanInitAggregate)
        receipt = first.mutate(None)
        assert isinstance(receipt, MessageReceipt)
        return receipt

    def receipts(self, receipt_ids: Sequence[UUID]) -> dict[UUID, MessageReceipt]:
        """The receipts issued among these, in one query where the recorder can."""
        select_first_events = getattr(self.recorder, "select_first_events", None)
        if select_first_events is None:  # SQLite: one read each, on a local file
            found = {receipt_id: self.receipt(receipt_id) for receipt_id in receipt_ids}
            return {receipt_id: receipt for receipt_id, receipt in found.items() if receipt is not None}
        receipts: dict[UUID, MessageReceipt] = {}
        for stored in select_first_events(receipt_ids):
            first = self.mapper.to_domain_event(stored)
            assert isinstance(first, CanInitAggregate)
            receipt = first.mutate(None)
            assert isinstance(receipt, MessageReceipt)
            receipts[receipt.id] = receipt
        return receipts

    def delivery(self, conversation_id: UUID, message_id: str) -> Delivery | None:
        """What became of the reply to `message_id`; None before its outcome is recorded."""
        try:
            found: Delivery = self.repository.get(delivery_id_for(conversation_id, message_id))
        except AggregateNotFoundError:
            return None
        return found

    def delivery_of_provider_message(self, channel: str, provider_message_id: str) -> Delivery | None:
        """The delivery a provider's message id belongs to; None for messages we never sent."""
        try:
            index: OutboundMessage = self.repository.get(
                outbound_message_id_for(channel, provider_message_id)
            )
        except AggregateNotFoundError:
            return None
        found: Delivery = self.repository.get(index.delivery_id)
        return found

    def record_turn(self, conversation: Conversation, receipt: MessageReceipt) -> None:
        """Saves the turn and its receipt in one transaction; IntegrityError on a conflict.

        A turn that crosses a snapshot interval stores the snapshot in that transaction
        too, where the recorder can (one round trip, and only for committed versions)."""
        if self.keyring is not None:
            # Another process may have erased the person and restarted the conversation since
            # this one sealed with their key: the version conflict only reaches the writer that
            # met the erasure, not one that loads the conversation already restarted.
            self.keyring.writing_as(conversation.id, conversation.subject_since)
        version_before = conversation.version - len(conversation.pending_events)
        due = conversation.version // self.snapshot_interval > version_before // self.snapshot_interval
        along = self._snapshot_along(conversation) if due else None
        self._save_turn(conversation, receipt, {} if along is None else {"snapshots": along})
        if self.last_writers is not None:
            self.last_writers.wrote(conversation.id, conversation.version)
        cache = self.repository.cache
        if cache is not None:
            # The library fast-forwards its cached copy from the store instead:
            # without this, every turn would decode the previous turn's events
            # again. Turns of one conversation run one at a time per process,
            # and other processes' writes are still fast-forwarded.
            cache.put(conversation.id, conversation)
        if due and along is None:
            self._snapshot(conversation)

    def _save_turn(self, conversation: Conversation, receipt: MessageReceipt, kwargs: dict[str, Any]) -> None:
        """What `save(conversation, receipt, **kwargs)` does for a turn, less what a turn never uses:
        the runtime checks of whether each object is an event or an aggregate (about 30 µs a turn),
        and a Recording holding a Notification (frozen dataclasses) made for each event written."""
        events = [*conversation.collect_events(), *receipt.collect_events()]
        mapper = self.mapper
        stored = (
            mapper.to_stored_events(events)
            if isinstance(mapper, SealingMapper)
            else [mapper.to_stored_event(event) for event in events]
        )
        self.recorder.insert_events(stored, **kwargs)
        self._tell_observers(events)

    def _snapshot_along(self, conversation: Conversation) -> list[StoredEvent] | None:
        """The stored snapshot to write with the turn's events; None if the recorder cannot."""
        if self.snapshots is None or not getattr(self.recorder, "inserts_snapshots", False):
            return None
        try:
            return [self.mapper.to_stored_event(Conversation.Snapshot.take(conversation))]
        except Exception:  # a snapshot only saves a slower cold load: the turn goes on without
            log.warning(
                "snapshot of %s at version %s failed", conversation.id, conversation.version, exc_info=True
            )
            return []

    def _snapshot(self, conversation: Conversation) -> None:
        # Taken from the object just saved: no reload. A lost snapshot only costs
        # a slower cold load, so it must not fail a turn that is already committed.
        try:
            assert self.snapshots is not None
            self.snapshots.put([Conversation.Snapshot.take(conversation)])
        except Exception:
            log.warning(
                "snapshot of %s at version %s failed", conversation.id, conversation.version, exc_info=True
            )


def _projected(
    aggregate: Conversation | None, events: Iterable[CanMutateProtocol[Conversation]]
) -> Conversation | None:
    """The library's project_aggregate without its assertion that every event has `mutate`,
    a runtime protocol check of about 13 µs an event: every event read to bring a cached
    conversation up to date, or replayed after a snapshot."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
