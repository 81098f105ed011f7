"""A conversation as a readable transcript, for `convo audit`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from api.media_transcript import media_line
from application.audit import DeliveryView
from application.event_log.records import EventRecord


def transcript(
    records: Iterable[EventRecord], deliveries: Mapping[str, DeliveryView] | None = None
) -> Iterator[str]:
    """One line per event; under a reply a channel sent itself, what became of it."""
    for record in records:
        line = _line(record)
        if line is not None:
            yield line
        sent = record.type in ("ReplySent", "OperatorReplied")
        delivery = (deliveries or {}).get(str(record.message_id)) if sent else None
        if delivery is not None:
            yield _delivery_line(delivery)


def _delivery_line(delivery: DeliveryView) -> str:
    indent = " " * 21
    if delivery.outcome == "pending":
        return f"{indent}↳ {delivery.channel}: not sent yet"
    tries = f"{delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''}"
    if delivery.outcome == "failed":
        return f"{indent}↳ {delivery.channel}: FAILED after {tries}: {delivery.error}"
    reported = [str(s["status"]) for s in delivery.statuses]
    news = f"; then {', '.join(reported)}" if reported else ""
    return f"{indent}↳ {delivery.channel}: delivered ({tries}){news}"


def _line(record: EventRecord) -> str | None:
    p = record.payload
    when = record.timestamp.strftime("%Y-%m-%d %H:%M:%S")
    message = p.get("message_id", "")
    kind = record.type
    if kind in ("Started", "Restarted"):
        who = p["subcontractor_id"] or "not registered"
        again = " again, as a new subject" if kind == "Restarted" else ""
        return f"{when}  conversation of {p['contact']} ({who}, {p['language']}) started{again}"
    if kind == "Erased":
        return f"{when}  ── erased: everything above is shredded"
    if kind == "SessionOpened":
        return f"{when}  ── session {p['number']} opened ({p['session_id']})"
    if kind == "SessionClosed":
        return f"{when}  ── session closed at {p['closed_at']:%Y-%m-%d %H:%M:%S}: {p['reason']}"
    if kind == "SubcontractorIdentified":
        return f"{when}  identified as {p['subcontractor_id']} ({p['language']})"
    if kind == "MessageReceived":
        return f"{when}  {message}  ← {p['text']!r}"
    if kind == "ButtonPressed":
        offered = f"offered by {p['offered_by']}" if p.get("offered_by") else "never offered"
        earlier = p.get("offered_in_session")
        if earlier and earlier != p.get("session_id"):
            offered += " in an earlier session"
        return f"{when}  {message}  ← [{p['title']}] {p['choice_id']} ({offered})"
    if kind == "DirectActionFailed":
        return f"{when}  {message}  ✗ direct action {p['choice_id']} failed: {p['reason']}"
    if kind == "IntentClassified":
        arguments = f" {p['arguments']}" if p["arguments"] else ""
        return f"{when}  {message}  intent {p['intent']}{arguments} ({p['confidence']:.1f})"
    if kind == "ToolOutputRecorded":
        status = "ok" if p["succeeded"] else "FAILED"
        return f"{when}  {message}  tool {p['tool']} {p['arguments'] or ''} {status}: {_summary(p['output'])}"
    if kind == "SenderNotRegistered":
        return f"{when}  {message}  sender not registered"
    if kind == "ReplySent":
        reply = p["reply"]
        choices = " | ".join(c["title"] for c in reply["choices"])
        text = reply["text"].replace("\n", " / ")
        return f"{when}  {message}  → {text!r}" + (f" [{choices}]" if choices else "")
    if kind == "OperatorReplied":
        text = p["reply"]["text"].replace("\n", " / ")
        return f"{when}  {message}  ⇒ operator {p['operator']}: {text!r}"
    return media_line(record, when)


def _summary(output: object) -> str:
    if isinstance(output, list):
        return f"{len(output)} item(s)"
    if isinstance(output, dict) and "tasks" in output:
        return f"{len(output['tasks'])} task(s) on {output['project']['name']}"
    text = str(output)
    return text if len(text) <= 80 else text[:79] + "…"
