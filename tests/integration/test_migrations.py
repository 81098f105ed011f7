"""Migrations: the only source of the PostgreSQL schema, safe to run twice at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from application.event_store import ConversationStore
from infrastructure.bootstrap import SchemaNotReadyError, build, migrate
from infrastructure.migrations import MigrationError, discover, migrate_sqlite
from infrastructure.persistence import event_store_env
from infrastructure.settings import PROJECT_ROOT, Settings
from tests import postgres

SCHEMA_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'convo_%'
        ORDER BY table_name, ordinal_position""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename LIKE 'convo_%' ORDER BY indexname""",
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE c.relname LIKE 'convo_%' ORDER BY k.conname""",
    "storage options": """
        SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'convo_%' AND relkind = 'r'
        ORDER BY relname""",
    "types": """
        SELECT t.typname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnum
        FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid
        WHERE t.typname = 'stored_event_uuid' ORDER BY a.attnum""",
    "sequences": """
        SELECT sequencename, data_type, start_value, increment_by FROM pg_sequences
        WHERE sequencename LIKE 'convo_%' ORDER BY sequencename""",
}


def schema_of(url: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(url) as connection:
        return {name: connection.execute(query).fetchall() for name, query in SCHEMA_QUERIES.items()}


@pytest.mark.postgres
def test_migrated_event_store_is_what_the_library_itself_creates(postgres_server: None) -> None:
    with postgres.scratch_database() as migrated_url, postgres.scratch_database() as library_url:
        migrate(Settings(database_url=migrated_url))
        env = event_store_env(Settings(database_url=library_url))
        env["CREATE_TABLE"] = "y"
        ConversationStore(env).close()

        migrated, created = schema_of(migrated_url), schema_of(library_url)
        assert created["columns"], "the library created its tables"
        for part in SCHEMA_QUERIES:
            assert migrated[part] == created[part], part

        # Deliberately absent: the insert function is only used with database
        # functions enabled, which drops tracking records, so it stays off.
        with psycopg.connect(library_url) as connection:
            assert connection.execute(
                "SELECT 1 FROM pg_proc WHERE proname = 'es_insert_events_uuid'"
            ).fetchone()
        with psycopg.connect(migrated_url) as connection:
            assert not connection.execute(
                "SELECT 1 FROM pg_proc WHERE proname = 'es_insert_events_uuid'"
            ).fetchone()


@pytest.mark.postgres
def test_two_migrators_at_once_apply_each_migration_once(postgres_url: str) -> None:
    env = {**os.environ, "CONVO_DATABASE_URL": postgres_url}
    command = [sys.executable, "-m", "api", "migrate"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    expected = discover(PROJECT_ROOT / "migrations" / "postgresql")
    applied_lines = [line for out, _ in outputs for line in out.splitlines() if line.startswith("applied ")]
    assert sorted(applied_lines) == sorted(f"applied {m.label}" for m in expected)
    with psycopg.connect(postgres_url) as connection:
        versions = [
            row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")
        ]
    assert versions == [m.version for m in expected]


@pytest.mark.postgres
def test_a_worker_refuses_an_unmigrated_database(postgres_url: str) -> None:
    with pytest.raises(SchemaNotReadyError, match="convo migrate"):
        build(Settings(database_url=postgres_url))


@pytest.mark.postgres
def test_demo_data_command_is_idempotent(postgres_url: str) -> None:
    env = {**os.environ, "CONVO_DATABASE_URL": postgres_url}
    subprocess.run([sys.executable, "-m", "api", "migrate"], env=env, check=True, capture_output=True)
    first = subprocess.run(
        [sys.executable, "-m", "api", "demo-data"], env=env, check=True, capture_output=True, text=True
    )
    second = subprocess.run(
        [sys.executable, "-m", "api", "demo-data"], env=env, check=True, capture_output=True, text=True
    )
    assert "0 already there" in first.stdout
    assert "0 new row(s)" in second.stdout
    with psycopg.connect(postgres_url) as connection:
        count = connection.execute("SELECT count(*) FROM tasks WHERE subcontractor_id = 'S-001'").fetchone()
    assert count is not None and count[0] >= 9


def test_a_migration_changed_after_it_was_applied_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sqlite"
    shutil.copytree(PROJECT_ROOT / "migrations" / "sqlite", folder)
    database = tmp_path / "x.db"
    assert [m.label for m in migrate_sqlite(database, folder)] == [m.label for m in discover(folder)]
    assert migrate_sqlite(database, folder) == []
    script = folder / "0001_site_directory.sql"
    script.write_text(script.read_text() + "\nCREATE TABLE sneaky (id INTEGER);\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate_sqlite(database, folder)


def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "add_things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
        discover(tmp_path)


@pytest.mark.postgres
def test_the_event_insert_refuses_to_drop_a_tracking_record(postgres_url: str) -> None:
    from eventsourcing.persistence import ProgrammingError, StoredEvent, Tracking

    migrate(Settings(database_url=postgres_url))
    store = ConversationStore(event_store_env(Settings(database_url=postgres_url)))
    try:
        event = StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="t", state=b"{}")
        with pytest.raises(ProgrammingError, match="tracking"):
            store.recorder.insert_events([event], tracking=Tracking("elsewhere", 1))
        assert store.recorder.max_notification_id() is None  # nothing was written
        assert store.recorder.insert_events([event]) == [1]
    finally:
        store.close()
