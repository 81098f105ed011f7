"""3. One hot conversation: 32 concurrent turns from 2 worker processes of 16 threads."""

from __future__ import annotations

import multiprocessing
import queue
import resource
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.chat import Chat
from bench.report import Line, Target
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.timing import median, progress
from infrastructure.bootstrap import Container, build

Section = tuple[list[Line], list[str]]
SENDER = "+33600000001"  # demo subcontractor S-001
_BARRIER_SECONDS = 120
_RESULT_SECONDS = 600


def _drive(container: Container, tag: str, threads: int, turns: int, barrier: Any) -> dict[str, Any]:
    go = threading.Event()

    def work(thread: int) -> tuple[int, list[str]]:
        chat = Chat(SENDER, f"{tag}.t{thread}")
        go.wait()
        done, errors = 0, []
        for _ in range(turns):
            try:
                chat.turn(container.service)
                done += 1
            except Exception as error:
                errors.append(repr(error))
        return done, errors

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(work, n) for n in range(threads)]
        barrier.wait(timeout=_BARRIER_SECONDS)  # every process starts at once
        started = time.time()
        go.set()
        results = [future.result() for future in futures]
        finished = time.time()
    return {
        "started": started,
        "finished": finished,
        "done": sum(done for done, _ in results),
        "errors": [error for _, errors in results for error in errors],
        "conflicts": container.service.conflicts,
    }


def worker(database_url: str, tag: str, threads: int, turns: int, barrier: Any, results: Any) -> None:
    """Runs in a spawned process with its own container, like a real worker."""
    try:
        container = build(settings_for(database_url))
        try:
            outcome = _drive(container, tag, threads, turns, barrier)
        finally:
            container.close()
        outcome["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.put(outcome)
    except BaseException:
        results.put({"error": traceback.format_exc()})


def run_workers(
    database_url: str, tag: str, processes: int, threads: int, turns: int
) -> list[dict[str, Any]]:
    """Each of `processes` spawned workers plays `turns` turns on each of its `threads` threads."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=worker,
            args=(database_url, f"{tag}.p{n}", threads, turns, barrier, results),
            name=f"bench-{tag}-{n}",
        )
        for n in range(processes)
    ]
    for process in workers:
        process.start()
    outcomes: list[dict[str, Any]] = []
    try:
        for _ in workers:
            outcome = results.get(timeout=_RESULT_SECONDS)
            if "error" in outcome:
                barrier.abort()  # release the workers still waiting for this one
            outcomes.append(outcome)
    except queue.Empty:
        raise RuntimeError(f"a {tag} worker gave no result in {_RESULT_SECONDS} s") from None
    finally:
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()
    for outcome in outcomes:
        if "error" in outcome:
            raise RuntimeError(f"a {tag} worker failed:\n{outcome['error']}")
    return outcomes


def _rate(outcomes: list[dict[str, Any]]) -> float:
    wall: float = max(o["finished"] for o in outcomes) - min(o["started"] for o in outcomes)
    done: int = sum(o["done"] for o in outcomes)
    return done / wall


def run(database_url: str, sizes: Sizes) -> Section:
    processes, threads, per_thread = sizes.hot_processes, sizes.hot_threads, sizes.hot_turns_per_thread
    total = processes * threads * per_thread
    rate: dict[str, list[float]] = {"hot": [], "sequential": []}
    memory: dict[str, list[float]] = {"hot": [], "sequential": []}
    retries: list[float] = []
    failed = 0
    errors: list[str] = []
    progress(f"hot conversation: {processes} spawned workers x {threads} threads, {sizes.hot_rounds} rounds")
    for round_number in range(1, sizes.hot_rounds + 1):
        hot = run_workers(database_url, f"hot{round_number}", processes, threads, per_thread)
        sequential = run_workers(database_url, f"seq{round_number}", 1, 1, total)
        for name, outcomes in (("hot", hot), ("sequential", sequential)):
            rate[name].append(_rate(outcomes))
            memory[name].append(max(o["peak_rss_mb"] for o in outcomes))
            failed += sum(len(o["errors"]) for o in outcomes)
            errors += [e for o in outcomes for e in o["errors"]]
        retries.append(sum(o["conflicts"] for o in hot))
        progress(
            f"hot conversation round {round_number}/{sizes.hot_rounds}: {rate['hot'][-1]:.0f} turns/s "
            f"vs {rate['sequential'][-1]:.0f} sequential, {retries[-1]:.0f} retries"
        )

    section = (
        f"3. One hot conversation, {processes} processes x {threads} threads "
        f"({processes * threads} concurrent turns), PostgreSQL"
    )
    played = 2 * total * sizes.hot_rounds
    lines = [
        Line(
            section,
            f"throughput, {total} turns from {processes * threads} threads",
            median(rate["hot"]),
            "turns/s",
            samples=rate["hot"],
            baseline=median(rate["sequential"]),
            baseline_samples=rate["sequential"],
            baseline_label="same turns, 1 thread, 1 process",
        ),
        Line(section, f"retries (version conflicts) per {total} turns", median(retries), "", samples=retries),
        Line(
            section,
            "failed turns, all rounds",
            float(failed),
            "",
            baseline=float(played),
            baseline_label="turns played",
            target=Target("<=", 0),
            must_pass=True,
        ),
        Line(
            section,
            "peak memory of a worker under that load",
            median(memory["hot"]),
            "MB",
            samples=memory["hot"],
            baseline=median(memory["sequential"]),
            baseline_samples=memory["sequential"],
            baseline_label="sequential worker",
        ),
    ]
    notes = [
        f"hot conversation: {sum(retries):.0f} retries in all, {sizes.hot_rounds} rounds of {total} turns; "
        f"peak memory is ru_maxrss of a worker process (the most of the {processes} per round)."
    ]
    notes += [f"hot conversation: turn failed: {error}" for error in errors[:5]]
    return lines, notes
