"""Random bytes for nonces and request ids, from the system's generator, drawn in blocks.

CPython lets go of its interpreter lock around every `getrandom` call
(`os.urandom`, `uuid4`). A thread that lets go of it in the middle of a turn
may then wait a whole switch interval (5 ms) for it while other threads run:
a few such calls a turn, on a busy worker, are a queue of stalls. Drawing 4 KiB
at a time makes that once in hundreds of calls. The bytes are the same
generator's, each handed out once; a forked child starts with a block of its
own, never its parent's. Keys are not drawn from here: no future key lies in
memory before it is used. Each thread draws its own blocks: with one shared block
behind a lock, a thread that lost the interpreter lock while holding it (a
switch, the refill's `getrandom`) would make every other one wait for both.
"""

from __future__ import annotations

import os
import threading
from uuid import UUID

_BLOCK = 4096


class _Drawn(threading.local):
    block = b""
    used = 0


_drawn = _Drawn()


def random_bytes(count: int) -> bytes:
    """`count` bytes never handed out before in this process."""
    if count > _BLOCK:
        return os.urandom(count)
    drawn = _drawn
    start = drawn.used
    if start + count > len(drawn.block):
        drawn.block, start = os.urandom(_BLOCK), 0
    drawn.used = start + count
    return drawn.block[start : start + count]


def random_uuid() -> UUID:
    """What `uuid4()` makes, from `random_bytes`."""
    return UUID(bytes=random_bytes(16), version=4)


def _forget_in_child() -> None:
    # The child must not hand out what its parent already has or will: the forking thread,
    # the child's only one, had its block copied into the child.
    _drawn.block, _drawn.used = b"", 0


os.register_at_fork(after_in_child=_forget_in_child)
