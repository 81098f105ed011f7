"""Replies that are not tools: confirmations, clarifying questions, small talk, questions about work."""

from __future__ import annotations

from datetime import date, timedelta

from application.actions import ActionResult, Actor, ToolCall, task_output
from application.ports import SiteDirectory, Task, TaskStatus
from application.replies import choice, compose
from application.texts import say, status_label
from domain.values import Choice

_SMALL_TALK_REPLIES = {
    "thanks": "small_talk.thanks",
    "bye": "small_talk.bye",
    "bye_evening": "small_talk.bye_evening",
    "nothing_reported": "nothing_reported",
}


class Conversing:
    def __init__(self, directory: SiteDirectory) -> None:
        self._directory = directory

    # -- yes/no before a write from free text -----------------------------------

    def confirm_status(
        self, actor: Actor, task: Task, status: TaskStatus, focus: dict[str, str]
    ) -> ActionResult:
        language = actor.language
        text = say(language, "confirm_status", title=task.title, status=status_label(language, status))
        return ActionResult(reply=compose(text, self._yes_no(language)), focus=focus)

    def confirm_problem(
        self, actor: Actor, site_name: str, description: str, focus: dict[str, str]
    ) -> ActionResult:
        text = say(actor.language, "confirm_problem", site=site_name, description=description)
        return ActionResult(reply=compose(text, self._yes_no(actor.language)), focus=focus)

    def declined(self, actor: Actor, focus: dict[str, str]) -> ActionResult:
        return ActionResult(reply=compose(say(actor.language, "confirm_declined")), focus=focus)

    def expired(self, actor: Actor, focus: dict[str, str]) -> ActionResult:
        return ActionResult(reply=compose(say(actor.language, "confirm_expired")), focus=focus)

    @staticmethod
    def _yes_no(language: str) -> list[Choice]:
        return [choice("confirm.yes", say(language, "yes")), choice("confirm.no", say(language, "no"))]

    # -- when it is not clear --------------------------------------------------

    def ask_status(self, actor: Actor, task: Task) -> ActionResult:
        """A status that was denied or only hoped for: nothing is written, the person says."""
        language = actor.language
        text = say(language, "ask_status", title=task.title, status=status_label(language, task.status))
        offered: tuple[TaskStatus, ...] = ("in_progress", "blocked", "done")
        choices = [
            choice(f"status.{task.id}.{status}", status_label(language, status))
            for status in offered
            if status != task.status
        ]
        return ActionResult(
            reply=compose(text, choices),
            tool_call=ToolCall("task_details", {"task_id": task.id}, task_output(task)),
            focus={"project_id": task.project_id, "task_id": task.id},
        )

    def which_one(self, actor: Actor, choice_ids: list[str], focus: dict[str, str]) -> ActionResult:
        """A name that fits several of the sender's sites or tasks: they pick."""
        subcontractor_id = actor.subcontractor.id
        choices: list[Choice] = []
        for choice_id in choice_ids:
            kind, _, item_id = choice_id.partition(".")
            if kind == "task" and (task := self._directory.task_of(subcontractor_id, item_id)) is not None:
                choices.append(choice(choice_id, task.title))
            elif (
                kind == "project" and (site := self._directory.site_of(subcontractor_id, item_id)) is not None
            ):
                choices.append(choice(choice_id, site.name, site.city))
        listing = "tasks" if choice_ids and choice_ids[0].startswith("task.") else "sites"
        return ActionResult(
            reply=compose(say(actor.language, "which_one"), choices), listing_kind=listing, focus=focus
        )

    # -- small talk --------------------------------------------------------------

    def small_talk(self, actor: Actor, kind: str, focus: dict[str, str]) -> ActionResult:
        key = _SMALL_TALK_REPLIES.get(kind, "small_talk.ack")
        return ActionResult(reply=compose(say(actor.language, key)), focus=focus)

    # -- questions about their work ------------------------------------------------

    def overdue(self, actor: Actor, today: date) -> ActionResult:
        late = [t for t in self._open_tasks(actor) if t.due_on is not None and t.due_on < today]
        return self._task_list(actor, "overdue", "none_overdue", late, "ask_overdue")

    def due_this_week(self, actor: Actor, today: date) -> ActionResult:
        sunday = today + timedelta(days=6 - today.weekday())
        due = [t for t in self._open_tasks(actor) if t.due_on is not None and today <= t.due_on <= sunday]
        return self._task_list(actor, "due_this_week", "none_due_this_week", due, "ask_due_this_week")

    def where_expected(self, actor: Actor, today: date) -> ActionResult:
        """The sites where work is due soonest: overdue first, then the coming fortnight."""
        horizon = today + timedelta(days=14)
        soon = [t for t in self._open_tasks(actor) if t.due_on is not None and t.due_on <= horizon]
        soon.sort(key=lambda t: (t.due_on, t.id))
        sites = {site.id: site for site in self._directory.sites_of(actor.subcontractor.id)}
        ordered: list[str] = []
        for task in soon:
            if task.project_id not in ordered:
                ordered.append(task.project_id)
        language = actor.language
        call = ToolCall("where_expected", {"until": horizon.isoformat()}, {"sites": ordered})
        if not ordered:
            return ActionResult(reply=compose(say(language, "none_expected")), tool_call=call)
        choices = [
            choice(f"project.{pid}", sites[pid].name, sites[pid].city) for pid in ordered if pid in sites
        ]
        text = say(language, "where_expected", count=len(choices))
        return ActionResult(reply=compose(text, choices), tool_call=call, listing_kind="sites")

    def _open_tasks(self, actor: Actor) -> list[Task]:
        return [t for t in self._directory.tasks_of(actor.subcontractor.id) if t.status != "done"]

    @staticmethod
    def _task_list(actor: Actor, key: str, none_key: str, tasks: list[Task], tool: str) -> ActionResult:
        language = actor.language
        tasks = sorted(tasks, key=lambda t: (t.due_on or date.max, t.id))
        call = ToolCall(tool, {}, {"tasks": [task_output(t) for t in tasks]})
        if not tasks:
            return ActionResult(reply=compose(say(language, none_key)), tool_call=call)
        choices = [
            choice(f"task.{t.id}", t.title, t.due_on.strftime("%d/%m") if t.due_on else "") for t in tasks
        ]
        return ActionResult(
            reply=compose(say(language, key, count=len(tasks)), choices), tool_call=call, listing_kind="tasks"
        )
