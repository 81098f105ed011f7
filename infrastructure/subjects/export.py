"""A copy of everything the service holds about a person (GDPR right of access)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from application.audit import AuditTrail
from application.event_store import ConversationStore
from application.phone import normalise_phone
from infrastructure.database import Database
from infrastructure.subject_rows import SubjectRef, export_subject_rows
from infrastructure.subjects.erasure import SubjectNotFoundError


def export_subject(
    phone: str,
    store: ConversationStore,
    audit: AuditTrail,
    database: Database,
    subcontractor_of: Callable[[str], str | None],
    now: datetime,
) -> dict[str, Any]:
    """Their conversation's events (opened with their keys), deliveries, read-model rows and
    directory record; what an erasure or retention already shredded shows as "[erased]"."""
    contact = normalise_phone(phone)
    conversation = store.conversation(contact)
    if conversation is None or conversation.erased:
        raise SubjectNotFoundError("no data is held for this number")
    subject = SubjectRef(conversation.id, contact, subcontractor_of(contact))
    return {
        "exported_at": now,
        "subject": {
            "contact": contact,
            "conversation_id": conversation.id,
            "subcontractor_id": subject.subcontractor_id,
        },
        "events": [
            {"version": r.version, "type": r.type, "recorded_at": r.timestamp, **r.payload}
            for r in audit.scan(conversation.id)
        ],
        "deliveries": [asdict(view) for view in audit.deliveries(conversation.id)],
        "tables": export_subject_rows(database, subject),
    }
