"""A person's rows outside the event log: exported, then erased, on both stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container
from infrastructure.database import Database
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import PROJECTIONS
from infrastructure.subject_rows import SubjectRef, erase_subject_rows, export_subject_rows
from tests.projections import views
from tests.turns import JAMES, KARIM, SOPHIE, say

DESCRIPTION = "Fuite d'eau au plafond du hall B"
KARIM_ID = "S-001"
KARIM_OLD_NUMBER = "+33611111111"
# How WhatsApp spells a message id: the sender's number in base64 ("33600000001").
LEGACY_WAMID = "wamid.HBgLMzM2MDAwMDAwMDEVAgASGBQzQTRBNjU5OUFCRTI3MjlFRTRFNAA="
KARIM_TRACES = ("+33600000001", "33600000001", "Karim", "Benali", DESCRIPTION, "100000001", LEGACY_WAMID)
EVENT_STORE = ("stored_events", "stored_snapshots", "convo_events", "convo_snapshots")  # shredded elsewhere


def test_export_then_erase_leaves_nothing_that_names_them(container: Container) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "signaler un problème", DESCRIPTION, "blabla"):
        say(service, text)
    for text in ("mes chantiers", "le deuxième", "3", "c'est fait"):
        say(service, text)  # T-JAU-03 done
    say(service, "hi", sender=JAMES)
    say(service, "Bonjour", sender=SOPHIE)
    _add_rows_no_turn_writes_here(container.database)
    container.projections.catch_up()
    metrics_before = _counters(container.database)

    # Ids are keyed with the store's secret: derived once the container is built.
    karim_subject = SubjectRef(conversation_id_for(KARIM), KARIM, KARIM_ID)
    exported = export_subject_rows(container.database, karim_subject)
    json.dumps(exported)  # JSON-able as it is
    assert [row["contact"] for row in exported["conversations"]] == [KARIM]
    assert exported["sessions"] and {row["contact"] for row in exported["sessions"]} == {KARIM}
    assert exported["daily_active_conversations"]
    assert [row["kind"] for row in exported["attention"]] == ["unrecognised"]
    assert exported["subcontractors"][0]["name"] == "Karim Benali"
    assert {row["project_id"] for row in exported["assignments"]} == {"P-TIL", "P-JAU", "P-CON", "P-VEN"}
    assert {row["subcontractor_id"] for row in exported["tasks"]} == {KARIM_ID}
    assert sorted(row["description"] for row in exported["problem_reports"]) == [DESCRIPTION, "vieux"]
    assert [row["media_id"] for row in exported["problem_report_photos"]] == ["media-1"]
    assert [row["media_id"] for row in exported["media_blobs"]] == ["media-1"]
    assert {row["task_id"] for row in exported["task_status_changes"]} == {"T-JAU-03", "T-TIL-01"}
    assert {row["change_id"] for row in exported["phone_number_changes"]} == {"number-1", "number-2"}
    assert not any(row["subcontractor_id"] != KARIM_ID for row in exported["problem_reports"])

    holding = {"conversations", "sessions", "subcontractors", "problem_reports", "task_status_changes"}
    assert set(_tables_holding(container.database, KARIM_TRACES)) == {*holding, "phone_number_changes"}

    counts = erase_subject_rows(container.database, karim_subject)

    assert counts == {
        "phone_number_changes": 2,
        "conversations": 1,
        "sessions": len(exported["sessions"]),
        "daily_active_conversations": len(exported["daily_active_conversations"]),
        "attention": 1,
        "subcontractors": 1,
        "problem_report_photos": 1,
        "problem_reports": 2,
        "task_status_changes": 1,  # the legacy row: a change id decided by a turn names no one
    }
    assert _tables_holding(container.database, KARIM_TRACES) == {}
    assert _counters(container.database) == metrics_before
    karim = container.database.fetch_one("SELECT * FROM subcontractors WHERE id = %s", (KARIM_ID,))
    assert karim == {
        "id": KARIM_ID,
        "phone": "erased:S-001",
        "name": "[erased]",
        "company": "[erased]",
        "language": "fr",
        "telegram_user_id": None,
    }
    # The sites keep their tasks, status history and reports; the media are erase_media's.
    assert len(container.database.fetch_all("SELECT * FROM problem_reports")) == 2
    assert container.directory.task_of(KARIM_ID, "T-JAU-03").status == "done"  # type: ignore[union-attr]
    assert len(container.database.fetch_all("SELECT * FROM media_blobs")) == 1
    # Others are untouched.
    assert container.directory.find_subcontractor(JAMES) is not None
    assert container.database.fetch_all("SELECT contact FROM conversations ORDER BY contact") == [
        {"contact": SOPHIE},
        {"contact": JAMES},
    ]

    again = erase_subject_rows(container.database, karim_subject)
    assert set(again) == set(counts)
    assert set(again.values()) == {0}
    left = {table for table, rows in export_subject_rows(container.database, karim_subject).items() if rows}
    assert left == {
        "subcontractors",
        "assignments",
        "tasks",
        "task_status_changes",
        "problem_reports",
        "media_blobs",
    }


def test_someone_outside_the_directory_has_only_read_model_rows(container: Container) -> None:
    stranger = "+33699999999"
    say(container.service, "Bonjour", sender=stranger)
    container.projections.catch_up()
    subject = SubjectRef(conversation_id_for(stranger), stranger, None)
    exported = export_subject_rows(container.database, subject)
    assert exported["conversations"] and exported["sessions"]
    assert exported["subcontractors"] == exported["problem_reports"] == []
    counts = erase_subject_rows(container.database, subject)
    assert counts["conversations"] == 1 and counts["subcontractors"] == 0
    assert _tables_holding(container.database, (stranger,)) == {}
    assert set(erase_subject_rows(container.database, subject).values()) == {0}


def test_projections_forget_an_erased_conversation_and_keep_the_counts(container: Container) -> None:
    service = container.service
    for text in ("Bonjour", "blabla", "mes chantiers"):
        say(service, text)
    say(service, "hi", sender=JAMES)
    container.projections.catch_up()
    counters = _counters(container.database)
    assert [row["active_conversations"] for row in counters["daily_metrics"]] == [2]

    conversation = container.store.conversation(KARIM)
    assert conversation is not None
    conversation.erase(at=datetime.now(UTC))
    container.store.save(conversation)
    container.projections.catch_up()
    assert _rows_of_conversation(container.database, KARIM) == {}
    assert _counters(container.database) == counters

    say(service, "my sites", sender=JAMES)  # the same day: Karim still counts as active on it
    container.projections.catch_up()
    [day] = container.database.fetch_all("SELECT * FROM daily_metrics")
    assert (day["active_conversations"], day["messages"]) == (2, counters["daily_metrics"][0]["messages"] + 1)
    caught_up = views(container.database)
    for batch_size in (1, 3, 1000):
        _rebuild_all(container, batch_size)
        assert views(container.database) == caught_up
    assert _rows_of_conversation(container.database, KARIM) == {}


def test_a_restarted_conversation_is_a_new_subject_in_the_read_models(container: Container) -> None:
    service = container.service
    say(service, "Bonjour")
    say(service, "mes chantiers")
    container.projections.catch_up()
    [first] = container.database.fetch_all("SELECT session_id FROM sessions")

    conversation = container.store.conversation(KARIM)
    assert conversation is not None
    conversation.erase(at=datetime.now(UTC))
    container.store.save(conversation)
    with container.database.transaction() as cursor:  # the erasure's second step, directory kept
        cursor.execute(
            "INSERT INTO erasures (erasure_id, conversation_id, requested_by, requested_at, "
            "keys_destroyed, events_kept, rows_erased) VALUES (%s, %s, 'test', %s, 0, %s, '{}')",
            (uuid4(), conversation.id, datetime.now(UTC), conversation.version),
        )
    say(service, "Bonjour")  # the number writes again: Restarted
    container.projections.catch_up()

    [row] = container.database.fetch_all("SELECT contact, subcontractor_id FROM conversations")
    assert row == {"contact": KARIM, "subcontractor_id": KARIM_ID}
    sessions = container.database.fetch_all("SELECT session_id, contact, messages FROM sessions")
    assert [(s["contact"], s["messages"]) for s in sessions] == [(KARIM, 1)]
    assert sessions[0]["session_id"] != first["session_id"]
    caught_up = views(container.database)
    for batch_size in (1, 1000):
        _rebuild_all(container, batch_size)
        assert views(container.database) == caught_up


def _add_rows_no_turn_writes_here(database: Database) -> None:
    """Rows the service writes in turns this test does not play: a photo, number changes,
    and directory rows from before change ids, keyed by the provider's message id."""
    [report] = database.fetch_all("SELECT change_id FROM problem_reports")
    karim = str(conversation_id_for(KARIM))
    with database.transaction() as cursor:
        cursor.execute(
            "INSERT INTO problem_report_photos (report_change_id, position, media_id, kind) "
            "VALUES (%s, 0, 'media-1', 'image')",
            (report["change_id"],),
        )
        cursor.execute(
            "INSERT INTO media_blobs (media_id, sha256, conversation_id) VALUES ('media-1', 'abc', %s)",
            (karim,),
        )
        cursor.execute(
            "INSERT INTO problem_reports (change_id, reference, project_id, subcontractor_id, description, "
            "reported_at) VALUES (%s, '7', 'P-TIL', %s, 'vieux', %s)",
            (LEGACY_WAMID, KARIM_ID, datetime(2026, 1, 5, tzinfo=UTC)),
        )
        cursor.execute(
            "INSERT INTO task_status_changes (change_id, task_id, subcontractor_id, status, changed_at) "
            "VALUES (%s, 'T-TIL-01', %s, 'done', %s)",
            (LEGACY_WAMID, KARIM_ID, datetime(2026, 1, 5, tzinfo=UTC)),
        )
        cursor.execute_many(
            "INSERT INTO phone_number_changes (change_id, subcontractor_id, old_phone, new_phone, followed, "
            "changed_at) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                ("number-1", KARIM_ID, KARIM_OLD_NUMBER, KARIM, True, datetime(2026, 2, 1, tzinfo=UTC)),
                # Sophie asked for Karim's number: flagged, not followed; it names Karim's number.
                ("number-2", "S-002", SOPHIE, KARIM, False, datetime(2026, 3, 1, tzinfo=UTC)),
            ],
        )


