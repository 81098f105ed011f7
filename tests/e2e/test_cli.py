"""The `convo` command line as a user runs it: a real process, real stdin."""

from __future__ import annotations

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
