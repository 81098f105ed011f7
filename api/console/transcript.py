"""A page of a conversation's events as the console shows it: grouped by session, one entry per
event, with what the bot understood and why, and what became of each reply sent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi.encoders import jsonable_encoder

from application.audit import DeliveryView
from application.event_log.records import EventRecord

_SLUG = re.compile(r"[^A-Za-z0-9_.-]")
SENT_BY_CHANNEL = ("ReplySent", "OperatorReplied")


def anchor(message_id: str | None) -> str:
    return "m-" + _SLUG.sub("_", message_id or "")


@dataclass
class Entry:
    record: EventRecord
    kind: str  # css class and icon: person, bot, operator, understood, failed, tool, session, other
    title: str
    lines: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    delivery: DeliveryView | None = None
    anchor: str | None = None  # set on the first event of each message
    offered_by: str | None = None

    @property
    def raw(self) -> str:
        body = {
            "type": self.record.type,
            "version": self.record.version,
            "timestamp": self.record.timestamp,
            "payload": self.record.payload,
        }
        return json.dumps(jsonable_encoder(body), ensure_ascii=False, indent=2)


@dataclass
class SessionGroup:
    session_id: str | None
    number: int | None = None
    continued: bool = False
    entries: list[Entry] = field(default_factory=list)


def grouped(records: Sequence[EventRecord], deliveries: Mapping[str, DeliveryView]) -> list[SessionGroup]:
    groups: list[SessionGroup] = []
    anchored: set[str] = set()
    for record in records:
        session_id = record.session_id
        current = groups[-1] if groups else None
        if current is None or (session_id is not None and session_id != current.session_id):
            if record.type == "SessionOpened":
                current = SessionGroup(session_id, number=record.payload.get("number"))
            else:
                current = SessionGroup(session_id, continued=session_id is not None)
            groups.append(current)
        entry = _entry(record)
        message_id = record.message_id
        if message_id and message_id not in anchored and entry.kind in ("person", "operator"):
            entry.anchor = anchor(message_id)
            anchored.add(message_id)
        if record.type in SENT_BY_CHANNEL and record.payload.get("reply_to") is not None:
            entry.delivery = deliveries.get(str(message_id))
        current.entries.append(entry)
    return groups


def replies_sent_by_channel(records: Iterable[EventRecord]) -> list[EventRecord]:
    return [r for r in records if r.type in SENT_BY_CHANNEL and r.payload.get("reply_to") is not None]


def _entry(record: EventRecord) -> Entry:
    p = record.payload
    kind = record.type
    if kind in ("Started", "Restarted"):
        who = p.get("subcontractor_id") or "not registered"
        again = " again, as a new subject" if kind == "Restarted" else ""
        return Entry(record, "session", f"Conversation started{again} ({who}, {p.get('language')})")
    if kind == "Erased":
        return Entry(record, "session", "Erased: the person's data above is shredded")
    if kind == "SessionOpened":
        return Entry(record, "session", f"Session {p.get('number')} opened")
    if kind == "SessionClosed":
        closed = p.get("closed_at")
        when = f" at {closed:%Y-%m-%d %H:%M}" if closed else ""
        return Entry(record, "session", f"Session closed{when}: {str(p.get('reason', '')).replace('_', ' ')}")
    if kind == "SubcontractorIdentified":
        return Entry(record, "session", f"Identified as {p.get('subcontractor_id')} ({p.get('language')})")
    if kind == "MessageReceived":
        return Entry(record, "person", "Message", [str(p.get("text", ""))])
    if kind == "ButtonPressed":
        entry = Entry(record, "person", f"Pressed [{p.get('title')}]", [f"choice {p.get('choice_id')}"])
        offered_by = p.get("offered_by")
        if offered_by:
            entry.offered_by = str(offered_by)
            earlier = p.get("offered_in_session")
            if earlier and earlier != p.get("session_id"):
                entry.lines.append("offered in an earlier session")
        else:
            entry.lines.append("never offered to this person")
        return entry
    if kind == "UnsupportedMessageReceived":
        return Entry(record, "person", f"Sent something the bot cannot read ({p.get('kind')})")
    if kind == "DirectActionFailed":
        return Entry(
            record,
            "failed",
            f"Direct action failed: {p.get('reason')}",
            [f"choice {p.get('choice_id')}; the understanding pipeline read the title instead"],
        )
    if kind == "IntentClassified":
        return _understood(record)
    if kind == "ToolOutputRecorded":
        status = "ok" if p.get("succeeded") else "failed"
        arguments = p.get("arguments") or {}
        title = f"Tool {p.get('tool')} {status}"
        return Entry(
            record,
            "tool" if p.get("succeeded") else "failed",
            title,
            [_arguments(arguments), _summary(p.get("output"))],
        )
    if kind == "ReplySent":
        reply = p.get("reply") or {}
        choices = [str(c.get("title", "")) for c in reply.get("choices", [])]
        return Entry(
            record, "bot", f"Reply ({p.get('channel', 'generic')})", [str(reply.get("text", ""))], choices
        )
    if kind == "OperatorReplied":
        reply = p.get("reply") or {}
        title = f"Answer from operator {p.get('operator')} ({p.get('channel')})"
        lines = [str(reply.get("text", ""))]
        if p.get("in_reply_to"):
            lines.append(f"answering {p.get('in_reply_to')}")
        return Entry(record, "operator", title, lines)
    if kind == "SenderNotRegistered":
        return Entry(record, "failed", "Sender not registered in the directory")
    if kind == "TaskStatusChangeDecided":
        return Entry(
            record,
            "tool",
            f"Task {p.get('task_id')}: {p.get('previous_status')} → {p.get('status')}",
            ["applied to the directory once committed"],
        )
    if kind == "ProblemReportDecided":
        return Entry(
            record,
            "tool",
            f"Problem {p.get('reference')} reported on {p.get('project_id')}",
            [str(p.get("description", ""))],
        )
    details = {k: v for k, v in p.items() if k not in ("session_id", "message_id")}
    return Entry(record, "other", _words(kind), [_arguments(details)] if details else [])


def _understood(record: EventRecord) -> Entry:
    p = record.payload
    intent = str(p.get("intent"))
    confidence = p.get("confidence")
    by = p.get("understood_by") or {}
    layer = by.get("layer")
    title = f"Understood as {intent}" if intent != "unknown" else "Not understood"
    lines = []
    why = [f"confidence {confidence:.2f}" if isinstance(confidence, int | float) else None]
    if layer:
        why.append(f"by {layer}")
    if by.get("model"):
        why.append(f"model {by['model']}")
    if by.get("latency_ms") is not None:
        why.append(f"{by['latency_ms']} ms")
    lines.append(", ".join(w for w in why if w))
    if p.get("arguments"):
        lines.append(_arguments(p["arguments"]))
    entities = by.get("entities")
    if entities:
        lines.append(f"entities: {_arguments(entities) if isinstance(entities, dict) else entities}")
    return Entry(record, "understood" if intent != "unknown" else "failed", title, lines)


def _arguments(arguments: Any) -> str:
    if isinstance(arguments, dict):
        return ", ".join(f"{k}={v}" for k, v in arguments.items())
    return str(arguments)


def _summary(output: Any) -> str:
    if isinstance(output, list):
        return f"{len(output)} item(s)"
    if isinstance(output, dict) and "tasks" in output and isinstance(output.get("project"), dict):
        return f"{len(output['tasks'])} task(s) on {output['project'].get('name')}"
    text = str(output)
    return text if len(text) <= 160 else text[:159] + "…"


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize()
