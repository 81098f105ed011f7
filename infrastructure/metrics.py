"""Prometheus metrics of every convo process: what they count, and how they are exposed.

Counters and histograms live in the process that counts. Under
`convo serve --workers N` each worker writes them to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multiprocess mode, set up
by `convo serve` before the workers start), and `/metrics`, whichever
worker answers it, adds up every worker's. Lags are read from the
database when scraped, so they are the same whoever answers.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

TURNS = Counter(
    "convo_turns",
    "Turns by channel and outcome: handled, duplicate (a redelivery, answered from its receipt), "
    "refused (no free turn slot: 503) or failed (an error: 5xx).",
    ["channel", "outcome"],
)
TURN_SECONDS = Histogram(
    "convo_turn_duration_seconds",
    "Time to handle a turn, retries included.",
    ["channel"],
    buckets=_LATENCY_BUCKETS,
)
VERSION_CONFLICTS = Counter(
    "convo_turn_version_conflicts",
    "Saves of a turn that lost the race for the conversation's version.",
    ["channel"],
)
RETRIED_TURNS = Counter("convo_turns_retried", "Turns that needed more than one attempt.", ["channel"])
REPLAYED_BEHIND = Counter(
    "convo_turns_replayed_behind",
    "Turns started from a cached conversation that another writer had moved on, and played again.",
    ["channel"],
)
DECISIONS = Counter(
    "convo_understanding_decisions",
    "What turns were understood as, by layer (button for a press acted on directly) and intent.",
    ["layer", "intent"],
)
DIRECT_ACTION_FAILURES = Counter(
    "convo_direct_action_failures", "Presses whose direct action failed, by reason.", ["reason"]
)
FALLBACKS = Counter(
    "convo_fallbacks", "Presses whose direct action failed and whose title the understanding pipeline read."
)
WEBHOOK_RESPONSES = Counter(
    "convo_webhook_responses", "Webhook answers by channel and HTTP status code.", ["channel", "status"]
)
UNAVAILABLE = Counter(
    "convo_unavailable_responses",
    "503 answers by cause: busy (no turn slot), conflict (a turn kept losing races), database.",
    ["cause"],
)
DELIVERY_ATTEMPTS = Counter(
    "convo_delivery_attempts",
    "Calls to a provider by result: sent, throttled, temporary, permanent, error.",
    ["channel", "result"],
)
DELIVERY_SEND_SECONDS = Histogram(
    "convo_delivery_send_duration_seconds",
    "Time of one call to a provider.",
    ["channel"],
    buckets=_SEND_BUCKETS,
)
DELIVERIES = Counter(
    "convo_deliveries",
    "Replies whose outcome was recorded, by channel: delivered or failed.",
    ["channel", "outcome"],
)
OPERATOR_REPLIES = Counter(
    "convo_operator_replies", "Operators' answers from the console: recorded or refused.", ["outcome"]
)
POOL_IN_USE = Gauge(
    "convo_pool_connections_in_use",
    "PostgreSQL connections lent out, per pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_OPEN = Gauge(
    "convo_pool_connections_open",
    "PostgreSQL connections open, per pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "convo_pool_requests_waiting",
    "Requests waiting for a PostgreSQL connection now, per pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_WAITS = Counter("convo_pool_waits", "Requests for a connection that had to wait, per pool.", ["pool"])
POOL_WAIT_SECONDS = Counter(
    "convo_pool_wait_seconds", "Time spent waiting for a connection, per pool.", ["pool"]
)
POOL_TIMEOUTS = Counter("convo_pool_timeouts", "Requests that got no connection in time, per pool.", ["pool"])


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


@dataclass(frozen=True)
class Position:
    name: str
    position: int
    head: int


class LagCollector(Collector):
    """Each follower's position and lag behind the log's head, read when scraped."""

    def __init__(self, positions: Callable[[], Sequence[Position]]) -> None:
        self._positions = positions

    def collect(self) -> Iterator[Metric]:
        try:
            positions = list(self._positions())
        except Exception:
            log.warning("metrics: the followers' positions could not be read", exc_info=True)
            return
        head = GaugeMetricFamily("convo_log_head_position", "The newest position of the event log.")
        lag = GaugeMetricFamily(
            "convo_follower_lag_events",
            "Events of the log a follower has not processed yet: projections, delivery, directory changes.",
            labels=["follower"],
        )
        position = GaugeMetricFamily(
            "convo_follower_position", "The log position a follower has processed.", labels=["follower"]
        )
        for p in positions:
            lag.add_metric([p.name], max(0, p.head - p.position))
            position.add_metric([p.name], p.position)
        if positions:
            head.add_metric([], max(p.head for p in positions))
        yield from (head, lag, position)


class PoolSampler:
    """Copies psycopg pools' statistics into the metrics, every few seconds and when scraped."""

    def __init__(self, pools: dict[str, Any], every: float = 5.0) -> None:
        self._pools = pools
        self._every = every
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> None:
        with self._lock:
            for name, pool in self._pools.items():
                try:
                    stats = pool.get_stats()
                except Exception:  # a closed pool
                    log.debug("pool %s has no statistics", name, exc_info=True)
                    continue
                POOL_OPEN.labels(name).set(stats.get("pool_size", 0))
                POOL_IN_USE.labels(name).set(stats.get("pool_size", 0) - stats.get("pool_available", 0))
                POOL_WAITING.labels(name).set(stats.get("requests_waiting", 0))
                self._add(POOL_WAITS, name, "requests_queued", stats.get("requests_queued", 0))
                self._add(
                    POOL_WAIT_SECONDS, name, "requests_wait_ms", stats.get("requests_wait_ms", 0) / 1000
                )
                self._add(POOL_TIMEOUTS, name, "requests_errors", stats.get("requests_errors", 0))

    def _add(self, counter: Counter, pool: str, stat: str, total: float) -> None:
        key = (pool, stat)
        delta = total - self._seen.get(key, 0.0)
        if delta > 0:
            counter.labels(pool).inc(delta)
        self._seen[key] = total

    def start(self) -> PoolSampler:
        if self._pools and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="convo-pool-metrics", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.sample()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def exposition(collectors: Iterable[Collector] = ()) -> bytes:
    """The text format of every metric: this process's, or every worker's in multiprocess mode."""
    extra = CollectorRegistry(auto_describe=True)
    for collector in collectors:
        extra.register(collector)
    if multiprocess():
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
        return generate_latest(counted) + generate_latest(extra)
    return generate_latest(REGISTRY) + generate_latest(extra)


def process_exiting() -> None:
    """In multiprocess mode, drops this process's live gauges (pools) from the sums."""
    if multiprocess():
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
