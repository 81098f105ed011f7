"""A person's rows outside the event log: exported on request, erased on request.

The read models forget a conversation when they meet its `Erased` event; this
erases the same rows at once, and the site directory's, in one transaction.
The directory keeps the subcontractor's row (sites' tasks and reports refer to
it) with nothing left that names them. Media blobs are `erase_media`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from infrastructure.database import Cursor, Database, Row
from infrastructure.projections.attention import forget_conversation

ERASED_TEXT = "[erased]"
ERASED_PREFIX = "erased:"  # no phone number or provider id starts so

_PHOTOS_OF = "report_change_id IN (SELECT change_id FROM problem_reports WHERE subcontractor_id = %s)"
# Theirs, and any change naming one of their numbers (someone else's, to a number of theirs).
_NUMBER_CHANGES_OF = (
    "subcontractor_id = %s OR old_phone = %s OR new_phone = %s OR old_phone = %s OR new_phone = %s"
)


@dataclass(frozen=True)
class SubjectRef:
    conversation_id: UUID
    contact: str  # E.164
    subcontractor_id: str | None


def export_subject_rows(database: Database, subject: SubjectRef) -> dict[str, list[dict[str, Any]]]:
    """Table name -> the person's rows, as JSON-able dicts (ISO datetimes, str uuids)."""
    with database.transaction() as cursor:
        return {table: [_jsonable(row) for row in rows] for table, rows in _rows_of(cursor, subject).items()}


def erase_subject_rows(database: Database, subject: SubjectRef) -> dict[str, int]:
    """Removes what identifies the person, in one transaction; table -> rows deleted or changed.

    Idempotent: a second run changes nothing and counts zeros.
    """
    with database.transaction() as cursor:
        return _erase(cursor, subject)


def _rows_of(cursor: Cursor, subject: SubjectRef) -> dict[str, list[Row]]:
    conversation = str(subject.conversation_id)
    rows = {
        "conversations": cursor.fetch_all(
            "SELECT * FROM conversations WHERE conversation_id = %s", (conversation,)
        ),
        "sessions": cursor.fetch_all(
            "SELECT * FROM sessions WHERE conversation_id = %s ORDER BY opened_at", (conversation,)
        ),
        "daily_active_conversations": cursor.fetch_all(
            "SELECT * FROM daily_active_conversations WHERE conversation_id = %s ORDER BY day",
            (conversation,),
        ),
        "attention": cursor.fetch_all(
            "SELECT * FROM attention WHERE conversation_id = %s OR source_id = %s OR source_id IN "
            "(SELECT source_id FROM attention WHERE conversation_id = %s) ORDER BY at, source_id, version",
            (conversation,) * 3,
        ),
        "media_blobs": cursor.fetch_all(
            "SELECT * FROM media_blobs WHERE conversation_id = %s ORDER BY stored_at, media_id",
            (conversation,),
        ),
        "phone_number_changes": cursor.fetch_all(
            f"SELECT * FROM phone_number_changes WHERE {_NUMBER_CHANGES_OF} ORDER BY changed_at, change_id",
            _number_change_params(cursor, subject),
        ),
    }
    sid = subject.subcontractor_id
    directory = {
        "subcontractors": "SELECT * FROM subcontractors WHERE id = %s",
        "assignments": "SELECT * FROM assignments WHERE subcontractor_id = %s ORDER BY project_id",
        "tasks": "SELECT * FROM tasks WHERE subcontractor_id = %s ORDER BY project_id, position, id",
        "task_status_changes": "SELECT * FROM task_status_changes WHERE subcontractor_id = %s "
        "ORDER BY changed_at, change_id",
        "problem_reports": "SELECT * FROM problem_reports WHERE subcontractor_id = %s ORDER BY id",
        "problem_report_photos": f"SELECT * FROM problem_report_photos WHERE {_PHOTOS_OF} "
        "ORDER BY report_change_id, position",
    }
    for table, query in directory.items():
        rows[table] = cursor.fetch_all(query, (sid,)) if sid is not None else []
    return rows


