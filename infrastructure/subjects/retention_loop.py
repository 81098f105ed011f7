"""Retention in the background of a long-running process: a pass at start, then every hour."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from infrastructure.subjects.retention import Retention

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0


@dataclass
class RetentionLoop:
    stop: threading.Event
    thread: threading.Thread

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.thread.join(timeout)


def retain_in_background(retention: Retention, every_seconds: float = EVERY_SECONDS) -> RetentionLoop | None:
    """None when retention is off. Passes are idempotent: several processes may run them."""
    if retention.cutoff() is None:
        return None
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                shredded = retention.run()
                if shredded:
                    log.info("retention shredded %s session(s)", shredded)
            except Exception:  # the next pass retries; the service goes on
                log.warning("a retention pass failed", exc_info=True)
            stop.wait(every_seconds)

    thread = threading.Thread(target=loop, name="retention", daemon=True)
    thread.start()
    return RetentionLoop(stop, thread)
