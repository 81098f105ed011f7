"""Runs every projection's follower: inside `convo serve`, or as `convo projections run`."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from application.event_log.store_log import StoreEventLog
from application.event_store import ConversationStore
from application.following import LogFollower, Waker, follow
from infrastructure.database import Database
from infrastructure.directory_follower import TOPICS as CHANGE_TOPICS
from infrastructure.directory_follower import DirectoryChangeConsumer
from infrastructure.projections.registry import PROJECTIONS
from infrastructure.projections.tracking import ProjectionConsumer


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


class ProjectionRunner:
    def __init__(self, database: Database, store: ConversationStore, *, batch_size: int = 1000) -> None:
        self._log = StoreEventLog(store)
        self.followers = [
            LogFollower(
                self._log,
                ProjectionConsumer(database, projection),
                batch_size=batch_size,
                topics=projection.topics,
                opens=projection.opens_values,
            )
            for projection in PROJECTIONS.values()
        ]
        # Not a read model (it is never rebuilt), but it follows the log the same way.
        self.followers.append(
            LogFollower(
                self._log, DirectoryChangeConsumer(database), batch_size=batch_size, topics=CHANGE_TOPICS
            )
        )

    def catch_up(self) -> int:
        return sum(follower.catch_up() for follower in self.followers)

    def status(self) -> list[ProjectionStatus]:
        head = self._log.head()
        return [ProjectionStatus(f.consumer.name, f.consumer.position(), head) for f in self.followers]

    def run(self, stop: threading.Event, waker: Waker, poll_seconds: float = 1.0) -> None:
        """Keeps every projection caught up until `stop` is set."""
        follow(self.followers, stop, waker, poll_seconds)

    def start_in_background(self, waker: Waker, poll_seconds: float = 1.0) -> BackgroundRun:
        stop = threading.Event()
        thread = threading.Thread(
            target=self.run, args=(stop, waker, poll_seconds), name="convo-projections", daemon=True
        )
        thread.start()
        return BackgroundRun(stop, thread, waker)


@dataclass
class BackgroundRun:
    stop: threading.Event
    thread: threading.Thread
    waker: Waker

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.waker.close()
        self.thread.join(timeout)
