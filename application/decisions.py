"""What the bot does about what a message means: act, ask, or confirm first.

Writes that come from free text need certainty: a certain one is decided at
once (and made once the turn is committed); an uncertain one becomes a yes/no
question, held by the conversation until the next turn answers it.
"""

from __future__ import annotations

from dataclasses import replace

from application.actions import ActionNotResolvedError, ActionResult, Actions, Actor
from application.attachments import decoded, encoded
from application.conversing import Conversing
from application.ports import TASK_STATUSES, Intent, TaskStatus
from domain.conversation import Conversation

CONFIRM_YES = "confirm.yes"
CONFIRM_NO = "confirm.no"


class Decisions:
    def __init__(self, actions: Actions, conversing: Conversing) -> None:
        self._actions = actions
        self._conversing = conversing

    def act_on(self, intent: Intent, conversation: Conversation, actor: Actor) -> ActionResult:
        actions, conversing = self._actions, self._conversing
        focus = dict(conversation.open_session["focus"])
        project_id = focus.get("project_id")
        arguments = intent.arguments
        today = actor.at.date()
        name = intent.name
        if name in ("confirm_yes", "confirm_no"):
            return self.answer(conversation, actor, accepted=name == "confirm_yes")
        if name in ("greet", "menu", "reset"):
            return actions.main_menu(actor)
        if name == "help":
            return actions.help(actor)
        if name == "small_talk":
            return conversing.small_talk(actor, arguments.get("kind", "ack"), focus)
        if name == "ask_overdue":
            return conversing.overdue(actor, today)
        if name == "ask_due_this_week":
            return conversing.due_this_week(actor, today)
        if name == "ask_where_expected":
            return conversing.where_expected(actor, today)
        if name == "list_sites":
            return actions.list_sites(actor)
        if name == "select" and "candidates" in arguments:
            return conversing.which_one(actor, arguments["candidates"].split(","), focus)
        if name == "select":
            return self._select(arguments["choice_id"], conversation, actor)
        if name == "list_tasks":
            site = arguments.get("project_id") or project_id
            return actions.list_tasks(actor, site) if site else actions.list_sites(actor, "choose_site_first")
        if name == "set_status":
            return self._set_status(intent, conversation, actor)
        if name == "status_unclear":
            return self._status_unclear(intent, conversation, actor)
        if name in ("report_problem", "describe_problem"):
            return self._report_problem(intent, conversation, actor)
        return self.not_understood(actor, project_id)

    # -- presses that answer what the conversation asked -----------------------------

    def press(self, choice_id: str, conversation: Conversation, actor: Actor) -> ActionResult | None:
        """A press that answers the pending question; None for every other press."""
        if choice_id in (CONFIRM_YES, CONFIRM_NO):
            return self.answer(conversation, actor, accepted=choice_id == CONFIRM_YES)
        pending = conversation.pending_confirmation
        kind, _, rest = choice_id.partition(".")
        if pending and pending["action"].get("kind") == "report_problem_site" and kind == "project" and rest:
            return self._file_on_chosen_site(rest, conversation, actor)
        return None

    def answer(self, conversation: Conversation, actor: Actor, *, accepted: bool) -> ActionResult:
        focus = dict(conversation.open_session["focus"])
        if conversation.pending_confirmation is None:
            # Asked in an earlier turn or session: it lapsed, and nothing is done.
            return self._conversing.expired(actor, focus)
        action = conversation.answer_confirmation(message_id=actor.message_id, accepted=accepted)
        if action is None:
            return self._conversing.declined(actor, focus)
        if action["kind"] == "set_status":
            status = _status(action["status"])
            return self._actions.set_status(
                actor, action["task_id"], status, conversation.status_seen(action["task_id"])
            )
        if action["kind"] == "report_problem":
            with_photos = replace(actor, attachments=decoded(action.get("photos", "")))
            return self._actions.report_problem(with_photos, action["project_id"], action["description"])
        return self._conversing.declined(actor, focus)

    # -- writes from free text ------------------------------------------------------

    def _set_status(self, intent: Intent, conversation: Conversation, actor: Actor) -> ActionResult:
        actions = self._actions
        status = _status(intent.arguments["status"])
        task_id = intent.arguments.get("task_id")
        focus = dict(conversation.open_session["focus"])
        if not task_id:
            project_id = focus.get("project_id")
            if project_id:
                return actions.list_tasks(actor, project_id, "choose_task_first")
            return actions.list_sites(actor, "choose_site_first")
        if intent.certain:
            return actions.run(f"status.{task_id}.{status}", actor, conversation.status_seen)
        task = actions.task(actor, task_id, "set_task_status")
        if task.status == status:
            return actions.set_status(actor, task_id, status)  # "was already": nothing to confirm
        conversation.ask_confirmation(
            message_id=actor.message_id, action={"kind": "set_status", "task_id": task_id, "status": status}
        )
        return self._conversing.confirm_status(
            actor, task, status, {"project_id": task.project_id, "task_id": task.id}
        )

    def _status_unclear(self, intent: Intent, conversation: Conversation, actor: Actor) -> ActionResult:
        task_id = intent.arguments.get("task_id")
        if task_id:
            return self._conversing.ask_status(actor, self._actions.task(actor, task_id, "task_details"))
        project_id = conversation.open_session["focus"].get("project_id")
        if project_id:
            return self._actions.list_tasks(actor, project_id, "choose_task_first")
        return self._actions.list_sites(actor, "choose_site_first")

    def _report_problem(self, intent: Intent, conversation: Conversation, actor: Actor) -> ActionResult:
        actions = self._actions
        focus = dict(conversation.open_session["focus"])
        project_id = intent.arguments.get("project_id") or focus.get("project_id")
        description = intent.arguments.get("description", "")
        if not project_id:
            # Which site? The description (or that one is still to come) waits one turn for the
            # answer, and whether it was sure enough to file once the site is known.
            sure = {"sure": "yes"} if intent.certain or intent.name == "describe_problem" else {}
            action = {"kind": "report_problem_site", "description": description, **sure, **_photos(actor)}
            conversation.ask_confirmation(message_id=actor.message_id, action=action)
            return actions.list_sites(actor, "choose_site_first")
        if not description:
            return actions.ask_problem(actor, project_id)
        if intent.certain or intent.name == "describe_problem":
            return actions.report_problem(actor, project_id, description)
        return self._confirm_problem(conversation, actor, project_id, description, _photos(actor))

    def _confirm_problem(
        self,
        conversation: Conversation,
        actor: Actor,
        project_id: str,
        description: str,
        photos: dict[str, str],
    ) -> ActionResult:
        site = self._actions.site(actor, project_id, "report_problem")
        conversation.ask_confirmation(
            message_id=actor.message_id,
            action={"kind": "report_problem", "project_id": project_id, "description": description, **photos},
        )
        return self._conversing.confirm_problem(actor, site.name, description, {"project_id": project_id})

    def _file_on_chosen_site(self, project_id: str, conversation: Conversation, actor: Actor) -> ActionResult:
        pending = conversation.pending_confirmation
        assert pending is not None
        action = pending["action"]
        conversation.answer_confirmation(message_id=actor.message_id, accepted=True)
        if not action["description"] and not action.get("photos"):
            return self._actions.ask_problem(actor, project_id)  # "problème" → which site? → "Tilleuls"
        if action.get("sure") != "yes":
            # Read from free text, not sure enough to file: the site chosen, the person confirms it.
            photos = {"photos": action["photos"]} if action.get("photos") else {}
            return self._confirm_problem(conversation, actor, project_id, action["description"], photos)
        with_photos = replace(actor, attachments=decoded(action.get("photos", "")))
        return self._actions.report_problem(with_photos, project_id, action["description"])

    def _select(self, choice_id: str, conversation: Conversation, actor: Actor) -> ActionResult:
        answered = self.press(choice_id, conversation, actor)
        if answered is not None:
            return answered
        return self._actions.run(choice_id, actor, conversation.status_seen)

    def not_understood(self, actor: Actor, project_id: str | None) -> ActionResult:
        """Says so, and offers what makes sense here: the tasks of the site in focus."""
        if project_id:
            try:
                return self._actions.list_tasks(actor, project_id, "not_understood_tasks")
            except ActionNotResolvedError:
                pass
        return self._actions.not_understood(actor)


def _photos(actor: Actor) -> dict[str, str]:
    """What a question's action carries of the photos sent with the message, if any."""
    return {"photos": encoded(actor.attachments)} if actor.attachments else {}


def _status(value: str) -> TaskStatus:
    for status in TASK_STATUSES:
        if status == value:
            return status
    raise ActionNotResolvedError("unknown_choice")
