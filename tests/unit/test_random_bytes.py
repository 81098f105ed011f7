"""Nonces and request ids come from blocks of the system's generator, each byte handed out once."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from application.random_bytes import random_bytes, random_uuid


def _draw_in_child(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(random_bytes(12))


def test_draws_never_repeat_across_blocks() -> None:
    drawn = [random_bytes(12) for _ in range(2_000)]  # several blocks of 4 KiB
    assert all(len(nonce) == 12 for nonce in drawn)
    assert len(set(drawn)) == len(drawn)


def test_threads_never_hand_out_the_same_bytes() -> None:
    def draw(_: int) -> list[bytes]:
        return [random_bytes(12) for _ in range(1_000)]  # three blocks each

    with ThreadPoolExecutor(max_workers=8) as pool:
        drawn = [nonce for nonces in pool.map(draw, range(8)) for nonce in nonces]
    assert len(set(drawn)) == len(drawn) == 8_000


def test_a_forked_child_never_hands_out_what_its_parent_will() -> None:
    random_bytes(12)  # the parent holds a block, partly used
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    child = context.Process(target=_draw_in_child, args=(queue,))
    child.start()
    from_child = queue.get(timeout=30)
    child.join(timeout=30)
    assert from_child != random_bytes(12)


def test_more_than_a_block_is_drawn_whole() -> None:
    assert len(random_bytes(10_000)) == 10_000


def test_random_uuids_are_version_4() -> None:
    made = {random_uuid() for _ in range(1_000)}
    assert len(made) == 1_000
    assert {uuid.version for uuid in made} == {4}
