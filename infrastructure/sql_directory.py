"""The SiteDirectory port over SQL tables (created by migrations), SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.ports import ProblemReport, Site, Subcontractor, Task, TaskStatus
from infrastructure.database import Database, Row

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
            _task({**row, "id": row["task_id"], "project_id": project_id})
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

    def set_task_status(
        self, subcontractor_id: str, task_id: str, status: TaskStatus, message_id: str, at: datetime
    ) -> Task | None:
        """Applies the change once per message id; a re-run returns the task as it is."""
        with self._db.transaction() as cursor:
            recorded = cursor.execute(
                "INSERT INTO task_status_changes "
                "(message_id, task_id, subcontractor_id, status, changed_at) "
                f"SELECT %s, t.id, t.subcontractor_id, %s, %s FROM tasks t {_ASSIGNED.format(table='t')} "
                "WHERE t.id = %s AND t.subcontractor_id = %s "
                "ON CONFLICT (message_id) DO NOTHING",
                (
                    message_id,
                    status,
                    at,
                    subcontractor_id,
                    task_id,
                    subcontractor_id,
                ),
            )
            if recorded == 1:
                cursor.execute(
                    "UPDATE tasks SET status = %s, updated_at = %s WHERE id = %s",
                    (status, at, task_id),
                )
            rows = cursor.fetch_all(
                f"SELECT {_TASK_COLUMNS} FROM tasks t {_ASSIGNED.format(table='t')} "
                "WHERE t.subcontractor_id = %s AND t.id = %s",
                (subcontractor_id, subcontractor_id, task_id),
            )
        return _task(rows[0]) if rows else None

    def report_problem(
        self, subcontractor_id: str, project_id: str, description: str, message_id: str, at: datetime
    ) -> ProblemReport | None:
        """Files the report once per message id; a re-run returns the same report."""
        with self._db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO problem_reports "
                "(message_id, project_id, subcontractor_id, description, reported_at) "
                "SELECT %s, a.project_id, a.subcontractor_id, %s, %s FROM assignments a "
                "WHERE a.subcontractor_id = %s AND a.project_id = %s "
                "ON CONFLICT (message_id) DO NOTHING",
                (message_id, description, at, subcontractor_id, project_id),
            )
            rows = cursor.fetch_all(
                "SELECT id, project_id, description FROM problem_reports "
                "WHERE message_id = %s AND subcontractor_id = %s",
                (message_id, subcontractor_id),
            )
        if not rows:
            return None
        row = rows[0]
        return ProblemReport(id=str(row["id"]), project_id=row["project_id"], description=row["description"])

    def ping(self) -> None:
        self._db.fetch_one("SELECT 1 AS ok")

    def close(self) -> None:
        self._db.close()


def _task(row: Row) -> Task:
    due: Any = row["due_on"]
    if isinstance(due, str):
        due = date.fromisoformat(due)
    return Task(
        id=row["id"],
        project_id=row["project_id"],
        title=row["title"],
        status=row["status"],
        due_on=due,
        notes=row["notes"] or "",
    )
