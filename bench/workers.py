"""Spawned worker processes that stay up between rounds, each with convo and the baseline built once.

Spawning and importing take seconds: measured rounds must only time the turns.
Each process keeps its own conversations (and Chat states) for its share of the phones.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
import traceback
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.baseline import Baseline
from bench.chat import staggered, with_histories
from bench.scratch import settings_for
from bench.threads import split
from infrastructure.bootstrap import build

_RESULT_SECONDS = 600


def _serve(
    database_url: str, ids: Mapping[str, str], phones: list[str], threads: int, tag: str, pipe: Any
) -> None:
    try:
        container = build(settings_for(database_url))
        baseline = Baseline(database_url, threads, ids, f"{tag}.base")
    except BaseException:
        pipe.send({"error": traceback.format_exc()})
        return
    chats = staggered(phones, tag)
    with_histories(chats, container.service)
    groups = split(phones, threads)

    def convo(_: int, group: Sequence[str]) -> None:
        for phone in group:
            chats[phone].turn(container.service)

    players = {"convo": convo, "baseline": baseline.play}
    pipe.send({"ready": True})
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            while (who := pipe.recv()) is not None:
                try:
                    started = time.time()
                    futures = [pool.submit(players[who], n, group) for n, group in enumerate(groups)]
                    for future in futures:
                        future.result()
                    pipe.send({"started": started, "finished": time.time()})
                except BaseException:
                    pipe.send({"error": traceback.format_exc()})
    finally:
        baseline.close()
        container.close()


class WorkerProcesses:
    """`processes` spawned workers of `threads` threads, sharing `phones` between them."""

    def __init__(
        self, database_url: str, ids: Mapping[str, str], phones: Sequence[str], processes: int, threads: int
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes = []
        self._processes = []
        for n, part in enumerate(split(phones, processes)):
            here, there = context.Pipe()
            process = context.Process(
                target=_serve,
                args=(database_url, dict(ids), part, threads, f"wp{n}", there),
                name=f"bench-worker-{n}",
            )
            process.start()
            self._pipes.append(here)
            self._processes.append(process)
        for reply in self._replies():
            assert reply.get("ready")

    def _replies(self) -> list[dict[str, Any]]:
        replies = []
        for pipe in self._pipes:
            if not pipe.poll(_RESULT_SECONDS):
                raise RuntimeError(f"a bench worker gave no answer in {_RESULT_SECONDS} s")
            reply: dict[str, Any] = pipe.recv()
            if "error" in reply:
                raise RuntimeError(f"a bench worker failed:\n{reply['error']}")
            replies.append(reply)
        return replies

    def play(self, who: str) -> float:
        """Each worker plays a turn per phone of its share, all at once: time from first start to last end."""
        for pipe in self._pipes:
            pipe.send(who)
        replies = self._replies()
        return float(max(r["finished"] for r in replies) - min(r["started"] for r in replies))

    def close(self) -> None:
        for pipe in self._pipes:
            with contextlib.suppress(OSError):  # already gone
                pipe.send(None)
        for process in self._processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()
