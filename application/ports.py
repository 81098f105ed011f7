"""Ports the application needs from the outside world; infrastructure implements them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol, get_args

from application.attachments import Attachment
from domain.values import LastChange

TaskStatus = Literal["todo", "in_progress", "done", "blocked"]
TASK_STATUSES: tuple[TaskStatus, ...] = get_args(TaskStatus)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Subcontractor:
    id: str
    phone: str
    name: str
    company: str
    language: str


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    city: str
    address: str


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    project_id: str
    title: str
    status: TaskStatus
    due_on: date | None
    notes: str


@dataclass(frozen=True)
class TaskStatusChange:
    """A committed turn decided to set a task's status."""

    change_id: str  # the idempotency key: one per handled message
    subcontractor_id: str
    task_id: str
    status: TaskStatus
    at: datetime
    previous_status: TaskStatus | None = None  # for the record: what the turn saw
    # The decision's place in its conversation's log, once recorded: a change applied
    # late never overwrites a newer decision of the same conversation.
    conversation_id: str | None = None
    decided_version: int | None = None


@dataclass(frozen=True)
class ProblemReportFiling:
    """A committed turn decided to file a problem report on a site."""

    change_id: str
    reference: str  # what the reporter was told, to quote to the site manager
    subcontractor_id: str
    project_id: str
    description: str
    at: datetime
    # Our media ids of the photos (videos, documents) filed with it, in the order sent.
    photos: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class PhoneNumberChange:
    """A committed turn got the provider's word that the person now writes from another number."""

    change_id: str
    subcontractor_id: str
    old_number: str
    new_number: str
    at: datetime


DirectoryChange = TaskStatusChange | ProblemReportFiling | PhoneNumberChange


class SiteDirectory(Protocol):
    """The company's system of record: who works where, on what.

    Every query is scoped to a subcontractor: nobody sees another's sites.
    Turns only read it; the changes they decide are applied after the turn
    is committed, idempotently by change id (see `application/world.py`).
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

    def tasks_of(self, subcontractor_id: str) -> list[Task]:
        """Every task of the subcontractor on their sites, by site then position."""
        ...

    def task_names_of(self, subcontractor_id: str) -> list[Task]:
        """The same tasks as understanding reads them, for their names: they may be as old as a
        cache allows, statuses included; what is shown or changed reads `tasks_of`."""
        ...

    def apply_change(self, change: DirectoryChange) -> bool:
        """Makes a change a committed turn decided, once per change id.

        Returns False when it cannot be made (the task or site is no longer
        the subcontractor's); applying a change again is a no-op that
        returns True.
        """
        ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Intent:
    """What a message means, and how the bot came to think so (all of it goes on record)."""

    name: str
    arguments: dict[str, str]
    confidence: float
    layer: str = "rules"  # which layer decided: rules, local_model, remote_model
    # Certain enough to change the world at once; otherwise a write is confirmed first.
    certain: bool = True
    entities: dict[str, str] = field(default_factory=dict)  # sites and tasks matched in the text
    model: str | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class Catalogue:
    """The sender's own sites and tasks: what a name in a message can refer to."""

    sites: list[Site]
    tasks: list[Task]

    def site(self, project_id: str) -> Site | None:
        return next((s for s in self.sites if s.id == project_id), None)

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)


EMPTY_CATALOGUE = Catalogue(sites=[], tasks=[])


@dataclass(frozen=True)
class RecentTurn:
    """One earlier exchange of the session, for a model that reads the conversation."""

    said: str
    replied: str


@dataclass(frozen=True)
class ClassifierContext:
    """What the conversation knows, so "2", a site's name or "oui" can be understood."""

    language: str
    listing_kind: str | None
    listing: list[tuple[str, str]]  # (choice id, title) in the order shown
    focus: dict[str, str]
    awaiting: str | None
    recent_intents: list[str]
    pending: dict[str, str] | None = None  # a yes/no question the bot is waiting on
    catalogue: Callable[[], Catalogue] = lambda: EMPTY_CATALOGUE
    recent_turns: list[RecentTurn] = field(default_factory=list)
    status_awaiting_task: str | None = None  # "c'est fini", asked which task: the task chosen gets it
    last_change: LastChange | None = None  # the status the turn before wrote: "undo" puts it back


class IntentClassifier(Protocol):
    """Layered: rules, then a local model, then (optionally) a remote one."""

    def classify(self, text: str, context: ClassifierContext) -> Intent: ...
