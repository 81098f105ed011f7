"""The SiteDirectory port in memory, loaded with the demo data: for evaluating understanding
and for turns tested without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import cast

from application.ports import (
    DirectoryChange,
    PhoneNumberChange,
    Site,
    Subcontractor,
    Task,
    TaskStatus,
    TaskStatusChange,
)
from infrastructure.demo_data import ASSIGNMENTS, PROJECTS, SUBCONTRACTORS, TASKS


class InMemorySiteDirectory:
    def __init__(self) -> None:
        self._people = {
            phone: Subcontractor(id=sid, phone=phone, name=name, company=company, language=language)
            for sid, phone, name, company, language, _telegram in SUBCONTRACTORS
        }
        self._telegram = {telegram: phone for _sid, phone, *_rest, telegram in SUBCONTRACTORS}
        self._sites = {
            pid: Site(id=pid, name=name, city=city, address=address) for pid, name, city, address in PROJECTS
        }
        self._assigned = set(ASSIGNMENTS)
        self._tasks = {
            tid: (
                sid,
                Task(
                    tid, pid, title, cast(TaskStatus, status), date.fromisoformat(due) if due else None, notes
                ),
            )
            for tid, pid, sid, title, status, due, notes in TASKS
        }
        self._applied: set[str] = set()
        self.changes: list[DirectoryChange] = []

    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        return self._people.get(phone)

    def find_subcontractor_by_telegram(self, telegram_user_id: str) -> Subcontractor | None:
        phone = self._telegram.get(telegram_user_id)
        return self._people.get(phone) if phone else None

    def sites_of(self, subcontractor_id: str) -> list[Site]:
        sites = [self._sites[pid] for sid, pid in self._assigned if sid == subcontractor_id]
        return sorted(sites, key=lambda s: (s.name, s.id))

    def site_of(self, subcontractor_id: str, project_id: str) -> Site | None:
        return self._sites.get(project_id) if (subcontractor_id, project_id) in self._assigned else None

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        site = self.site_of(subcontractor_id, project_id)
        if site is None:
            return None
        return site, [t for t in self.tasks_of(subcontractor_id) if t.project_id == project_id]

    def task_of(self, subcontractor_id: str, task_id: str) -> Task | None:
        owner, task = self._tasks.get(task_id, (None, None))
        if task is None or owner != subcontractor_id or (owner, task.project_id) not in self._assigned:
            return None
        return task

    def task_names_of(self, subcontractor_id: str) -> list[Task]:
        return self.tasks_of(subcontractor_id)

    def tasks_of(self, subcontractor_id: str) -> list[Task]:
        return [
            task
            for owner, task in self._tasks.values()
            if owner == subcontractor_id and (owner, task.project_id) in self._assigned
        ]

    def apply_change(self, change: DirectoryChange) -> bool:
        if change.change_id in self._applied:
            return True
        if isinstance(change, TaskStatusChange):
            task = self.task_of(change.subcontractor_id, change.task_id)
            if task is None:
                return False
            self._tasks[task.id] = (change.subcontractor_id, replace(task, status=change.status))
        elif isinstance(change, PhoneNumberChange):
            person = self._people.get(change.old_number)
            if person is None or person.id != change.subcontractor_id:
                return False
            if change.new_number not in self._people:
                del self._people[change.old_number]
                self._people[change.new_number] = replace(person, phone=change.new_number)
        elif self.site_of(change.subcontractor_id, change.project_id) is None:
            return False
        self._applied.add(change.change_id)
        self.changes.append(change)
        return True

    def ping(self) -> None:
        pass

    def close(self) -> None:
        pass
