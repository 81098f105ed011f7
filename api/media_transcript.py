"""Transcript lines of what people send besides text: media and what became of them, reactions..."""

from __future__ import annotations

from application.attachments import from_payload
from application.event_log.records import EventRecord


def media_line(record: EventRecord, when: str) -> str | None:
    """The line of a media (or other kind) event; None for every other event."""
    p = record.payload
    message = p.get("message_id", "")
    kind = record.type
    if kind == "MediaReceived":
        size = f", {p['size']} bytes" if p.get("size") else ""
        caption = f" {p['caption']!r}" if p.get("caption") else ""
        return (
            f"{when}  {message}  ← [{p['kind']}] {p['mime_type'] or '?'}{size} media {p['media_id']}{caption}"
        )
    if kind == "MediaStored":
        return f"{when}  {message}  media {p['media_id']} stored: {p['size']} bytes, sha256 {p['sha256']}"
    if kind == "MediaFetchFailed":
        return f"{when}  {message}  media {p['media_id']} NOT stored: {p['reason']}"
    if kind == "VoiceNoteTranscribed":
        return f"{when}  {message}  ← 🎤 {p['text']!r} (heard by {p['model']}, {p['latency_ms']:.0f} ms)"
    if kind == "VoiceNoteNotTranscribed":
        return f"{when}  {message}  voice note {p['media_id']} not transcribed: {p['reason']}"
    if kind == "ReactionReceived":
        on = p.get("reacted_to") or p["to_message"]
        return f"{when}  {message}  ← reaction {p['emoji'] or '(removed)'} on {on}"
    if kind == "LocationReceived":
        where = f"{p['latitude']:.5f}, {p['longitude']:.5f} {p['name'] or ''}".rstrip()
        return f"{when}  {message}  ← location {where}"
    if kind == "OtherMessageReceived":
        detail = ", ".join(f"{k}={v!r}" for k, v in p["detail"].items())
        return f"{when}  {message}  ← {p['kind']} {detail}".rstrip()
    if kind == "PhoneNumberChangeDecided":
        return f"{when}  {message}  number changed from {p['old_number']} to {p['new_number']}"
    if kind == "ProblemReportDecided":
        photos = from_payload(p.get("photos"))
        with_photos = f" with {', '.join(f'{a.kind} {a.media_id}' for a in photos)}" if photos else ""
        return f"{when}  {message}  problem report {p['reference']} on {p['project_id']}{with_photos}"
    return None
