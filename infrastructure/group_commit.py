"""Group commit: writes that arrive while another is in flight go together in the next one.

No thread of its own: the first caller to find no write in flight leads, writing
every request queued by then in one call; the others wait for their result.
When a write ends, the next queued request leads the following one. Alone, a
caller writes at once; under load, one lock and one commit serve many callers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Request(Generic[Item, Result]):
    __slots__ = ("error", "item", "lead", "ready", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        # Held until the request's outcome is known (or it is to lead): a bare lock, since
        # threading.Event's condition costs a lock and a waiters list on every wait and set,
        # and every turn under load goes through one.
        self.ready = threading.Lock()
        self.ready.acquire()
        self.lead = False  # set before `ready` is released: this request writes the next group
        self.result: Result | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[Item, Result]):
    """`write` takes the items of a group and gives one result (or exception) per item, in order."""

    def __init__(
        self,
        write: Callable[[Sequence[Item]], Sequence[Result | BaseException]],
        max_group: int = 64,
        *,
        fails_the_queue: Callable[[BaseException], bool] = lambda _error: False,
    ) -> None:
        self._write = write
        self._max_group = max_group
        # Whether a group's failure fails those queued behind it too (the database is away:
        # each of them would only wait for it again, one group after the other).
        self._fails_the_queue = fails_the_queue
        self._lock = threading.Lock()
        self._queue: list[_Request[Item, Result]] = []
        self._writing = False

    def submit(self, item: Item) -> Result:
        request: _Request[Item, Result] = _Request(item)
        with self._lock:
            self._queue.append(request)
            leads = not self._writing
            self._writing = True
        if not leads:
            request.ready.acquire()
            if not request.lead:
                return self._outcome(request)
        self._lead()
        return self._outcome(request)

    def _lead(self) -> None:
        with self._lock:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
        try:
            results = self._write([r.item for r in group])
            for request, result in zip(group, results, strict=True):
                if isinstance(result, BaseException):
                    request.error = result
                else:
                    request.result = result
        except BaseException as error:  # the whole group failed: each caller sees why
            if self._fails_the_queue(error):
                with self._lock:
                    group += self._queue
                    self._queue.clear()
            for request in group:
                request.error = error
        finally:
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._writing = successor is not None
            for request in group:
                request.lead = False
                request.ready.release()
            if successor is not None:
                successor.lead = True
                successor.ready.release()

    @staticmethod
    def _outcome(request: _Request[Item, Result]) -> Result:
        if request.error is not None:
            raise request.error
        return request.result  # type: ignore[return-value]
