"""Three PostgreSQL nodes under Patroni, synchronous, against one PostgreSQL: turn throughput and latency.

Both are measured in the same rounds, alternately: 1 thread, 8 threads, and 2 spawned worker
processes of 4 threads. The cluster (tests/ha_cluster.py) runs on this same machine, so its three
nodes share the cores with the benchmark and the ratio is a lower bound.
Alone: `.venv/bin/python -m bench.cluster [--quick]`.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import psycopg

from bench.chat import Chat
from bench.directory import add_subcontractors, crew
from bench.report import Line
from bench.scratch import settings_for
from bench.sizes import Sizes
from bench.threads import split
from bench.timing import median, progress
from infrastructure.bootstrap import build, migrate
from infrastructure.demo_data import load_demo_data
from infrastructure.persistence import open_database

Section = tuple[list[Line], list[str]]
SINGLE, CLUSTER = "one PostgreSQL", "3-node synchronous cluster"
TARGET_RATE = 200.0  # turns/s sustained, the next step in size
PHONES = "+3364000"  # a block of numbers no other section uses (they share the scratch database)
_RESULT_SECONDS = 600


def _play(database_url: str, groups: list[list[str]], tag: str) -> dict[str, Any]:
    """Plays one turn per phone, one thread per group, in a container of its own; times each turn."""
    container = build(settings_for(database_url))
    try:

        def work(group: list[str]) -> list[float]:
            latencies = []
            for phone in group:
                chat = Chat(phone, tag)
                started = time.perf_counter()
                chat.turn(container.service)
                latencies.append(time.perf_counter() - started)
            return latencies

        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            started = time.time()
            results = list(pool.map(work, groups))
            finished = time.time()
        return {"started": started, "finished": finished, "latencies": [x for r in results for x in r]}
    finally:
        container.close()


def _worker(database_url: str, groups: list[list[str]], tag: str, results: Any) -> None:
    try:
        results.put(_play(database_url, groups, tag))
    except BaseException:
        results.put({"error": traceback.format_exc()})


def _in_processes(
    database_url: str, phones: Sequence[str], processes: int, threads: int, tag: str
) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    parts = split(phones, processes)
    workers = [
        context.Process(target=_worker, args=(database_url, split(part, threads), f"{tag}.p{n}", results))
        for n, part in enumerate(parts)
    ]
    for process in workers:
        process.start()
    try:
        outcomes = [results.get(timeout=_RESULT_SECONDS) for _ in workers]
    except queue.Empty:
        raise RuntimeError(f"a {tag} worker gave no result in {_RESULT_SECONDS} s") from None
    finally:
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    for outcome in outcomes:
        if "error" in outcome:
            raise RuntimeError(f"a {tag} worker failed:\n{outcome['error']}")
    return outcomes


def _measure(
    database_url: str, phones: Sequence[str], shape: tuple[int, int], tag: str
) -> tuple[float, list[float]]:
    """turns/s and each turn's latency, for `shape` = (processes, threads per process)."""
    processes, threads = shape
    if processes == 1:
        outcomes = [_play(database_url, split(phones, threads), tag)]
    else:
        outcomes = _in_processes(database_url, phones, processes, threads, tag)
    wall = max(o["finished"] for o in outcomes) - min(o["started"] for o in outcomes)
    latencies = [x for o in outcomes for x in o["latencies"]]
    return len(latencies) / wall, latencies


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")


