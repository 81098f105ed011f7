"""Ports the application needs from the outside world; infrastructure implements them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol, get_args

TaskStatus = Literal["todo", "in_progress", "done", "blocked"]
TASK_STATUSES: tuple[TaskStatus, ...] = get_args(TaskStatus)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Subcontractor:
    id: str
    phone: str
    name: str
    company: str
    language: str


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    city: str
    address: str


@dataclass(frozen=True)
class Task:
    id: str
    project_id: str
    title: str
    status: TaskStatus
    due_on: date | None
    notes: str


@dataclass(frozen=True)
class ProblemReport:
    id: str
    project_id: str
    description: str


class SiteDirectory(Protocol):
    """The company's system of record: who works where, on what.

    Every query is scoped to a subcontractor: nobody sees another's sites.
    State-changing calls are idempotent by provider message id, because a
    turn can be re-run after a version conflict.
    """

    def find_subcontractor(self, phone: str) -> Subcontractor | None: ...

    def find_subcontractor_by_telegram(self, telegram_user_id: str) -> Subcontractor | None:
        """The subcontractor a Telegram account is linked to, if any."""
        ...

    def sites_of(self, subcontractor_id: str) -> list[Site]: ...

    def site_of(self, subcontractor_id: str, project_id: str) -> Site | None: ...

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        """The site and the subcontractor's tasks on it, in one query; None if not assigned."""
        ...

    def task_of(self, subcontractor_id: str, task_id: str) -> Task | None: ...

    def set_task_status(
        self,
        subcontractor_id: str,
        task_id: str,
        status: TaskStatus,
        message_id: str,
        at: datetime,
    ) -> Task | None: ...

    def report_problem(
        self,
        subcontractor_id: str,
        project_id: str,
        description: str,
        message_id: str,
        at: datetime,
    ) -> ProblemReport | None: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Intent:
    name: str
    arguments: dict[str, str]
    confidence: float


@dataclass(frozen=True)
class ClassifierContext:
    """What the session knows, so "2" or a site's name can be understood."""

    language: str
    listing_kind: str | None
    listing: list[tuple[str, str]]  # (choice id, title) in the order shown
    focus: dict[str, str]
    awaiting: str | None
    recent_intents: list[str]


class IntentClassifier(Protocol):
    """Rule-based by default; a model-backed classifier can replace it."""

    def classify(self, text: str, context: ClassifierContext) -> Intent: ...
