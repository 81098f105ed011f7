"""Following the event log with tracking: one mechanism for every downstream consumer.

A consumer processes a batch of records and records how far it got in the
same transaction, so each record takes effect exactly once, and a consumer
stopped at any point resumes where its last transaction left it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from application.event_log.port import EventLog
from application.event_log.records import CONVERSATION_EVENT_TOPICS, EventRecord, OpensValues

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (position reached, head of the log)


class Consumer(Protocol):
    """Something that turns events into effects: a read model, outbound delivery..."""

    name: str

    def position(self) -> int:
        """The last log position whose effects are committed (0 before any)."""
        ...

    def process(self, records: Sequence[EventRecord], after: int, up_to: int) -> bool:
        """Commits the effects of `records` and the new position `up_to` atomically.

        Returns False, committing nothing, when the position is no longer
        `after` (another follower of the same consumer got there first).
        """
        ...


class FollowingPausedError(Exception):
    """A consumer stopped mid-batch on purpose (shutting down, lost its lease): nothing
    past its committed position took effect, so the batch is simply played again later."""


class Lease(Protocol):
    """Lets one follower of many work at a time, for consumers whose effects leave the system."""

    def hold(self) -> bool:
        """Takes or renews the lease; False while someone else holds it."""
        ...

    def release(self) -> None: ...


class Waker(Protocol):
    """Blocks until the log may have grown, or the timeout passes."""

    def wait(self, timeout: float) -> None: ...

    def close(self) -> None: ...


class LogFollower:
    def __init__(
        self,
        log: EventLog,
        consumer: Consumer,
        *,
        batch_size: int = 1000,
        topics: Sequence[str] = tuple(CONVERSATION_EVENT_TOPICS.values()),
        opens: OpensValues | None = None,
    ) -> None:
        """`opens(type, clear payload)`: whether the consumer reads an event's personal values."""
        self._log = log
        self.consumer = consumer
        self._batch_size = batch_size
        self._topics = list(topics)
        self._opens = opens

    def head(self) -> int:
        return self._log.head()

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Processes the log up to `until` (default: its head now); returns how many records."""
        target = self.head() if until is None else until
        processed = 0
        position = self.consumer.position()
        while position < target:
            records = self._log.after(
                position, limit=self._batch_size, stop=target, topics=self._topics, opens=self._opens
            )
            last = records[-1].position if len(records) == self._batch_size else None
            up_to = target if last is None else last  # a full batch: the log goes on past it
            if self.consumer.process(records, after=position, up_to=up_to):
                processed += len(records)
                position = up_to
            else:
                position = self.consumer.position()
            if progress is not None:
                progress(position, target)
        return processed


def follow(
    followers: Sequence[LogFollower],
    stop: threading.Event,
    waker: Waker,
    poll_seconds: float,
    lease: Lease | None = None,
) -> None:
    """Keeps every follower caught up until `stop` is set; failures are logged and retried.

    With a lease, the followers work only while this process holds it; the
    others wait, ready to take over when its holder stops renewing it.
    """
    try:
        while not stop.is_set():
            try:
                if lease is None or lease.hold():
                    for follower in followers:
                        follower.catch_up()
            except FollowingPausedError as paused:
                log.info("following paused: %s", paused)
            except Exception:
                log.exception("catching up with the event log failed; retrying")
                stop.wait(poll_seconds)
                continue
            waker.wait(poll_seconds)
    finally:
        if lease is not None:
            lease.release()
