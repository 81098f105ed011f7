"""What each choice id does: run a tool against the site directory and compose the reply.

Choice ids are stable and namespaced by kind:

- `menu.sites`, `menu.help`, `menu.main`: global, always available;
- `project.<id>`: a site; pressing it lists the subcontractor's tasks there;
- `task.<id>`: a task; pressing it shows the task and what can be done with it;
- `status.<task id>.<status>`: set a task's status (todo, in_progress, done, blocked);
- `problem.<project id>`: start reporting a problem on a site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from application.attachments import Attachment
from application.ports import (
    TASK_STATUSES,
    DirectoryChange,
    ProblemReportFiling,
    Site,
    SiteDirectory,
    Subcontractor,
    Task,
    TaskStatus,
    TaskStatusChange,
)
from application.replies import choice, compose
from application.texts import say, status_label
from domain.identity import change_id_for, problem_reference_for
from domain.values import MAX_LIST_ROWS, Choice, Reply

GLOBAL_CHOICES = ("menu.sites", "menu.help", "menu.main")

StatusSeen = Callable[[str], str | None]  # task id -> the status the person last saw


def nothing_seen(_task_id: str) -> str | None:
    return None


class ActionNotResolvedError(Exception):
    """A choice could not be acted on; `reason` goes on the record."""

    def __init__(self, reason: str, tool: str | None = None, arguments: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tool = tool  # the tool that failed, when one did
        self.arguments = arguments or {}


@dataclass(frozen=True)
class ToolCall:
    tool: str
    arguments: dict[str, Any]
    output: Any
    succeeded: bool = True


@dataclass(frozen=True)
class ActionResult:
    """The reply of a turn and the context it leaves in the session."""

    reply: Reply
    tool_call: ToolCall | None = None
    listing_kind: str | None = None
    focus: dict[str, str] = field(default_factory=dict)
    awaiting: str | None = None
    # A change to the world this turn decides; made only once the turn is committed.
    change: DirectoryChange | None = None


@dataclass(frozen=True)
class Actor:
    """Who the turn acts for and which message caused it (the idempotency key)."""

    subcontractor: Subcontractor
    message_id: str
    at: datetime
    receipt_id: UUID  # the message's receipt: what its one change to the world is keyed by
    # Photos (videos, documents) of this message or of the question it answers: they go
    # with a problem report the turn files.
    attachments: tuple[Attachment, ...] = ()

    @property
    def language(self) -> str:
        return self.subcontractor.language

    @property
    def change_id(self) -> str:
        """The key of the one change to the world this message may decide: derived only by the
        few turns that decide one (a hash and two UUIDs made, on every turn, otherwise)."""
        return str(change_id_for(self.receipt_id))


class Actions:
    def __init__(self, directory: SiteDirectory) -> None:
        self._directory = directory

    @property
    def directory(self) -> SiteDirectory:
        return self._directory

    def run(self, choice_id: str, actor: Actor, status_seen: StatusSeen = nothing_seen) -> ActionResult:
        """Acts on a choice id; raises ActionNotResolvedError with the reason if it can't.

        `status_seen` tells which status the person was last shown for a task,
        so a status press from an old screen does not silently overwrite a
        status someone else has set since.
        """
        kind, _, rest = choice_id.partition(".")
        if kind == "menu" and choice_id in GLOBAL_CHOICES:
            if rest == "sites":
                return self.list_sites(actor)
            if rest == "help":
                return self.help(actor)
            return self.main_menu(actor)
        if kind == "project" and rest:
            return self.list_tasks(actor, rest)
        if kind == "task" and rest:
            return self.show_task(actor, rest)
        if kind == "status" and "." in rest:
            task_id, _, status = rest.rpartition(".")
            if status in TASK_STATUSES:
                return self.set_status(actor, task_id, _as_status(status), status_seen(task_id))
        if kind == "problem" and rest:
            return self.ask_problem(actor, rest)
        raise ActionNotResolvedError("unknown_choice")

    # -- replies without a tool ------------------------------------------------

    def main_menu(self, actor: Actor, text: str | None = None) -> ActionResult:
        language = actor.language
        greeting = say(language, "greeting", name=actor.subcontractor.name.split()[0])
        return ActionResult(reply=compose(text or greeting, self.menu_choices(language)))

    def help(self, actor: Actor) -> ActionResult:
        return ActionResult(reply=compose(say(actor.language, "help"), self.menu_choices(actor.language)))

    def not_understood(self, actor: Actor) -> ActionResult:
        return self.main_menu(actor, say(actor.language, "not_understood"))

    def refuse_choice(self, actor: Actor) -> ActionResult:
        """A press of a site or task that is not (or no longer) the sender's."""
        return self.main_menu(actor, say(actor.language, "choice_unavailable"))

    @staticmethod
    def menu_choices(language: str) -> list[Choice]:
        return [
            choice("menu.sites", say(language, "menu.sites")),
            choice("menu.help", say(language, "menu.help")),
        ]

    # -- tools -----------------------------------------------------------------

    def list_sites(self, actor: Actor, text_key: str = "sites") -> ActionResult:
        sites = self._directory.sites_of(actor.subcontractor.id)
        call = ToolCall("list_sites", {}, [_site_output(site) for site in sites])
        if not sites:
            return ActionResult(
                reply=compose(say(actor.language, "no_sites"), self.menu_choices(actor.language)),
                tool_call=call,
            )
        if len(sites) > MAX_LIST_ROWS and text_key == "sites":
            text_key = "sites_truncated"
        text = say(actor.language, text_key, count=len(sites), shown=MAX_LIST_ROWS)
        choices = [choice(f"project.{s.id}", s.name, s.city) for s in sites]
        return ActionResult(reply=compose(text, choices), tool_call=call, listing_kind="sites")

    def list_tasks(self, actor: Actor, project_id: str, text_key: str = "tasks") -> ActionResult:
        found = self._directory.site_tasks(actor.subcontractor.id, project_id)
        if found is None:
            raise ActionNotResolvedError("not_found", "list_tasks", {"project_id": project_id})
        site, tasks = found
        call = ToolCall(
            "list_tasks",
            {"project_id": project_id},
            {"project": _site_output(site), "tasks": [task_output(t) for t in tasks]},
        )
        focus = {"project_id": project_id}
        language = actor.language
        if not tasks:
            return ActionResult(
                reply=compose(say(language, "no_tasks", site=site.name), self.menu_choices(language)),
                tool_call=call,
                focus=focus,
            )
        choices = [choice(f"task.{t.id}", t.title, status_label(language, t.status)) for t in tasks]
        text = say(language, text_key, site=site.name, count=len(tasks))
        return ActionResult(reply=compose(text, choices), tool_call=call, listing_kind="tasks", focus=focus)

    def show_task(self, actor: Actor, task_id: str) -> ActionResult:
        task = self.task(actor, task_id, "task_details")
        site = self.site(actor, task.project_id, "task_details")
        call = ToolCall("task_details", {"task_id": task_id}, task_output(task))
        return ActionResult(
            reply=compose(self._describe(actor.language, task, site), self._task_choices(actor, task)),
            tool_call=call,
            focus={"project_id": task.project_id, "task_id": task.id},
        )

    def set_status(
        self, actor: Actor, task_id: str, status: TaskStatus, seen: str | None = None
    ) -> ActionResult:
        """Decides the change; the directory makes it once the turn is committed.

        When the task's status changed since the person last saw it (`seen`),
        nothing is decided: the bot says so and asks again.
        """
        before = self.task(actor, task_id, "set_task_status")
        language = actor.language
        if seen is not None and before.status not in (seen, status):
            return self._confirm_status(actor, before, status)
        after = replace(before, status=status)
        call = ToolCall(
            "set_task_status",
            {"task_id": task_id, "status": status},
            {**task_output(after), "previous_status": before.status},
        )
        change = None
        if before.status != status:
            change = TaskStatusChange(
                change_id=actor.change_id,
                subcontractor_id=actor.subcontractor.id,
                task_id=task_id,
                status=status,
                at=actor.at,
                previous_status=before.status,
            )
        key = "status_changed" if change is not None else "status_unchanged"
        text = say(language, key, title=after.title, status=status_label(language, after.status))
        choices = [
            choice(f"project.{after.project_id}", say(language, "site_tasks")),
            choice("menu.sites", say(language, "menu.sites")),
        ]
        return ActionResult(
            reply=compose(text, choices),
            tool_call=call,
            focus={"project_id": after.project_id, "task_id": after.id},
            change=change,
        )

    def _confirm_status(self, actor: Actor, task: Task, status: TaskStatus) -> ActionResult:
        language = actor.language
        text = say(
            language,
            "status_changed_since",
            title=task.title,
            current=status_label(language, task.status),
            status=status_label(language, status),
        )
        choices = [
            choice(f"status.{task.id}.{status}", say(language, "yes")),
            choice(f"task.{task.id}", say(language, "no")),
        ]
        # On record as shown: pressing "yes" (or the old button again) now acts.
        call = ToolCall("task_details", {"task_id": task.id}, task_output(task))
        return ActionResult(
            reply=compose(text, choices),
            tool_call=call,
            focus={"project_id": task.project_id, "task_id": task.id},
        )

    def ask_problem(self, actor: Actor, project_id: str) -> ActionResult:
        site = self.site(actor, project_id, None)
        return ActionResult(
            reply=compose(say(actor.language, "ask_problem", site=site.name)),
            focus={"project_id": project_id},
            awaiting="problem_description",
        )

    def report_problem(self, actor: Actor, project_id: str, description: str) -> ActionResult:
        """Decides the report; the directory files it once the turn is committed."""
        site = self.site(actor, project_id, "report_problem")
        reference = problem_reference_for(UUID(actor.change_id))
        change = ProblemReportFiling(
            change_id=actor.change_id,
            reference=reference,
            subcontractor_id=actor.subcontractor.id,
            project_id=project_id,
            description=description,
            at=actor.at,
            photos=actor.attachments,
        )
        arguments: dict[str, Any] = {"project_id": project_id, "description": description}
        if actor.attachments:
            arguments["photos"] = [a.media_id for a in actor.attachments]
        call = ToolCall("report_problem", arguments, {"report_id": reference, "project_id": project_id})
        language = actor.language
        text = say(language, "problem_reported", report=reference, site=site.name)
        choices = [
            choice(f"project.{project_id}", say(language, "site_tasks")),
            choice("menu.sites", say(language, "menu.sites")),
        ]
        return ActionResult(
            reply=compose(text, choices), tool_call=call, focus={"project_id": project_id}, change=change
        )

    # -- helpers ---------------------------------------------------------------

    def site(self, actor: Actor, project_id: str, tool: str | None) -> Site:
        site = self._directory.site_of(actor.subcontractor.id, project_id)
        if site is None:
            raise ActionNotResolvedError("not_found", tool, {"project_id": project_id})
        return site

    def task(self, actor: Actor, task_id: str, tool: str) -> Task:
        task = self._directory.task_of(actor.subcontractor.id, task_id)
        if task is None:
            raise ActionNotResolvedError("not_found", tool, {"task_id": task_id})
        return task

    @staticmethod
    def _describe(language: str, task: Task, site: Site) -> str:
        due = task.due_on.strftime("%d/%m/%Y") if task.due_on else say(language, "no_due_date")
        notes = f"\n{task.notes}" if task.notes else ""
        return say(
            language,
            "task",
            title=task.title,
            site=site.name,
            status=status_label(language, task.status),
            due=due,
            notes=notes,
        )

    @staticmethod
    def _task_choices(actor: Actor, task: Task) -> list[Choice]:
        language = actor.language
        next_status: TaskStatus = "in_progress" if task.status == "todo" else "blocked"
        second_label = "mark.in_progress" if next_status == "in_progress" else "status.blocked"
        return [
            choice(f"status.{task.id}.done", say(language, "mark.done")),
            choice(f"status.{task.id}.{next_status}", say(language, second_label)),
            choice(f"problem.{task.project_id}", say(language, "report_problem")),
        ]


def _as_status(value: str) -> TaskStatus:
    for status in TASK_STATUSES:
        if status == value:
            return status
    raise ActionNotResolvedError("unknown_choice")


def _site_output(site: Site) -> dict[str, str]:
    return {"id": site.id, "name": site.name, "city": site.city}


def task_output(task: Task) -> dict[str, str | None]:
    return {
        "id": task.id,
        "project_id": task.project_id,
        "title": task.title,
        "status": task.status,
        "due_on": task.due_on.isoformat() if task.due_on else None,
    }
