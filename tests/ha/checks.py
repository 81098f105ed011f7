"""What must hold after a drill: read back from the log, the read models and the fake provider."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

from application.event_log.records import CONVERSATION_EVENT_TOPICS, record_of_notification
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container
from infrastructure.delivery import NAME as DELIVERY
from infrastructure.projections.tracking import tracked_position
from tests.ha import figures
from tests.ha.deployment import Deployment
from tests.ha.load import Answer, Message, redeliver

HANG = 10.0  # no answer may take longer: the pool wait, the busy wait and a turn fit well inside
PAGE = 5000


@dataclass(frozen=True)
class LogContents:
    replies: Counter[str]  # ReplySent events per provider message id: one per turn
    sessions_opened: int
    messages_received: int


def check_answers(answers: list[Answer]) -> float:
    """Only 2xx or 503 with Retry-After, and every one in time; returns the slowest's seconds."""
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 503}, f"answers other than 200 and 503: {statuses}"
    assert all(a.retry_after for a in answers if a.status == 503), "a 503 without Retry-After"
    slowest = max(a.ended - a.started for a in answers)
    assert slowest < HANG, f"an answer took {slowest:.1f} s"
    return slowest


def read_log(container: Container) -> LogContents:
    """Reads the whole log; checks notification ids on the way: unique, and in the order of
    each aggregate's versions (the order its writes committed in)."""
    recorder = container.store.recorder
    mapper = container.store.mapper
    conversation_topics = set(CONVERSATION_EVENT_TOPICS.values())
    replies: Counter[str] = Counter()
    types: Counter[str] = Counter()
    last_of: dict[UUID | str, tuple[int, int]] = {}  # aggregate -> (version, notification id)
    position = 0
    while True:
        page = recorder.select_notifications(start=position, limit=PAGE, inclusive_of_start=False)
        for notification in page:
            assert notification.id > position, "notification ids go up"
            position = notification.id
            before = last_of.get(notification.originator_id)
            if before is not None:
                assert notification.originator_version > before[0], "one write per version"
            last_of[notification.originator_id] = (notification.originator_version, notification.id)
            if notification.topic in conversation_topics:
                record = record_of_notification(mapper, notification)
                types[record.type] += 1
                if record.type == "ReplySent" and record.message_id is not None:
                    replies[record.message_id] += 1
        if len(page) < PAGE:
            break
    return LogContents(replies, types["SessionOpened"], types["MessageReceived"])


def wait_for_followers(container: Container, timeout: float = 90.0) -> int:
    """Until the projections and the delivery worker have reached the log's head; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        head = container.store.recorder.max_notification_id() or 0
        behind = [s.name for s in container.projections.status() if s.position < head]
        if tracked_position(container.database, DELIVERY) < head:
            behind.append(DELIVERY)
        if not behind:
            return head
        assert time.monotonic() < deadline, f"{', '.join(behind)} did not reach the log's head {head}"
        time.sleep(0.5)


def check_read_models(container: Container, log: LogContents) -> None:
    """The sessions projection counted each session and message of the log once."""
    row = container.database.fetch_one(
        "SELECT count(*) AS sessions, coalesce(sum(messages), 0) AS messages FROM sessions"
    )
    assert row is not None
    counted = (row["sessions"], row["messages"])
    assert counted == (log.sessions_opened, log.messages_received), (
        f"the sessions projection counted {counted}"
    )


def check_drill(deployment: Deployment, reader: Container, answers: list[Answer]) -> tuple[int, float]:
    """The issue's checks; returns how many requests were answered 503, and the slowest answer's seconds."""
    slowest = check_answers(answers)
    acknowledged = [a for a in answers if a.acknowledged]
    again = redeliver(deployment, answers)
    check_answers(again)
    assert all(a.status == 200 for a in again), Counter(a.status for a in again)
    for first, second in zip(answers, again, strict=True):
        if first.acknowledged and first.message.kind == "generic":
            assert first.body is not None and second.body is not None
            assert second.body["duplicate"] is True, (first, second)
            assert second.body["reply"] == first.body["reply"], (first, second)

    wait_for_followers(reader)
    log = read_log(reader)
    ids = [a.message.message_id for a in answers]
    assert all(log.replies[a.message.message_id] == 1 for a in acknowledged), (
        "an acknowledged turn is missing"
    )
    assert all(log.replies[i] == 1 for i in ids), "every message has exactly one turn, redelivered or not"
    check_read_models(reader, log)

    sent_to = Counter(body["to"] for body in deployment.fake.sent("whatsapp", "messages"))
    whatsapp = [a.message for a in answers if a.message.kind == "whatsapp"]
    assert max((sent_to[m.sender] for m in whatsapp), default=0) <= 1, "a reply was sent twice"
    unsent = [m for m in whatsapp if sent_to[m.sender] == 0]
    for message in unsent:
        # A reply not sent must at least be on record as failed, with why.
        delivery = reader.store.delivery(conversation_id_for(f"+{message.sender}"), message.message_id)
        assert delivery is not None and delivery.error, f"the reply to {message.message_id} was lost"
    if unsent:
        figures.report(
            f"  {len(unsent)} WhatsApp replies recorded as failed: {unsent_errors(reader, unsent)}"
        )
    return sum(a.status == 503 for a in answers), slowest


def unsent_errors(reader: Container, unsent: list[Message]) -> str:
    errors: Counter[str | None] = Counter()
    for message in unsent:
        delivery = reader.store.delivery(conversation_id_for(f"+{message.sender}"), message.message_id)
        errors[delivery.error if delivery else None] += 1
    return "; ".join(f"{count} x {error}" for error, count in errors.items())
