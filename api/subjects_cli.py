"""`convo forget`, `convo subject-export`, `convo retention ...` and master key commands."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from fastapi.encoders import jsonable_encoder
from rich.console import Console

from api.progress import log_progress
from infrastructure.bootstrap import build
from infrastructure.keys.configured import master_key_of
from infrastructure.keys.master import new_master_key
from infrastructure.keys.rotation import keys_to_rewrap, rotate_master_key
from infrastructure.persistence import open_database
from infrastructure.settings import Settings

retention_app = typer.Typer(
    help="Shred the content of sessions older than CONVO_RETENTION_DAYS.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)


def forget(
    phone: Annotated[str, typer.Argument(help="The person's phone number (E.164, any usual spelling).")],
    requested_by: Annotated[
        str, typer.Option("--by", help="Who asked (a ticket, an operator): recorded with the erasure.")
    ] = "",
) -> None:
    """Erase a person's data: their keys destroyed, their rows deleted, the erasure recorded."""
    container = build(Settings())
    try:
        erasure = container.eraser().forget(phone, requested_by or f"cli:{getpass.getuser()}")
    finally:
        container.close()
    console.print_json(json.dumps(erasure.as_json()))


def subject_export(
    phone: Annotated[str, typer.Argument(help="The person's phone number (E.164, any usual spelling).")],
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Everything the service holds about a person, as JSON."""
    container = build(Settings())
    try:
        body = json.dumps(jsonable_encoder(container.subject_export(phone)), indent=2, ensure_ascii=False)
    finally:
        container.close()
    if output is None:
        sys.stdout.write(body + "\n")
    else:
        output.write_text(body + "\n", encoding="utf-8")
        errors.print(f"written to {output}")


@retention_app.command("status")
def retention_status() -> None:
    """The cut-off, how many sessions are due, how many were shredded, the last run."""
    container = build(Settings())
    try:
        status = container.retention().status()
    finally:
        container.close()
    if status.retention_days is None:
        console.print("retention: off (CONVO_RETENTION_DAYS is not set)")
    else:
        console.print(
            f"retention: {status.retention_days:g} days, cut-off {status.cutoff:%Y-%m-%d %H:%M} UTC"
        )
    console.print(f"sessions due     {status.sessions_due:>10}")
    console.print(f"sessions shredded {status.sessions_shredded:>9}")
    last = status.last_run_finished_at
    console.print(f"last run         {last.isoformat() if last else 'never':>10}")


@retention_app.command("run")
def retention_run() -> None:
    """Shred every session due now, in batches (stop and run again at any time)."""
    container = build(Settings())
    try:
        retention = container.retention()
        if retention.cutoff() is None:
            errors.print("retention is off: set CONVO_RETENTION_DAYS")
            raise typer.Exit(1)
        due = retention.status().sessions_due
        with log_progress(errors, "retention", total=due) as advance:
            shredded = retention.run(lambda done, _total: advance(done))
    finally:
        container.close()
    console.print(f"{shredded} session(s) shredded")


def new_master_key_command() -> None:
    """Print a new random master key (set it as CONVO_MASTER_KEY; keep it out of the database)."""
    console.print(new_master_key())


def rotate_master_key_command() -> None:
    """Re-wrap every data key with CONVO_MASTER_KEY (the old one in CONVO_PREVIOUS_MASTER_KEYS)."""
    settings = Settings()
    master = master_key_of(settings)
    database = open_database(settings)
    try:
        total = keys_to_rewrap(database, master)
        with log_progress(errors, "re-wrap", total=total) as advance:
            done = rotate_master_key(database, master, advance)
    finally:
        database.close()
    console.print(f"{done} key(s) re-wrapped; CONVO_PREVIOUS_MASTER_KEYS can now be emptied")


def register(app: typer.Typer) -> None:
    app.command("forget")(forget)
    app.command("subject-export")(subject_export)
    app.command("new-master-key")(new_master_key_command)
    app.command("rotate-master-key")(rotate_master_key_command)
    app.add_typer(retention_app, name="retention")
