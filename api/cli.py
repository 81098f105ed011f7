"""The `convo` command line."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from typing import Annotated, Protocol

import typer
import uvicorn
from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError
from rich.console import Console

from api.allocator import Allocator, allocator_environment, runs_on_jemalloc, start_again_on
from api.chat import ChatSession, ChatTransport, HttpTransport, InProcessTransport, ServerRefusedError
from api.progress import log_progress
from api.running import WorkerOperations, uvicorn_logging, workers_share_last_writers, workers_share_metrics
from api.server_stack import server_stack
from api.subjects_cli import register as register_subject_commands
from api.transcript import transcript
from api.understand_cli import understand_app
from application.audit import MAX_POSITION, EventFilter
from application.event_log.records import EventRecord
from application.following import Waker
from infrastructure.bootstrap import Container, build, migrate
from infrastructure.demo_data import load_demo_data
from infrastructure.leases import Lease
from infrastructure.media.fetcher import media_status, media_worker
from infrastructure.persistence import open_database
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS, projection_named
from infrastructure.settings import Settings
from infrastructure.subjects.retention_loop import retain_in_background

app = typer.Typer(help="convo: event-sourced conversations for the site bot.", no_args_is_help=True)
projections_app = typer.Typer(help="Analytics read models: status, follow, rebuild.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(understand_app, name="understand")
register_subject_commands(app)
console = Console()
errors = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP service (OpenAPI docs at /docs)."""
    settings = Settings()
    run_on_allocator(settings.allocator)
    if not settings.is_postgres:
        # Prepare the embedded file once, before workers start racing for it.
        migrate(settings)
    with workers_share_metrics(workers), workers_share_last_writers(workers):
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **server_stack(),
            log_level=settings.log_level,
            log_config=uvicorn_logging(settings),
        )


def run_on_allocator(allocator: Allocator) -> None:
    """Starts this command again on `allocator` when it is not running on it yet."""
    environment = allocator_environment(allocator, os.environ)
    if environment is not None:
        start_again_on(environment)
    if allocator == "jemalloc" and not runs_on_jemalloc():
        errors.print(
            "jemalloc is not installed (Debian: libjemalloc2) or could not be loaded: running on Python's "
            "allocator, whose workers' memory grows by about a quarter as their caches turn over"
        )


@app.command("migrate")
def migrate_command() -> None:
    """Apply the SQL migrations the configured database has not seen yet."""
    settings = Settings()
    applied = migrate(settings)
    for label in applied:
        console.print(f"applied {label}")
    console.print(f"schema up to date ({len(applied)} migration(s) applied)")


@app.command("demo-data")
def demo_data() -> None:
    """Load the demo site directory into the configured database (idempotent)."""
    settings = Settings()
    if not settings.is_postgres:
        migrate(settings)
    database = open_database(settings)
    try:
        loaded = load_demo_data(database)
    finally:
        database.close()
    console.print(
        f"demo directory: {loaded.inserted} new row(s), {loaded.total - loaded.inserted} already there"
    )


@app.command()
def chat(
    sender: Annotated[str, typer.Option("--as", help="Phone number to chat as, e.g. +33600000001.")],
    url: Annotated[
        str | None,
        typer.Option(help="A running server's base URL; default: in-process on the configured store."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="The server's generic webhook token; default: CONVO_GENERIC_WEBHOOK_TOKEN."),
    ] = None,
) -> None:
    """Chat with the bot in the terminal; choices are numbered, type the number to press one."""
    transport: ChatTransport
    container = None
    if url:
        configured = Settings().generic_webhook_token
        transport = HttpTransport(url, token or (configured.get_secret_value() if configured else None))
    else:
        container = build(Settings())
        transport = InProcessTransport(container.service)
    prompt = "you> " if sys.stdin.isatty() else ""
    try:
        ChatSession(transport, sender, console).run(lambda: input(prompt))
    except ServerRefusedError as error:
        errors.print(f"[red]the server refused the message: {error}[/red]")
        raise typer.Exit(1) from None
    finally:
        if container is not None:
            container.close()
        if isinstance(transport, HttpTransport):
            transport.close()


def _record_json(record: EventRecord) -> str:
    body = {
        "position": record.position,
        "conversation_id": record.conversation_id,
        "version": record.version,
        "type": record.type,
        "timestamp": record.timestamp,
        "payload": record.payload,
    }
    return json.dumps(jsonable_encoder(body), ensure_ascii=False)


@app.command()
def audit(
    subcontractor: Annotated[str, typer.Argument(help="Phone number or conversation id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line.")] = False,
    session: Annotated[str | None, typer.Option(help="Only this session.")] = None,
) -> None:
    """Print a conversation as a transcript: sessions, messages, presses, tools, replies, fallbacks."""
    container = build(Settings())
    try:
        conversation_id = container.audit.resolve(subcontractor)
        where = EventFilter(session_id=session)
        records = (r for r in container.audit.scan(conversation_id) if where.matches(r))
        if as_json:
            for record in records:
                print(_record_json(record))
        else:
            sent = container.audit.deliveries(conversation_id, session_id=session)
            for line in transcript(records, {d.message_id: d for d in sent}):
                print(line)
    finally:
        container.close()