def _new_database(cluster_url: str, dbname: str) -> str:
    """A database on the cluster, prepared as bench/scratch.py prepares the single server's."""
    with psycopg.connect(cluster_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {dbname}")
    url = urlsplit(cluster_url)._replace(path=f"/{dbname}").geturl()
    settings = settings_for(url)
    migrate(settings)
    database = open_database(settings)
    try:
        load_demo_data(database)
    finally:
        database.close()
    return url


def _crew(url: str, count: int) -> list[str]:
    members = crew("C", PHONES, count)
    add_subcontractors(url, members)
    return [m.phone for m in members]


def run(database_url: str, sizes: Sizes) -> Section:
    # Imported here: a machine without the cluster's tools still runs every other section.
    from tests.ha_cluster import cluster_problem, running_cluster

    problem = cluster_problem()
    if problem is not None:
        progress(f"cluster: skipped, {problem}")
        return [], [f"cluster: not measured here, {problem}"]
    shapes = {"1 thread": (1, 1), "8 threads": (1, 8), "2 processes x 4 threads": (2, 4)}
    rate: dict[tuple[str, str], list[float]] = defaultdict(list)
    p99: dict[tuple[str, str], list[float]] = defaultdict(list)
    progress("cluster: starting three nodes under Patroni")
    with running_cluster() as cluster:
        urls = {SINGLE: database_url, CLUSTER: _new_database(cluster.url(), "convo_bench")}
        phones = {target: _crew(url, sizes.cluster_subcontractors) for target, url in urls.items()}
        count = sizes.cluster_subcontractors
        progress(f"cluster: up, leader {cluster.leader().name}; warm-up of {count} conversations each")
        for target, url in urls.items():
            _measure(url, phones[target], (1, 8), "warm")
        for round_number in range(1, sizes.cluster_rounds + 1):
            for name, shape in shapes.items():
                for target, url in urls.items():
                    turns_per_second, latencies = _measure(url, phones[target], shape, f"c{round_number}")
                    rate[target, name].append(turns_per_second)
                    p99[target, name].append(_p99(latencies))
            summary = ", ".join(
                f"{n}: {rate[CLUSTER, n][-1]:.0f} vs {rate[SINGLE, n][-1]:.0f}" for n in shapes
            )
            progress(f"cluster round {round_number}/{sizes.cluster_rounds}: turns/s {summary}")
    return _lines(sizes, shapes, rate, p99)


def _lines(
    sizes: Sizes,
    shapes: dict[str, tuple[int, int]],
    rate: dict[tuple[str, str], list[float]],
    p99: dict[tuple[str, str], list[float]],
) -> Section:
    section = (
        "Cluster: three nodes under Patroni, synchronous, vs one PostgreSQL, "
        f"{sizes.cluster_subcontractors} subcontractors"
    )
    lines: list[Line] = []
    for name in shapes:
        lines.append(
            Line(
                section,
                f"cluster, {name}",
                median(rate[CLUSTER, name]),
                "turns/s",
                samples=rate[CLUSTER, name],
                baseline=median(rate[SINGLE, name]),
                baseline_label=f"{SINGLE}, {name}",
                baseline_samples=rate[SINGLE, name],
            )
        )
    for name in shapes:
        lines.append(
            Line(
                section,
                f"p99 turn latency, cluster, {name}",
                median(p99[CLUSTER, name]),
                "ms",
                samples=p99[CLUSTER, name],
                baseline=median(p99[SINGLE, name]),
                baseline_label=f"{SINGLE}, {name}",
                baseline_samples=p99[SINGLE, name],
            )
        )
    best = max(shapes, key=lambda n: median(rate[SINGLE, n]))
    ceiling = median(rate[SINGLE, best])
    lines.append(
        Line(
            section,
            f"{SINGLE}'s ceiling here ({best})",
            ceiling,
            "turns/s",
            samples=rate[SINGLE, best],
            baseline=TARGET_RATE,
            baseline_label="200 turns/s to sustain",
        )
    )
    best_cluster = max(shapes, key=lambda n: median(rate[CLUSTER, n]))
    lines.append(
        Line(
            section,
            f"cluster's ceiling here ({best_cluster})",
            median(rate[CLUSTER, best_cluster]),
            "turns/s",
            samples=rate[CLUSTER, best_cluster],
            baseline=TARGET_RATE,
            baseline_label="200 turns/s to sustain",
        )
    )
    notes = [
        "cluster: the three nodes, etcd and Patroni run on this machine and share its cores with the "
        "benchmark and the single server: the cluster's ratio is a lower bound.",
        "cluster: every commit waits for the synchronous standby's flush while holding the event store's "
        "table lock, so that round trip is paid once per write, in a single line.",
    ]
    return lines, notes


if __name__ == "__main__":
    import sys

    from bench.report import render
    from bench.scratch import scratch_database
    from bench.sizes import FULL, QUICK

    with scratch_database() as url:
        section_lines, section_notes = run(url, QUICK if "--quick" in sys.argv else FULL)
    print(render(section_lines))
    print(*section_notes, sep="\n")
