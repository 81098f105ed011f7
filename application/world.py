"""Changes to the world happen if and only if the turn that decided them is committed.

A turn never writes to the site directory. A tool that would change it
(a task's status, a problem report) only decides: the turn records the
decision as an event (`TaskStatusChangeDecided`, `ProblemReportDecided`,
`PhoneNumberChangeDecided`)
with a change id derived from the message's receipt, in the same save as
the rest of the turn. A turn that loses its save (a redelivery, another
worker's race) leaves no decision behind, so nothing to apply.

Once the save is committed the change is applied twice over, harmlessly:
- at once, by the turn's own process, so the next message already sees it;
- by a follower of the log (`DIRECTORY_CHANGES`), with its position tracked
  in the same transaction as the directory write, which catches what a
  process that died between its commit and its apply left undone.
The directory applies a change once per change id, so both meet in one row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from application.attachments import from_payload
from application.event_log.records import EventRecord
from application.ports import (
    TASK_STATUSES,
    DirectoryChange,
    PhoneNumberChange,
    ProblemReportFiling,
    SiteDirectory,
    TaskStatus,
    TaskStatusChange,
)
from domain.conversation import Conversation
from domain.receipt import ERASED_TEXT

log = logging.getLogger(__name__)

DIRECTORY_CHANGES = "directory_changes"  # the follower's name in projection_tracking
TASK_STATUS_DECIDED = Conversation.TaskStatusChangeDecided.__name__
PROBLEM_REPORT_DECIDED = Conversation.ProblemReportDecided.__name__
NUMBER_CHANGE_DECIDED = Conversation.PhoneNumberChangeDecided.__name__
DECISION_EVENT_TYPES = (TASK_STATUS_DECIDED, PROBLEM_REPORT_DECIDED, NUMBER_CHANGE_DECIDED)
_DECISIONS = (
    Conversation.TaskStatusChangeDecided,
    Conversation.ProblemReportDecided,
    Conversation.PhoneNumberChangeDecided,
)


def change_of(record: EventRecord) -> DirectoryChange | None:
    """The change a decision event records; None for every other event, and for a decision
    whose person was erased before it was applied (there is no one left to act for)."""
    event_type, payload = record.type, record.payload
    if payload.get("subcontractor_id") == ERASED_TEXT:
        return None
    if event_type == TASK_STATUS_DECIDED:
        return TaskStatusChange(
            change_id=str(payload["change_id"]),
            subcontractor_id=str(payload["subcontractor_id"]),
            task_id=str(payload["task_id"]),
            status=_status(payload["status"]),
            at=payload["at"],
            previous_status=_status(payload["previous_status"]),
            conversation_id=str(record.conversation_id),
            decided_version=record.version,
        )
    if event_type == PROBLEM_REPORT_DECIDED:
        return ProblemReportFiling(
            change_id=str(payload["change_id"]),
            reference=str(payload["reference"]),
            subcontractor_id=str(payload["subcontractor_id"]),
            project_id=str(payload["project_id"]),
            description=str(payload["description"]),
            at=payload["at"],
            photos=from_payload(payload.get("photos")),
        )
    if event_type == NUMBER_CHANGE_DECIDED:
        return PhoneNumberChange(
            change_id=str(payload["change_id"]),
            subcontractor_id=str(payload["subcontractor_id"]),
            old_number=str(payload["old_number"]),
            new_number=str(payload["new_number"]),
            at=payload["at"],
        )
    return None


def decided_changes(events: Iterable[DomainEventProtocol[UUID]]) -> list[DirectoryChange]:
    """The changes decided among a turn's (pending) events, in the order decided."""
    changes = []
    for event in events:
        if isinstance(event, _DECISIONS):
            change = change_of(EventRecord.of(event))
            if change is not None:
                changes.append(change)
    return changes


def apply_committed(directory: SiteDirectory, changes: Iterable[DirectoryChange]) -> None:
    """Applies the changes of a turn just committed; the log's follower retries what fails here."""
    for change in changes:
        try:
            if not directory.apply_change(change):
                log.warning("change %s could not be applied: no longer the sender's", change.change_id)
        except Exception:
            log.exception("change %s not applied yet; the directory follower will apply it", change.change_id)


def _status(value: object) -> TaskStatus:
    for status in TASK_STATUSES:
        if status == value:
            return status
    raise ValueError(f"not a task status: {value!r}")