def _rebuild_all(container: Container, batch_size: int) -> None:
    for projection in PROJECTIONS.values():
        rebuild(container.database, container.store, projection, batch_size=batch_size)


def _counters(database: Database) -> dict[str, list[dict[str, Any]]]:
    return {
        table: database.fetch_all(f"SELECT * FROM {table} ORDER BY day")
        for table in ("daily_metrics", "tool_usage")
    }


def _rows_of_conversation(database: Database, contact: str) -> dict[str, list[dict[str, Any]]]:
    conversation = str(conversation_id_for(contact))
    found = {
        table: database.fetch_all(f"SELECT * FROM {table} WHERE conversation_id = %s", (conversation,))
        for table in ("conversations", "sessions", "daily_active_conversations", "attention")
    }
    return {table: rows for table, rows in found.items() if rows}


def _tables_holding(database: Database, traces: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (but the event log's) in which any column holds any trace."""
    if database.dialect == "postgresql":
        query = (
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    found: dict[str, list[dict[str, Any]]] = {}
    for table in sorted(row["name"] for row in database.fetch_all(query)):
        if table in EVENT_STORE:
            continue
        rows = [
            row
            for row in database.fetch_all(f"SELECT * FROM {table}")
            if any(trace in str(value) for value in row.values() for trace in traces)
        ]
        if rows:
            found[table] = rows
    return found
