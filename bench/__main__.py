"""`python -m bench [--quick] [--only SECTION] [--json PATH]`: benchmarks on a scratch PostgreSQL database."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from bench import (
    audit_latency,
    cluster,
    console_page,
    deliveries_latency,
    delivery_rate,
    hot,
    http_saturation,
    latency,
    observability,
    rebuild_rate,
    request_cpu,
    shredding,
    throughput,
    understanding_cost,
    versus_baseline,
    webhook_batch,
    worker_memory,
    workers_latency,
)
from bench.report import Line, render, write_json
from bench.scratch import SERVER_URL, scratch_database, server_version
from bench.sizes import FULL, QUICK, Sizes
from bench.timing import progress

SECTIONS: tuple[Callable[[str, Sizes], tuple[list[Line], list[str]]], ...] = (
    throughput.run,
    understanding_cost.run,
    versus_baseline.run,
    http_saturation.run,
    request_cpu.run,
    webhook_batch.run,
    cluster.run,
    latency.run,
    hot.run,
    rebuild_rate.run,
    audit_latency.run,
    delivery_rate.run,
    deliveries_latency.run,
    observability.run,
    console_page.run,
    workers_latency.run,
    worker_memory.run,
    shredding.run,
)


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds, so the scratch database is dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of under a minute")
    parser.add_argument(
        "--only",
        action="append",
        choices=[section.__module__.rpartition(".")[2] for section in SECTIONS],
        metavar="SECTION",
        help="run only this section (its module's name, e.g. versus_baseline); may be repeated",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results to this file")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    signal.signal(signal.SIGTERM, _terminate)

    version = server_version()
    progress(f"{'quick' if args.quick else 'full'} run on PostgreSQL {version}, {os.cpu_count()} CPUs")
    lines: list[Line] = []
    notes: list[str] = []
    with scratch_database() as database_url:
        progress(f"scratch database {database_url.rpartition('/')[2]} created")
        for section in SECTIONS:
            if args.only and section.__module__.rpartition(".")[2] not in args.only:
                continue
            section_lines, section_notes = section(database_url, sizes)
            lines += section_lines
            notes += section_notes
    progress("scratch database dropped")

    print()
    print(render(lines), flush=True)
    print()
    for note in notes:
        print(f"* {note}")
    if args.json:
        meta = {
            "run": "quick" if args.quick else "full",
            "sizes": sizes.__dict__,
            "postgresql": version,
            "server": SERVER_URL.rpartition("@")[2],
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }
        write_json(args.json, lines, meta)
        print(f"* results written to {args.json}")
    return 1 if any(line.must_pass and line.verdict == "MISSED" for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
