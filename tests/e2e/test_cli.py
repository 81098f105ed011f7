"""The `convo` command line as a user runs it: a real process, real stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def convo(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {}), "COLUMNS": "200"},
        check=False,
    )


def test_chat_replays_the_tour_in_process(tmp_path: Path) -> None:
    env = {"CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'tour.db'}"}
    run = convo("chat", "--as", "+33600000001", stdin="Bonjour\n1\n4\n3\n1\n/quit\n", env=env)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Bonjour Karim" in out
    assert "Vos chantiers (4)" in out
    assert "Résidence Les Tilleuls — vos tâches (4)" in out
    assert "Prises et interrupteurs B" in out
    assert "« Prises et interrupteurs B » : Terminé" in out
    # The embedded default kept it: a second chat sees the task done.
    again = convo("chat", "--as", "+33600000001", stdin="mes chantiers\ntilleuls\n", env=env)
    assert "Prises et interrupteurs… — Terminé" in again.stdout


def test_unknown_command_and_bad_settings_are_clear(tmp_path: Path) -> None:
    run = convo("migrate", env={"CONVO_DATABASE_URL": "mysql://nope"})
    assert run.returncode != 0
    assert "must start with sqlite:// or postgresql://" in run.stderr
    assert "Traceback" not in run.stderr


def test_audit_shows_what_became_of_each_reply_a_channel_sent(tmp_path: Path) -> None:
    from application.inbound import Inbound
    from infrastructure.bootstrap import build
    from infrastructure.settings import Settings
    from tests.channels import channel_settings
    from tests.fake_providers import FakeProviders

    url = f"sqlite:///{tmp_path / 'audit.db'}"
    with FakeProviders() as fake:
        container = build(channel_settings(Settings(database_url=url), fake, delivery_max_attempts=2))
        worker = container.delivery_worker()
        try:
            container.service.handle(
                Inbound("whatsapp", "wamid.a", "33600000001", text="Bonjour", reply_to={"to": "33600000001"})
            )
            fake.fail_next("whatsapp", 500)
            worker.catch_up()
            fake.fail_next("whatsapp", 403)
            container.service.handle(
                Inbound("whatsapp", "wamid.b", "33600000001", text="aide", reply_to={"to": "33600000001"})
            )
            worker.catch_up()
            container.service.handle(
                Inbound("whatsapp", "wamid.c", "33600000001", text="merci", reply_to={"to": "33600000001"})
            )
        finally:
            worker.close()
            container.close()
    run = convo("audit", "+33600000001", env={"CONVO_DATABASE_URL": url})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    replies = [n for n, line in enumerate(lines) if "→" in line]
    assert [lines[n + 1].strip() for n in replies] == [
        "↳ whatsapp: delivered (2 attempts)",
        "↳ whatsapp: FAILED after 1 attempt: HTTP 403: 10 Permission denied "
        "(Permission is either not granted or has been removed.)",
        "↳ whatsapp: not sent yet",
    ]


def test_understand_eval_reports_a_corpus_and_cross_validates_it(tmp_path: Path) -> None:
    corpus = tmp_path / "few.jsonl"
    corpus.write_text(
        '{"id": "a", "lang": "fr", "sender": "karim", "before": [], "text": "g fini les prises",'
        ' "expect": {"intent": "set_status", "effects": ["write"], "status": "done",'
        ' "task_id": "T-TIL-03"}}\n'
        '{"id": "b", "lang": "en", "sender": "james", "before": [], "text": "cheers mate",'
        ' "expect": {"intent": "small_talk", "effects": ["none"]}}\n',
        encoding="utf-8",
    )
    run = convo("understand", "eval", str(corpus), "--json", env={"CONVO_CACHE_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert '"handled_as_meant": 1.0' in run.stdout
    crossed = convo("understand", "eval", str(corpus), "--cross-validate", "2", "--json")
    assert crossed.returncode == 0, crossed.stderr
    assert '"cases": 2' in crossed.stdout
    refused = convo("understand", "eval", "--cross-validate", "1")
    assert refused.returncode == 2
    assert "at least 2" in refused.stderr


def test_understand_try_plays_messages_after_earlier_steps(tmp_path: Path) -> None:
    env = {"CONVO_CACHE_DIR": str(tmp_path)}
    run = convo(
        "understand", "try", "c fait", "la commande des baies c fait", "--as", "karim",
        "--after", "mes chantiers", "--after", "press:task.T-CON-02", "--json", env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    played = json.loads(run.stdout)
    assert [(p["intent"], p["effect"]) for p in played] == [
        ("set_status", "write"),
        ("status_unclear", "ask"),
    ]
    assert played[0]["decided"] == {"task_id": "T-CON-02", "status": "done"}
    from_stdin = convo(
        "understand", "try", "--as", "james", "--json", stdin="cheers mate\n\nmy sites\n", env=env
    )
    assert [p["intent"] for p in json.loads(from_stdin.stdout)] == ["small_talk", "list_sites"]
    refused = convo("understand", "try", "ok", "--as", "nobody")
    assert refused.returncode == 2
    assert "--as must be one of" in refused.stderr
