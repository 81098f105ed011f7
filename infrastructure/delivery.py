"""The delivery worker: follows `ReplySent` in the log and sends each reply once it is recorded."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from uuid import UUID

from application.delivery import ReplyDeliverer
from application.event_log.records import EventRecord, topics_for
from application.event_log.store_log import StoreEventLog
from application.event_store import ConversationStore
from application.following import LogFollower, Waker, follow
from infrastructure.database import Database
from infrastructure.leases import Lease
from infrastructure.projections.runner import BackgroundRun
from infrastructure.projections.tracking import (
    read_position,
    start_tracking,
    tracked_position,
    write_position,
)

NAME = "delivery"


class DeliveryConsumer:
    """Sends a batch's replies, then commits the batch's position.

    Replies of different conversations go out in parallel; one conversation's
    replies go out in the order they were recorded. A crash before the
    position is committed replays the batch, and replies already recorded as
    delivered are skipped, so only a reply sent in the crash's instant goes twice.
    """

    name = NAME

    def __init__(self, database: Database, deliverer: ReplyDeliverer, lease: Lease, concurrency: int) -> None:
        self._db = database
        self._deliverer = deliverer
        self._lease = lease
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="convo-delivery")
        start_tracking(database, self.name)

    def position(self) -> int:
        return tracked_position(self._db, self.name)

    def process(self, records: Sequence[EventRecord], after: int, up_to: int) -> bool:
        self._lease.keep()
        if self.position() != after:
            return False
        by_conversation: dict[UUID, list[EventRecord]] = {}
        for record in records:
            by_conversation.setdefault(record.conversation_id, []).append(record)
        sending = [self._pool.submit(self._deliver_in_order, batch) for batch in by_conversation.values()]
        wait(sending)  # all settle before a failure is raised, so a replay never races a send
        for sent in sending:
            sent.result()  # the replay skips what was recorded
        with self._db.transaction() as cursor:
            if read_position(cursor, self.name, lock=True) != after:
                return False
            write_position(cursor, self.name, up_to)
        return True

    def _deliver_in_order(self, records: list[EventRecord]) -> None:
        for record in records:
            self._deliverer.deliver(record)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DeliveryWorker:
    """One follower of `ReplySent`, working while it holds the delivery lease."""

    def __init__(
        self,
        store: ConversationStore,
        database: Database,
        deliverer: ReplyDeliverer,
        lease: Lease,
        *,
        stop: threading.Event,
        batch_size: int,
        concurrency: int,
    ) -> None:
        self.lease = lease
        self.stop = stop
        self.consumer = DeliveryConsumer(database, deliverer, lease, concurrency)
        self.follower = LogFollower(
            StoreEventLog(store),
            self.consumer,
            batch_size=batch_size,
            topics=topics_for(["ReplySent", "OperatorReplied"]),
        )

    def catch_up(self) -> int:
        """Sends what the log holds now, if this worker holds the lease; returns records seen."""
        if not self.lease.hold():
            return 0
        return self.follower.catch_up()

    def run(self, waker: Waker, poll_seconds: float) -> None:
        """Delivers until `stop` is set."""
        try:
            follow([self.follower], self.stop, waker, poll_seconds, lease=self.lease)
        finally:
            self.consumer.close()

    def close(self) -> None:
        """For a worker driven by `catch_up`: lets a successor start at once."""
        self.consumer.close()
        self.lease.release()

    def start_in_background(self, waker: Waker, poll_seconds: float) -> BackgroundRun:
        thread = threading.Thread(
            target=self.run, args=(waker, poll_seconds), name="convo-delivery", daemon=True
        )
        thread.start()
        return BackgroundRun(self.stop, thread, waker)
