"""Instructions a generic-webhook request costs the worker, convo against the baseline app, by callgrind.

`.venv/bin/python -m bench.request_instructions`. What `request_cpu` measures in seconds, counted
instead: each app (convo's, and the baseline's behind the same FastAPI) answers the same webhooks
through its ASGI interface in one process, one request at a time, on uvloop, with no socket in
between (uvicorn's share is the same for both). Each runs twice under `valgrind --tool=callgrind`,
on a scratch PostgreSQL database of its own: both runs warm up alike, then one answers FEWER more
requests and the other MORE; the difference, divided by the requests between them, is what a request
costs the process (threads included, not the database server). Repeatable to a few per cent where
timings move by a fifth: a change to the HTTP path shows here. About five minutes; needs valgrind.

With `--split`, each app also hands the same messages to its turn directly, without the web stack
(convo's service, the baseline app's turn function): what a request costs beyond is the web stack's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from bench.baseline import Baseline
from bench.directory import add_subcontractors, crew
from bench.http_saturation import TEXTS
from bench.scratch import scratch_database, settings_for
from bench.timing import progress

PHONES = "+3366700"  # a block of numbers no other section uses
PEOPLE = 100
TOKEN = "bench-request-instructions-token"
WARM = 2 * PEOPLE  # every conversation started, every cache warm
FEWER, MORE = 50, 250
CONVO, BASELINE = "convo", "baseline"
_COLLECTED = re.compile(r"Collected : (\d+)")

Message = dict[str, Any]


def _app(which: str, database_url: str) -> Any:
    if which == CONVO:
        from api.app import create_app
        from infrastructure.bootstrap import build

        return create_app(build(settings_for(database_url, generic_webhook_token=TOKEN)))
    os.environ["BENCH_DATABASE_URL"] = database_url
    from bench.baseline_app import app

    return app


async def _post(app: Any, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/generic",
        "raw_path": b"/webhooks/generic",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {TOKEN}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> Message:
        if pending:
            return pending.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


def _turn_of(which: str, app: Any) -> Callable[[dict[str, str]], None]:
    """The app's turn, called with a webhook's body without the web stack."""
    if which == CONVO:
        from application.inbound import Inbound

        service = app.state.container.service

        def convo_turn(body: dict[str, str]) -> None:
            service.handle(
                Inbound(
                    channel="generic", message_id=body["message_id"], sender=body["from"], text=body["text"]
                )
            )

        return convo_turn
    from bench.baseline_app import GenericMessage, _turn

    def baseline_turn(body: dict[str, str]) -> None:
        _turn(GenericMessage.model_validate(body))

    return baseline_turn


def _play(which: str, database_url: str, measured: int, turns_only: bool) -> None:
    """The measured process: WARM requests, then `measured` more; any answer but 200 fails it."""
    import uvloop

    phones = [member.phone for member in crew("RI", PHONES, PEOPLE)]
    app = _app(which, database_url)

    async def main() -> None:
        async with app.router.lifespan_context(app):
            turn = _turn_of(which, app)
            for n in range(WARM + measured):
                body = {"message_id": f"ri-{n}", "from": phones[n % PEOPLE], "text": TEXTS[n % len(TEXTS)]}
                if turns_only:
                    turn(body)
                    continue
                status = await _post(app, json.dumps(body).encode())
                if status != 200:
                    raise SystemExit(f"{which}: request {n} answered {status}")

    uvloop.run(main())


def _instructions(which: str, database_url: str, measured: int, turns_only: bool) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    command += ["-m", "bench.request_instructions", "--play", which, database_url, str(measured)]
    command += ["--turns-only"] if turns_only else []
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(finished.stderr)
    if finished.returncode != 0 or found is None:
        raise RuntimeError(
            f"{which} under callgrind failed:\n{finished.stdout[-1000:]}{finished.stderr[-3000:]}"
        )
    return int(found.group(1))


def per_request(which: str, turns_only: bool = False) -> float:
    """Instructions of the worker per request (per turn, `turns_only`), for `which` app."""
    counts: dict[int, int] = {}
    for measured in (FEWER, MORE):
        # A database each, so that both runs start from the same nothing.
        with scratch_database() as url:
            add_subcontractors(url, crew("RI", PHONES, PEOPLE))
            if which == BASELINE:
                Baseline(url, 1, {}, "tables").close()  # its tables
            what = f"{which}{', turns only' if turns_only else ''}"
            progress(f"request instructions: {what}, {WARM} to warm up, then {measured}, under callgrind")
            counts[measured] = _instructions(which, url, measured, turns_only)
    return (counts[MORE] - counts[FEWER]) / (MORE - FEWER)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_instructions", description=__doc__)
    parser.add_argument("--only", choices=(CONVO, BASELINE), help="count one app only")
    parser.add_argument(
        "--split", action="store_true", help="also count the turns alone, without the web stack"
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    apps = [which for which in (CONVO, BASELINE) if args.only in (None, which)]
    found = {which: per_request(which) for which in apps}
    turns = {which: per_request(which, turns_only=True) for which in apps} if args.split else {}
    for which, count in found.items():
        print(f"instructions of the worker per generic-webhook request, {which}: {count / 1e6:.3f} M")
        if which in turns:
            stack = count - turns[which]
            print(f"  of which its turn {turns[which] / 1e6:.3f} M, the web stack {stack / 1e6:.3f} M")
    if len(found) == 2:
        print(f"convo against the baseline app: {found[CONVO] / found[BASELINE]:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--play"]:
        _play(sys.argv[2], sys.argv[3], int(sys.argv[4]), turns_only="--turns-only" in sys.argv[5:])
    else:
        main()
