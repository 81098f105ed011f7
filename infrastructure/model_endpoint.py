"""A model behind an OpenAI-compatible chat-completions endpoint (hosted, vLLM, Ollama...).

Asked only when the local layers are unsure. It reads the conversation's last
exchanges, what is on screen and the sender's own sites and tasks, and must
answer with one action of a closed set as JSON. Whatever it says is checked:
an unknown action, a site or task that is not the sender's, a status that is
not one, and the answer is thrown away. Errors and timeouts fall back to the
local answer. Writes it proposes are never certain: the person confirms them.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from application.ports import TASK_STATUSES, Intent
from application.understanding.reading import Reading

log = logging.getLogger(__name__)

ACTIONS = ("greet", "help", "list_sites", "list_tasks", "select_site", "select_task", "set_status",
           "report_problem", "small_talk", "ask_overdue", "ask_due_this_week", "ask_where_expected",
           "unknown")  # fmt: skip

_ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": list(ACTIONS)},
        "site_id": {"type": "string"},
        "task_id": {"type": "string"},
        "status": {"type": "string", "enum": list(TASK_STATUSES)},
        "description": {"type": "string"},
    },
    "required": ["action"],
    "additionalProperties": False,
}

_INSTRUCTIONS = (
    "You read messages that construction subcontractors send to a site bot, in French or English. "
    "Answer with one JSON object and nothing else, choosing `action` from: " + ", ".join(ACTIONS) + ". "
    "Use only the ids listed under SITES and TASKS. `set_status` needs task_id and status, and only when "
    "the message states that status plainly: a negated, hoped-for or partial status is `unknown`. "
    "`report_problem` is an incident on site (leak, breakage, missing material, no access, no power, "
    "hazard), with a site_id when one is meant and the description in the person's words."
)


@dataclass(frozen=True)
class RemoteSettings:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 2.0


class OpenAICompatibleModel:
    def __init__(self, settings: RemoteSettings, client: httpx.Client | None = None) -> None:
        self._settings = settings
        self.name = settings.model
        self._client = client or httpx.Client(timeout=settings.timeout_seconds)

    def interpret(self, reading: Reading) -> Intent | None:
        started = time.perf_counter()
        try:
            answer = self._ask(reading)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            log.warning("model %s not used: %s", self.name, error)
            return None
        latency = (time.perf_counter() - started) * 1000
        return _validated(answer, reading, self.name, latency)

    def _ask(self, reading: Reading) -> dict[str, Any]:
        settings = self._settings
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        body = {
            "model": settings.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": _INSTRUCTIONS},
                {"role": "user", "content": _prompt(reading)},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "site_bot_action", "schema": _ANSWER_SCHEMA, "strict": True},
            },
        }
        response = self._client.post(
            f"{settings.base_url.rstrip('/')}/chat/completions",
            json=body,
            headers=headers,
            timeout=settings.timeout_seconds,
        )
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        answer = json.loads(content)
        if not isinstance(answer, dict):
            raise ValueError("the model did not answer with an object")
        return answer


def _prompt(reading: Reading) -> str:
    context = reading.context
    catalogue = reading.catalogue
    lines = ["SITES:"] + [f"- {s.id}: {s.name} ({s.city})" for s in catalogue.sites]
    lines += ["TASKS:"] + [f"- {t.id}: {t.title} [site {t.project_id}, {t.status}]" for t in catalogue.tasks]
    if context.listing:
        lines += ["ON SCREEN:"] + [
            f"{n}. {title} ({cid})" for n, (cid, title) in enumerate(context.listing, 1)
        ]
    if context.focus:
        lines.append(f"IN FOCUS: {json.dumps(context.focus)}")
    if context.recent_turns:
        lines.append("CONVERSATION:")
        for turn in context.recent_turns:
            lines += [f"person: {turn.said}", f"bot: {turn.replied}"]
    lines.append(f"MESSAGE: {reading.text}")
    return "\n".join(lines)


def _validated(answer: dict[str, Any], reading: Reading, model: str, latency: float) -> Intent | None:
    """The answer as an intent, if every part of it is allowed; None otherwise."""
    action = answer.get("action")
    catalogue = reading.catalogue
    site_id, task_id, status = answer.get("site_id"), answer.get("task_id"), answer.get("status")
    if action not in ACTIONS:
        return _discarded(f"action {action!r}")
    if site_id is not None and catalogue.site(str(site_id)) is None:
        return _discarded(f"site {site_id!r} is not the sender's")
    if task_id is not None and catalogue.task(str(task_id)) is None:
        return _discarded(f"task {task_id!r} is not the sender's")
    if status is not None and status not in TASK_STATUSES:
        return _discarded(f"status {status!r}")
    entities = {k: str(v) for k, v in (("project_id", site_id), ("task_id", task_id)) if v}

    def made(name: str, arguments: dict[str, str]) -> Intent:
        return Intent(name, arguments, 0.7, layer="remote_model", certain=False, entities=entities,
                      model=model, latency_ms=round(latency, 3))  # fmt: skip

    if action == "set_status":
        if task_id is None or status is None:
            return _discarded("set_status without a task and a status")
        return made("set_status", {"task_id": str(task_id), "status": str(status)})
    if action == "report_problem":
        arguments = {"description": str(answer.get("description") or reading.text)}
        if site_id:
            arguments["project_id"] = str(site_id)
        return made("report_problem", arguments)
    if action == "select_site":
        return made("select", {"choice_id": f"project.{site_id}"}) if site_id else _discarded("no site")
    if action == "select_task":
        return made("select", {"choice_id": f"task.{task_id}"}) if task_id else _discarded("no task")
    if action == "list_tasks" and site_id:
        return made("list_tasks", {"project_id": str(site_id)})
    if action == "small_talk":
        return made("small_talk", {"kind": "ack"})
    return made(str(action), {})


def _discarded(why: str) -> Intent | None:
    log.warning("model answer discarded: %s", why)
    return None
