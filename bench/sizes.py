"""How big each benchmark is: the full run and the quick smoke run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    subcontractors: int = 1000
    thread_counts: tuple[int, ...] = (1, 8)
    throughput_rounds: int = 7
    batch_messages: int = 1000  # in one WhatsApp webhook
    batch_rounds: int = 3
    large_history: int = 10_000  # events before the first sampled turn
    small_history_turns: int = 3  # about 10 events
    latency_rounds: int = 3
    latency_samples: int = 150  # turns per conversation size, per round
    hot_rounds: int = 7
    hot_processes: int = 2
    hot_threads: int = 16
    hot_turns_per_thread: int = 4
    rebuild_events: int = 1_000_000
    rebuild_rounds: int = 3
    audit_events: int = 100_000
    audit_requests: int = 60
    delivery_replies: int = 2000
    delivery_rounds: int = 3
    cluster_subcontractors: int = 500
    cluster_rounds: int = 3
    deliveries_events: int = 10_000
    deliveries_requests: int = 30
    observability_rounds: int = 7
    console_events: int = 10_000  # the console's conversation page
    console_requests: int = 30
    workers_rounds: int = 5  # convo serve --workers N
    workers_requests: int = 200  # per server, kind of request and round
    memory_conversations: int = 100_000  # worker RSS after this many, against after 1,000
    shredding_rounds: int = 5  # sealed against clear: rebuilds and erasures
    understanding_messages: int = 2_000  # typed messages of the corpus per round (at most all of them)
    understanding_rounds: int = 3
    http_subcontractors: int = 500  # behind the two servers' generic webhook
    http_seconds: float = 10.0  # per measurement: saturation, then half load
    http_rounds: int = 3
    request_cpu_requests: int = 3_000  # per server and round: worker CPU per request
    request_cpu_rounds: int = 3
    shredding_events: int = 200_000  # in each of the sealed and the clear log
    erasure_events: int = 10_000  # the history of each person erased


FULL = Sizes()
QUICK = Sizes(
    subcontractors=200,
    throughput_rounds=2,
    batch_messages=200,
    batch_rounds=1,
    large_history=1_000,
    latency_rounds=2,
    latency_samples=30,
    hot_rounds=2,
    hot_turns_per_thread=2,
    rebuild_events=30_000,
    rebuild_rounds=1,
    audit_events=3_000,
    audit_requests=15,
    delivery_replies=300,
    delivery_rounds=1,
    cluster_subcontractors=100,
    cluster_rounds=1,
    deliveries_events=2_000,
    deliveries_requests=10,
    observability_rounds=2,
    console_events=2_000,
    console_requests=10,
    workers_rounds=2,
    workers_requests=60,
    memory_conversations=5_000,
    shredding_rounds=2,
    shredding_events=20_000,
    understanding_messages=300,
    understanding_rounds=2,
    http_subcontractors=100,
    http_seconds=4.0,
    http_rounds=1,
    request_cpu_requests=600,
    request_cpu_rounds=1,
)
