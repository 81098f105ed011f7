"""`convo understand eval`: how well the bot understands the corpus, and whether it ever writes wrong;
`convo understand try`: what it makes of a few messages, before they become corpus cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.progress import log_progress
from application.understanding.corpus import HELDOUT, TUNE, Case, CorpusError, load
from application.understanding.evaluation import PERSONAS, Report, evaluate, play
from application.understanding.evaluation import cross_validate as cross_validated
from infrastructure.in_memory import in_memory_service

understand_app = typer.Typer(
    help="Understanding of free text: evaluate it on a labelled corpus, or try messages on it."
)
console = Console()
errors = Console(stderr=True)


@understand_app.command("eval")
def evaluate_corpus(
    corpora: Annotated[
        list[Path] | None,
        typer.Argument(help="JSON Lines corpus files (default: the tune and held-out splits shipped)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Figures as JSON on stdout.")] = False,
    failures: Annotated[int, typer.Option(min=0, help="Show this many misunderstood cases per file.")] = 0,
    cross_validate: Annotated[
        int,
        typer.Option(
            "--cross-validate",
            min=0,
            help="K: play each case with a local model trained on the other K-1 parts of its file "
            "(tune by this, never by the held-out split). 0: the shipped model.",
        ),
    ] = 0,
) -> None:
    """Plays every case through the real turn on fresh in-memory state; exits 1 on any wrong write."""
    if cross_validate == 1:
        errors.print("[red]--cross-validate needs at least 2 parts[/red]")
        raise typer.Exit(2)
    figures = {}
    wrong = 0
    for path in corpora or ([TUNE] if cross_validate else [TUNE, HELDOUT]):
        try:
            cases = load(path)
        except (OSError, CorpusError) as error:
            errors.print(f"[red]cannot read {path}: {error}[/red]")
            raise typer.Exit(2) from None
        with log_progress(errors, path.name, total=len(cases)) as advance:
            if cross_validate:
                report = cross_validated(cases, cross_validate, in_memory_service, progress=advance)
            else:
                report = evaluate(cases, in_memory_service, progress=advance)
        figures[path.name] = _figures(report)
        wrong += len(report.wrong_writes)
        if not as_json:
            _print(path.name, report, failures)
    if as_json:
        console.print_json(json.dumps(figures))
    if wrong:
        raise typer.Exit(1)


def _figures(report: Report) -> dict[str, object]:
    return {
        "cases": len(report.outcomes),
        "handled_as_meant": round(report.accuracy, 4),
        "by_language": {k: round(v, 4) for k, v in report.by(lambda o: o.case.lang).items()},
        "by_intent": {k: round(v, 4) for k, v in report.by(lambda o: o.case.intent).items()},
        "by_layer": dict(report.counts(lambda o: o.layer)),
        "wrong_writes": [o.case.id for o in report.wrong_writes],
        "confusion": {f"{expected} -> {got}": n for (expected, got), n in report.confusion().items()},
        "latency_ms": {"p50": round(report.latency(0.5), 3), "p99": round(report.latency(0.99), 3)},
    }


def _print(name: str, report: Report, failures: int) -> None:
    console.rule(f"{name}: {len(report.outcomes)} cases")
    console.print(
        f"handled as meant [bold]{report.accuracy:.1%}[/bold]   wrong writes "
        f"[bold {'red' if report.wrong_writes else 'green'}]{len(report.wrong_writes)}[/]   "
        f"classification p50 {report.latency(0.5):.2f} ms, p99 {report.latency(0.99):.2f} ms"
    )
    languages = report.by(lambda o: o.case.lang)
    console.print("by language: " + ", ".join(f"{k} {v:.1%}" for k, v in languages.items()))
    table = Table("intent", "cases", "handled as meant")
    counts = report.counts(lambda o: o.case.intent)
    for intent, share in report.by(lambda o: o.case.intent).items():
        table.add_row(intent, str(counts[intent]), f"{share:.1%}")
    console.print(table)
    confusion = report.confusion()
    if confusion:
        console.print("confused (expected -> understood): " + ", ".join(
            f"{e} -> {g} ×{n}" for (e, g), n in list(confusion.items())[:12]
        ))  # fmt: skip
    for outcome in report.wrong_writes:
        console.print(f"[red]WRONG WRITE[/red] {outcome.case.id} {outcome.case.text!r}: {outcome.decided}")
    missed = [o for o in report.outcomes if not o.handled_as_meant][:failures]
    for outcome in missed:
        expect = outcome.case.expect
        console.print(
            f"  {outcome.case.id} {outcome.case.text!r}: expected {expect['intent']} "
            f"{expect.get('effects')}, understood {outcome.intent} ({outcome.layer}) → {outcome.effect}"
        )


@understand_app.command("try")
def try_messages(
    messages: Annotated[
        list[str] | None,
        typer.Argument(help="Messages to play, each on fresh state (default: stdin, a line each)."),
    ] = None,
    persona: Annotated[str, typer.Option("--as", help=f"Who sends them: {', '.join(PERSONAS)}.")] = "karim",
    after: Annotated[
        list[str] | None,
        typer.Option(
            help='Earlier steps, in order: text typed, or "press:CHOICE_ID" (e.g. press:task.T-TIL-03).'
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="What happened as JSON on stdout.")] = False,
) -> None:
    """Plays each message through the real turn after the earlier steps, on fresh in-memory state, and
    shows what the bot understood, whether it wrote, asked or offered to write, and its reply."""
    if persona not in PERSONAS:
        errors.print(f"[red]--as must be one of {', '.join(PERSONAS)}[/red]")
        raise typer.Exit(2)
    texts = messages or [line.rstrip("\n") for line in typer.get_text_stream("stdin") if line.strip()]
    steps = [{"press": step.removeprefix("press:")} if step.startswith("press:") else {"text": step}
             for step in after or []]  # fmt: skip
    played = []
    for number, text in enumerate(texts, start=1):
        case = Case(
            id=f"try-{number}", lang="", sender=persona, before=steps, text=text, expect={"intent": ""}
        )
        outcome = play(case, in_memory_service())
        played.append(
            {
                "text": text, "intent": outcome.intent, "effect": outcome.effect, "decided": outcome.decided,
                "choice_id": outcome.choice_id, "layer": outcome.layer, "reply": outcome.reply,
            }
        )  # fmt: skip
    if as_json:
        console.print_json(json.dumps(played))
        return
    table = Table("message", "understood", "effect", "decided", "layer", "reply")
    for row in played:
        decided = row["decided"] or row["choice_id"] or ""
        reply = str(row["reply"]).splitlines()[0] if row["reply"] else ""
        table.add_row(
            str(row["text"]), str(row["intent"]), str(row["effect"]), str(decided), str(row["layer"]), reply
        )
    console.print(table)
