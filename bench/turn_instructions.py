"""Instructions a turn costs the worker, counted by callgrind: repeatable where seconds are not.

`.venv/bin/python -m bench.turn_instructions [--subcontractors N]`. Runs a worker
under `valgrind --tool=callgrind` twice, each on a scratch PostgreSQL database
of its own: both play the throughput benchmark's mix (bench/chat.py) to warm
every cache, then one plays one more round of turns and the other five. The
difference, divided by the turns between them, is what a turn costs this
process (not the server), start-up and warm-up cancelled out. Runs of the same
code agree to within about 2% (2.361, 2.404 and 2.361 M), where timings on
this machine move by a fifth from one minute to the next: a change of a few
per cent shows here and nowhere else. About two minutes; needs valgrind.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys

from bench.chat import Chat
from bench.directory import add_subcontractors, crew
from bench.scratch import scratch_database, settings_for
from bench.timing import progress
from infrastructure.bootstrap import build

PHONES = "+3367100"
WARM_ROUNDS = 3
FEWER, MORE = 1, 5  # rounds measured by the two runs
_COLLECTED = re.compile(r"Collected : (\d+)")


def _play(database_url: str, subcontractors: int, rounds: int) -> None:
    """The measured process: warm-up rounds, then `rounds` more."""
    container = build(settings_for(database_url))
    try:
        chats = [Chat(member.phone, "instructions") for member in crew("I", PHONES, subcontractors)]
        for _ in range(WARM_ROUNDS + rounds):
            for chat in chats:
                chat.turn(container.service)
    finally:
        container.close()


def _instructions(database_url: str, subcontractors: int, rounds: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.turn_instructions",
        "--play",
        database_url,
        str(subcontractors),
        str(rounds),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    found = _COLLECTED.search(finished.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{finished.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.turn_instructions", description=__doc__)
    parser.add_argument("--subcontractors", type=int, default=100)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    counts: dict[int, int] = {}
    for rounds in (FEWER, MORE):
        # A database each, so that both runs start from the same nothing.
        with scratch_database() as url:
            add_subcontractors(url, crew("I", PHONES, args.subcontractors))
            progress(f"turn instructions: {WARM_ROUNDS} rounds to warm up, then {rounds}, under callgrind")
            counts[rounds] = _instructions(url, args.subcontractors, rounds)
    turns = (MORE - FEWER) * args.subcontractors
    per_turn = (counts[MORE] - counts[FEWER]) / turns
    print(f"instructions of the worker per turn: {per_turn / 1e6:.3f} M ({turns} turns, the benchmark's mix)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--play"]:
        _play(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
