"""The SiteDirectory port over SQL tables (created by migrations), SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.ports import (
    DirectoryChange,
    PhoneNumberChange,
    ProblemReportFiling,
    Site,
    Subcontractor,
    Task,
    TaskStatusChange,
)
from infrastructure.database import Cursor, Database, Row

_SITE_COLUMNS = "p.id, p.name, p.city, p.address"
_TASK_COLUMNS = "t.id, t.project_id, t.title, t.status, t.due_on, t.notes"
# Visibility rule in one place: a subcontractor sees a site only through an assignment.
_ASSIGNED = "JOIN assignments a ON a.project_id = {table}.project_id AND a.subcontractor_id = %s"


class SqlSiteDirectory:
    def __init__(self, database: Database) -> None:
        self._db = database

    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        row = self._db.fetch_one(
            "SELECT id, phone, name, company, language FROM subcontractors WHERE phone = %s",
            (phone,),
        )
        return Subcontractor(**row) if row else None

    def find_subcontractor_by_telegram(self, telegram_user_id: str) -> Subcontractor | None:
        row = self._db.fetch_one(
            "SELECT id, phone, name, company, language FROM subcontractors WHERE telegram_user_id = %s",
            (telegram_user_id,),
        )
        return Subcontractor(**row) if row else None

    def sites_of(self, subcontractor_id: str) -> list[Site]:
        rows = self._db.fetch_all(
            f"SELECT {_SITE_COLUMNS} FROM projects p "
            "JOIN assignments a ON a.project_id = p.id "
            "WHERE a.subcontractor_id = %s ORDER BY p.name, p.id",
            (subcontractor_id,),
        )
        return [Site(**row) for row in rows]

    def site_of(self, subcontractor_id: str, project_id: str) -> Site | None:
        row = self._db.fetch_one(
            f"SELECT {_SITE_COLUMNS} FROM projects p "
            "JOIN assignments a ON a.project_id = p.id "
            "WHERE a.subcontractor_id = %s AND p.id = %s",
            (subcontractor_id, project_id),
        )
        return Site(**row) if row else None

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        rows = self._db.fetch_all(
            f"SELECT {_SITE_COLUMNS}, t.id AS task_id, t.title, t.status, t.due_on, t.notes FROM projects p "
            "JOIN assignments a ON a.project_id = p.id AND a.subcontractor_id = %s "
            "LEFT JOIN tasks t ON t.project_id = p.id AND t.subcontractor_id = a.subcontractor_id "
            "WHERE p.id = %s ORDER BY t.position, t.id",
            (subcontractor_id, project_id),
        )
        if not rows:
            return None
        first = rows[0]
        site = Site(id=first["id"], name=first["name"], city=first["city"], address=first["address"])
        tasks = [
            _task(row, id_column="task_id", project_id=project_id)
            for row in rows
            if row["task_id"] is not None
        ]
        return site, tasks

    def task_of(self, subcontractor_id: str, task_id: str) -> Task | None:
        row = self._db.fetch_one(
            f"SELECT {_TASK_COLUMNS} FROM tasks t {_ASSIGNED.format(table='t')} "
            "WHERE t.subcontractor_id = %s AND t.id = %s",
            (subcontractor_id, subcontractor_id, task_id),
        )
        return _task(row) if row else None

    def task_names_of(self, subcontractor_id: str) -> list[Task]:
        return self.tasks_of(subcontractor_id)

    def tasks_of(self, subcontractor_id: str) -> list[Task]:
        rows = self._db.fetch_all(
            f"SELECT {_TASK_COLUMNS} FROM tasks t {_ASSIGNED.format(table='t')} "
            "WHERE t.subcontractor_id = %s ORDER BY t.project_id, t.position, t.id",
            (subcontractor_id, subcontractor_id),
        )
        return [_task(row) for row in rows]

    def apply_change(self, change: DirectoryChange) -> bool:
        with self._db.transaction() as cursor:
            return apply_change_in(cursor, change)

    def ping(self) -> None:
        self._db.fetch_one("SELECT 1 AS ok")

    def close(self) -> None:
        self._db.close()


def apply_change_in(cursor: Cursor, change: DirectoryChange) -> bool:
    """Applies a decided change inside the caller's transaction, once per change id.

    True when the change is (now, or already) made; False when it cannot be,
    because the task or site is no longer the subcontractor's.
    """
    if isinstance(change, TaskStatusChange):
        return _set_task_status(cursor, change)
    if isinstance(change, PhoneNumberChange):
        return _follow_number(cursor, change)
    return _file_problem_report(cursor, change)


def _set_task_status(cursor: Cursor, change: TaskStatusChange) -> bool:
    # Changes of one task apply one at a time, so the newer-decision check below
    # sees every change committed before it.
    lock = " FOR UPDATE" if cursor.dialect == "postgresql" else ""
    cursor.fetch_all(f"SELECT id FROM tasks WHERE id = %s{lock}", (change.task_id,))
    recorded = cursor.execute(
        "INSERT INTO task_status_changes "
        "(change_id, task_id, subcontractor_id, status, changed_at, conversation_id, decided_version) "
        f"SELECT %s, t.id, t.subcontractor_id, %s, %s, %s, %s FROM tasks t {_ASSIGNED.format(table='t')} "
        "WHERE t.id = %s AND t.subcontractor_id = %s "
        "ON CONFLICT (change_id) DO NOTHING",
        (
            change.change_id,
            change.status,
            change.at,
            change.conversation_id,
            change.decided_version,
            change.subcontractor_id,
            change.task_id,
            change.subcontractor_id,
        ),
    )
    if recorded != 1:
        return _already_applied(cursor, "task_status_changes", change.change_id)
    cursor.execute(
        "UPDATE tasks SET status = %s, updated_at = %s WHERE id = %s AND NOT EXISTS ("
        " SELECT 1 FROM task_status_changes later WHERE later.task_id = %s"
        " AND later.conversation_id = %s AND later.decided_version > %s)",
        (
            change.status,
            change.at,
            change.task_id,
            change.task_id,
            change.conversation_id,
            change.decided_version,
        ),
    )
    return True


def _file_problem_report(cursor: Cursor, change: ProblemReportFiling) -> bool:
    recorded = cursor.execute(
        "INSERT INTO problem_reports "
        "(change_id, reference, project_id, subcontractor_id, description, reported_at) "
        "SELECT %s, %s, a.project_id, a.subcontractor_id, %s, %s FROM assignments a "
        "WHERE a.subcontractor_id = %s AND a.project_id = %s "
        "ON CONFLICT (change_id) DO NOTHING",
        (
            change.change_id,
            change.reference,
            change.description,
            change.at,
            change.subcontractor_id,
            change.project_id,
        ),
    )
    if recorded != 1:
        return _already_applied(cursor, "problem_reports", change.change_id)
    for position, photo in enumerate(change.photos):
        cursor.execute(
            "INSERT INTO problem_report_photos (report_change_id, position, media_id, kind, mime_type) "
            "VALUES (%s, %s, %s, %s, %s)",
            (change.change_id, position, photo.media_id, photo.kind, photo.mime_type),
        )
    return True


def _follow_number(cursor: Cursor, change: PhoneNumberChange) -> bool:
    """Moves the person to their new number, unless it is already someone's: then the change
    is only flagged (`followed` false) for an operator, and nobody's number is overwritten."""
    lock = " FOR UPDATE" if cursor.dialect == "postgresql" else ""
    owner = cursor.fetch_all(f"SELECT id FROM subcontractors WHERE id = %s{lock}", (change.subcontractor_id,))
    if not owner:
        return False
    if _already_applied(cursor, "phone_number_changes", change.change_id):
        return True
    taken = cursor.fetch_all(
        "SELECT id FROM subcontractors WHERE phone = %s AND id <> %s",
        (change.new_number, change.subcontractor_id),
    )
    followed = not taken
    cursor.execute(
        "INSERT INTO phone_number_changes "
        "(change_id, subcontractor_id, old_phone, new_phone, followed, changed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (
            change.change_id,
            change.subcontractor_id,
            change.old_number,
            change.new_number,
            followed,
            change.at,
        ),
    )
    if followed:
        cursor.execute(
            "UPDATE subcontractors SET phone = %s WHERE id = %s AND phone = %s",
            (change.new_number, change.subcontractor_id, change.old_number),
        )
    return True


def _already_applied(cursor: Cursor, table: str, change_id: str) -> bool:
    return bool(cursor.fetch_all(f"SELECT 1 AS applied FROM {table} WHERE change_id = %s", (change_id,)))


def _task(row: Row, id_column: str = "id", project_id: str | None = None) -> Task:
    """A task from its row; a join names its id otherwise, and may know its site already."""
    return Task(
        id=row[id_column],
        project_id=row["project_id"] if project_id is None else project_id,
        title=row["title"],
        status=row["status"],
        due_on=_day(row["due_on"]),
        notes=row["notes"] or "",
    )


def _day(value: Any) -> Any:
    # SQLite gives the ISO text it stored, PostgreSQL a date.
    return date.fromisoformat(value) if isinstance(value, str) else value
