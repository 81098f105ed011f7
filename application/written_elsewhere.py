"""Which conversations other processes write too: their cached copies are checked before a turn."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol
from uuid import UUID

# Reads that found nothing new before a conversation counts as this process's own again.
QUIET_READS = 16


class LastWriters(Protocol):
    """Who wrote each conversation last among the worker processes of one machine (a hint)."""

    def wrote_last(self, conversation_id: UUID, version: int) -> bool:
        """Whether this process's write at `version` is the last one known."""
        ...

    def wrote(self, conversation_id: UUID, version: int) -> None:
        """This process committed `version` of the conversation."""
        ...


class WrittenElsewhere:
    """Conversations another writer was seen to change, bounded to the `capacity` seen last.

    One person's messages spread by a load balancer over several workers make each
    worker's copy stale half the time: a turn started from it unchecked would be
    played twice. Those are read first, until `QUIET_READS` reads in a row found
    nothing new (the balancer, or the person, settled on this process).
    """

    def __init__(self, capacity: int) -> None:
        self._quiet_reads_left: OrderedDict[UUID, int] = OrderedDict()
        self._capacity = capacity
        self._guard = threading.Lock()

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._quiet_reads_left

    def seen(self, conversation_id: UUID) -> None:
        """Another writer changed it since this process's copy."""
        with self._guard:
            self._quiet_reads_left[conversation_id] = QUIET_READS
            self._quiet_reads_left.move_to_end(conversation_id)
            while len(self._quiet_reads_left) > self._capacity:
                self._quiet_reads_left.popitem(last=False)

    def read(self, conversation_id: UUID, moved: bool) -> None:
        """A read of its newer events found some (`moved`) or none."""
        if moved:
            self.seen(conversation_id)
            return
        with self._guard:
            left = self._quiet_reads_left.get(conversation_id)
            if left is None:
                return
            if left <= 1:
                del self._quiet_reads_left[conversation_id]
            else:
                self._quiet_reads_left[conversation_id] = left - 1
