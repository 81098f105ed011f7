"""The media fetcher: follows `MediaReceived` in the log, holding a lease like the delivery worker.

Its position moves only after a batch's media were fetched and their outcome
recorded, so a crash or a restart fetches again what was not recorded (a
download killed midway resumes from its staging file); what was recorded is
skipped by its receipt.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from uuid import UUID

from application.event_log.records import EventRecord, topics_for
from application.event_log.store_log import StoreEventLog
from application.event_store import ConversationStore
from application.following import LogFollower, Waker, follow
from application.media_fetching import MEDIA_RECEIVED, MediaFetcher
from infrastructure.database import Database
from infrastructure.leases import Lease
from infrastructure.projections.runner import BackgroundRun
from infrastructure.projections.tracking import (
    read_position,
    start_tracking,
    tracked_position,
    write_position,
)

NAME = "media"


class MediaConsumer:
    name = NAME

    def __init__(self, database: Database, fetcher: MediaFetcher, lease: Lease, concurrency: int) -> None:
        self._db = database
        self._fetcher = fetcher
        self._lease = lease
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="convo-media")
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
        fetching = [self._pool.submit(self._fetch_in_order, batch) for batch in by_conversation.values()]
        wait(fetching)  # all settle before a failure is raised, so a replay never races a download
        for fetched in fetching:
            fetched.result()
        with self._db.transaction() as cursor:
            if read_position(cursor, self.name, lock=True) != after:
                return False
            write_position(cursor, self.name, up_to)
        return True

    def _fetch_in_order(self, records: list[EventRecord]) -> None:
        for record in records:
            self._fetcher.fetch(record)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class MediaWorker:
    """One follower of `MediaReceived`, working while it holds the media lease."""

    def __init__(
        self,
        store: ConversationStore,
        database: Database,
        fetcher: MediaFetcher,
        lease: Lease,
        *,
        stop: threading.Event,
        batch_size: int,
        concurrency: int,
    ) -> None:
        self.lease = lease
        self.stop = stop
        self.consumer = MediaConsumer(database, fetcher, lease, concurrency)
        self.follower = LogFollower(
            StoreEventLog(store), self.consumer, batch_size=batch_size, topics=topics_for([MEDIA_RECEIVED])
        )

    def catch_up(self) -> int:
        """Fetches what the log holds now, if this worker holds the lease; returns records seen."""
        if not self.lease.hold():
            return 0
        return self.follower.catch_up()

    def run(self, waker: Waker, poll_seconds: float) -> None:
        try:
            follow([self.follower], self.stop, waker, poll_seconds, lease=self.lease)
        finally:
            self.consumer.close()

    def close(self) -> None:
        self.consumer.close()
        self.lease.release()

    def start_in_background(self, waker: Waker, poll_seconds: float) -> BackgroundRun:
        thread = threading.Thread(
            target=self.run, args=(waker, poll_seconds), name="convo-media", daemon=True
        )
        thread.start()
        return BackgroundRun(self.stop, thread, waker)
