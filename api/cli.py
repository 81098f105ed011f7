"""The `convo` command line."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console

from api.chat import ChatSession, ChatTransport, HttpTransport, InProcessTransport
from infrastructure.bootstrap import build, migrate
from infrastructure.demo_data import load_demo_data
from infrastructure.persistence import open_database
from infrastructure.settings import Settings

app = typer.Typer(help="convo: event-sourced conversations for the site bot.", no_args_is_help=True)
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
    if not settings.is_postgres:
        # Prepare the embedded file once, before workers start racing for it.
        migrate(settings)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
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
) -> None:
    """Chat with the bot in the terminal; choices are numbered, type the number to press one."""
    transport: ChatTransport
    container = None
    if url:
        transport = HttpTransport(url)
    else:
        container = build(Settings())
        transport = InProcessTransport(container.service)
    prompt = "you> " if sys.stdin.isatty() else ""
    try:
        ChatSession(transport, sender, console).run(lambda: input(prompt))
    finally:
        if container is not None:
            container.close()
        if isinstance(transport, HttpTransport):
            transport.close()


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
