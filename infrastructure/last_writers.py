"""Which worker process of this machine wrote each conversation last: a board in shared memory.

`convo serve --workers N` makes the board's file and names it to its workers
(`CONVO_LAST_WRITERS_FILE`). A worker whose cached copy of a conversation is the
last write the board knows of starts the turn from it without reading the log;
when another worker wrote last, it reads first. The board is only a hint: a slot
is shared by the conversations whose ids fall on it, and writers it does not know
(another machine, `convo forget`) never mark it. Whatever it says, a turn
started from a copy that is behind loses its save on the version, and is played
again, read first.
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path
from uuid import UUID

SLOTS = 1 << 16
_WRITER = struct.Struct("<Iq")  # writer id, version
_SLOT_SIZE = 16 + _WRITER.size  # the conversation id, then who wrote it last, at which version
SIZE = SLOTS * _SLOT_SIZE


def make_board(path: Path) -> None:
    """An empty board: nobody wrote anything yet."""
    with path.open("wb") as board:
        board.truncate(SIZE)


class SharedLastWriters:
    """The board, mapped in this process; `writer` tells this process's writes from the others'."""

    def __init__(self, path: Path, writer: int | None = None) -> None:
        self._writer = os.getpid() if writer is None else writer
        with path.open("r+b") as board:
            self._map = mmap.mmap(board.fileno(), SIZE)

    def wrote_last(self, conversation_id: UUID, version: int) -> bool:
        """Whether the last write the board knows of is this process's, at `version`."""
        start = _slot(conversation_id)
        return self._map[start : start + _SLOT_SIZE] == self._entry(conversation_id, version)

    def wrote(self, conversation_id: UUID, version: int) -> None:
        """This process committed `version` of the conversation."""
        start = _slot(conversation_id)
        self._map[start : start + _SLOT_SIZE] = self._entry(conversation_id, version)

    def close(self) -> None:
        self._map.close()

    def _entry(self, conversation_id: UUID, version: int) -> bytes:
        return conversation_id.bytes + _WRITER.pack(self._writer, version)


def _slot(conversation_id: UUID) -> int:
    # Conversation ids are keyed hashes: their low bits spread evenly over the slots.
    return (conversation_id.int % SLOTS) * _SLOT_SIZE