def _number_change_params(cursor: Cursor, subject: SubjectRef) -> tuple[str | None, ...]:
    phone = subject.contact
    if subject.subcontractor_id is not None:
        found = cursor.fetch_all(
            "SELECT phone FROM subcontractors WHERE id = %s", (subject.subcontractor_id,)
        )
        if found:
            phone = found[0]["phone"]  # their number now, when they changed it since
    return (subject.subcontractor_id, subject.contact, subject.contact, phone, phone)


def _erase(cursor: Cursor, subject: SubjectRef) -> dict[str, int]:
    conversation = str(subject.conversation_id)
    sid = subject.subcontractor_id
    counts = {
        # Before the subcontractor's number is overwritten: it names their changes too.
        "phone_number_changes": cursor.execute(
            f"DELETE FROM phone_number_changes WHERE {_NUMBER_CHANGES_OF}",
            _number_change_params(cursor, subject),
        ),
        "conversations": cursor.execute(
            "DELETE FROM conversations WHERE conversation_id = %s", (conversation,)
        ),
        "sessions": cursor.execute("DELETE FROM sessions WHERE conversation_id = %s", (conversation,)),
        "daily_active_conversations": cursor.execute(
            "DELETE FROM daily_active_conversations WHERE conversation_id = %s", (conversation,)
        ),
        "attention": forget_conversation(cursor, "attention", subject.conversation_id),
        "subcontractors": 0,
        "problem_report_photos": 0,
        "problem_reports": 0,
        "task_status_changes": 0,
    }
    if sid is None:
        return counts
    counts["subcontractors"] = cursor.execute(
        "UPDATE subcontractors SET name = %s, company = %s, phone = %s, telegram_user_id = NULL "
        "WHERE id = %s AND NOT (name = %s AND company = %s AND phone = %s AND telegram_user_id IS NULL)",
        (ERASED_TEXT, ERASED_TEXT, ERASED_PREFIX + sid, sid, ERASED_TEXT, ERASED_TEXT, ERASED_PREFIX + sid),
    )
    # Before the reports' keys change: the photos refer to them.
    counts["problem_report_photos"] = cursor.execute(
        f"DELETE FROM problem_report_photos WHERE {_PHOTOS_OF}", (sid,)
    )
    counts["problem_reports"] = _erase_reports(cursor, sid)
    counts["task_status_changes"] = _erase_status_changes(cursor, sid)
    return counts


def _erase_reports(cursor: Cursor, sid: str) -> int:
    changed = 0
    for row in cursor.fetch_all(
        "SELECT id, change_id, description FROM problem_reports WHERE subcontractor_id = %s", (sid,)
    ):
        change_id = _anonymous_key(row["change_id"], f"report-{row['id']}")
        if row["description"] != ERASED_TEXT or change_id != row["change_id"]:
            changed += cursor.execute(
                "UPDATE problem_reports SET description = %s, change_id = %s WHERE id = %s",
                (ERASED_TEXT, change_id, row["id"]),
            )
    return changed


def _erase_status_changes(cursor: Cursor, sid: str) -> int:
    changed = 0
    for row in cursor.fetch_all(
        "SELECT change_id FROM task_status_changes WHERE subcontractor_id = %s", (sid,)
    ):
        change_id = _anonymous_key(row["change_id"], str(uuid4()))
        if change_id != row["change_id"]:
            changed += cursor.execute(
                "UPDATE task_status_changes SET change_id = %s WHERE change_id = %s",
                (change_id, row["change_id"]),
            )
    return changed


def _anonymous_key(change_id: str, unique: str) -> str:
    """A change id as it is when it names no one, else a unique stand-in.

    Change ids decided by turns are UUIDs derived one way from the message and kept, so
    a change applied again is still found applied. Rows older than change ids (0004/0006)
    are keyed by the provider's message id, which may spell the sender's number (WhatsApp).
    """
    if change_id.startswith(ERASED_PREFIX) or _is_uuid(change_id):
        return change_id
    return ERASED_PREFIX + unique


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False


def _jsonable(row: Row) -> dict[str, Any]:
    return {key: _value(value) for key, value in row.items()}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value