@app.command()
def export(
    since: Annotated[
        datetime | None, typer.Option(help="Only events at or after this time (ISO 8601, UTC if no zone).")
    ] = None,
    after: Annotated[
        int, typer.Option(min=0, max=MAX_POSITION, help="Only events after this log position.")
    ] = 0,
) -> None:
    """Stream the whole log as JSON lines on stdout (progress on stderr)."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    container = build(Settings())
    try:
        head = container.store.recorder.max_notification_id() or 0
        position = after
        with log_progress(errors, "export", total=head, start=after) as advance:
            while position < head:
                page = container.audit.feed(after=position, limit=1000)
                if not page.items:
                    break
                for record in page.items:
                    if since is None or record.timestamp >= since:
                        sys.stdout.write(_record_json(record) + "\n")
                position = page.next_after or head
                advance(position)
    finally:
        container.close()


@app.command()
def deliver(
    once: Annotated[bool, typer.Option(help="Send what the log holds now and stop.")] = False,
    metrics_address: Annotated[
        str | None,
        typer.Option(help="HOST:PORT to serve Prometheus metrics on (no token: bind it privately)."),
    ] = None,
) -> None:
    """Send the replies of WhatsApp and Telegram conversations as they are recorded (until interrupted).

    Run as many as you like: one sends at a time, and another takes over
    within CONVO_DELIVERY_LEASE_SECONDS when it dies.
    """
    settings = Settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    container = build(settings)
    operations = WorkerOperations(container, metrics_address)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        _run_leased(container.delivery_worker(stop), container, once, "replies", "delivering replies")
    finally:
        operations.close()
        container.close()


@app.command("fetch-media")
def fetch_media(
    once: Annotated[bool, typer.Option(help="Fetch what the log holds now and stop.")] = False,
) -> None:
    """Download the photos, voice notes and files people send as they are recorded, transcribe
    voice notes, and tell each conversation what became of them (until interrupted).

    Run as many as you like: one fetches at a time, and another takes over
    within CONVO_DELIVERY_LEASE_SECONDS when it dies.
    """
    settings = Settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    container = build(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        _run_leased(media_worker(container, stop), container, once, "media", "fetching media")
    finally:
        container.close()


class _LeasedWorker(Protocol):
    """A follower of the log that works while it holds its lease: delivery, media fetching."""

    @property
    def lease(self) -> Lease: ...

    def catch_up(self) -> int: ...

    def run(self, waker: Waker, poll_seconds: float) -> None: ...

    def close(self) -> None: ...


def _run_leased(worker: _LeasedWorker, container: Container, once: bool, items: str, doing: str) -> None:
    """Once: what the log holds now, if no other worker holds the lease; else until stopped."""
    try:
        if once:
            if not worker.lease.hold():
                errors.print(f"another worker holds the lease; no {items} handled")
                raise typer.Exit(1)
            errors.print(f"{worker.catch_up()} {items} read from the log")
            return
        errors.print(f"{doing}; Ctrl-C to stop")
        waker = container.waker()
        try:
            worker.run(waker, container.settings.projection_poll_seconds)
        finally:
            waker.close()
    finally:
        worker.close()


@projections_app.command("status")
def projections_status() -> None:
    """Each projection's position, the log's head and the lag; the same for delivery and media."""
    container = build(Settings())
    try:
        for s in [*container.projections.status(), container.delivery_status(), media_status(container)]:
            console.print(f"{s.name:<15} position {s.position:>10}  head {s.head:>10}  lag {s.lag:>8}")
        retention = container.retention().status()
        if retention.retention_days is not None:
            console.print(
                f"{'retention':<15} sessions due {retention.sessions_due:>6}  "
                f"shredded {retention.sessions_shredded:>10}"
            )
    finally:
        container.close()


@projections_app.command("run")
def projections_run(
    once: Annotated[bool, typer.Option(help="Catch up and stop instead of following.")] = False,
    metrics_address: Annotated[
        str | None,
        typer.Option(help="HOST:PORT to serve Prometheus metrics on (no token: bind it privately)."),
    ] = None,
) -> None:
    """Keep every projection caught up with the log (until interrupted)."""
    container = build(Settings())
    operations = WorkerOperations(container, metrics_address)
    try:
        head = container.store.recorder.max_notification_id() or 0
        for follower in container.projections.followers:
            start = follower.consumer.position()
            with log_progress(errors, follower.consumer.name, total=head, start=start) as advance:
                follower.catch_up(until=head, progress=lambda position, _head: advance(position))
        if once:
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        errors.print("following the log; Ctrl-C to stop")
        following = container.follow_in_background()
        retaining = retain_in_background(container.retention())
        stop.wait()
        if retaining is not None:
            retaining.close()
        following.close()
    finally:
        operations.close()
        container.close()


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(PROJECTIONS)}, or all.")],
) -> None:
    """Replay the whole log into fresh copies of a projection's tables and swap them in."""
    names = list(PROJECTIONS) if name == "all" else [projection_named(name).name]
    container = build(Settings())
    try:
        for each in names:
            head = container.store.recorder.max_notification_id() or 0
            with log_progress(errors, f"rebuild {each}", total=head) as advance:
                position = rebuild(
                    container.database,
                    container.store,
                    projection_named(each),
                    batch_size=container.settings.projection_batch_size,
                    progress=lambda position, _head: advance(position),
                )
            console.print(f"{each}: rebuilt and live at position {position}")
    finally:
        container.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except Exception as error:  # a clear line for the user, not a traceback
        if isinstance(error, (typer.Exit, typer.Abort)):
            raise
        if isinstance(error, ValidationError):
            for issue in error.errors():
                name = "CONVO_" + "_".join(str(part) for part in issue["loc"]).upper()
                errors.print(f"[red]error:[/red] {name}: {issue['msg']}", highlight=False)
        else:
            errors.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(1)
