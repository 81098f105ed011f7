"""A provider's batch of messages: different senders' turns at once, each sender's in order.

Meta puts many messages in one webhook. One after another, a batch of 1,000
took longer than the provider waits for an answer. Turns of different
conversations do not touch each other, so they run on a few threads; a sender's
messages stay in the order they came, and a sender whose message fails stops
there, so the provider's retry of the batch handles the rest in order (the
messages already handled are answered from their receipts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from application.inbound import Inbound


def handle_batch(messages: Sequence[Inbound], handle: Callable[[Inbound], object], threads: int) -> None:
    """Calls `handle` once per message; raises the first failure once every sender has stopped."""
    by_sender: dict[str, list[Inbound]] = {}
    for message in messages:
        by_sender.setdefault(message.sender, []).append(message)
    if threads <= 1 or len(by_sender) <= 1:
        for message in messages:
            handle(message)
        return

    def in_order(own: list[Inbound]) -> None:
        for message in own:
            handle(message)

    with ThreadPoolExecutor(max_workers=min(threads, len(by_sender)), thread_name_prefix="batch") as pool:
        futures = [pool.submit(in_order, own) for own in by_sender.values()]
        errors = [error for future in futures if (error := future.exception()) is not None]
    if errors:
        raise errors[0]
