"""`convo forget`, `convo subject-export`, `convo retention`, master key rotation: real processes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.dumps import found_in
from tests.e2e.test_cli import convo


def test_export_then_forget_from_the_command_line(tmp_path: Path) -> None:
    env = {"CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    chat = convo("chat", "--as", "+33600000001", stdin="Bonjour Xylophonique\n/quit\n", env=env)
    assert chat.returncode == 0, chat.stderr

    exported = convo("subject-export", "+33600000001", "--output", str(tmp_path / "karim.json"), env=env)
    assert exported.returncode == 0, exported.stderr
    body = json.loads((tmp_path / "karim.json").read_text(encoding="utf-8"))
    assert any(event.get("text") == "Bonjour Xylophonique" for event in body["events"])

    forgotten = convo("forget", "+33 6 00 00 00 01", "--by", "ticket-9", env=env)
    assert forgotten.returncode == 0, forgotten.stderr
    assert json.loads(forgotten.stdout)["requested_by"] == "ticket-9"
    assert found_in((tmp_path / "cli.db").read_bytes(), "Xylophonique", "+33600000001", "Karim Benali") == []

    again = convo("forget", "+33600000001", env=env)
    assert again.returncode == 1 and "no data is held" in again.stderr and "Traceback" not in again.stderr


def test_retention_status_and_run_say_what_they_do(tmp_path: Path) -> None:
    env = {"CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    off = convo("retention", "run", env=env)
    assert off.returncode == 1 and "CONVO_RETENTION_DAYS" in off.stderr
    status = convo("retention", "status", env={**env, "CONVO_RETENTION_DAYS": "30"})
    assert status.returncode == 0, status.stderr
    assert "retention: 30 days" in status.stdout and "sessions due" in status.stdout


def test_rotating_the_master_key_keeps_every_conversation_readable(tmp_path: Path) -> None:
    old_key = convo("new-master-key").stdout.strip()
    new_key = convo("new-master-key").stdout.strip()
    assert old_key != new_key and len(old_key) == 44
    env = {"CONVO_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "CONVO_MASTER_KEY": old_key}
    assert convo("chat", "--as", "+33600000001", stdin="Bonjour Rotatif\n/quit\n", env=env).returncode == 0

    wrong = convo("subject-export", "+33600000001", env={**env, "CONVO_MASTER_KEY": new_key})
    assert wrong.returncode == 1 and "not configured" in wrong.stderr

    rotating = {**env, "CONVO_MASTER_KEY": new_key, "CONVO_PREVIOUS_MASTER_KEYS": old_key}
    rotated = convo("rotate-master-key", env=rotating)
    assert rotated.returncode == 0, rotated.stderr
    assert "re-wrapped" in rotated.stdout

    after = convo("subject-export", "+33600000001", env={**env, "CONVO_MASTER_KEY": new_key})
    assert after.returncode == 0, after.stderr
    assert "Bonjour Rotatif" in after.stdout
