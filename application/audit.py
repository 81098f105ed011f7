"""The audit trail: what exactly happened in a conversation, and why the bot answered that."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.analytics import SessionDelta, fold_sessions
from application.event_log.port import EventLog
from application.event_log.records import CONVERSATION_EVENT_TOPICS, EventRecord, topics_for
from application.event_store import ConversationStore
from application.inbound import InvalidInboundError
from application.phone import normalise_phone, telegram_user_of
from domain.conversation import Conversation
from domain.identity import conversation_id_for, delivery_id_for

_CHUNK = 1000
# Versions and log positions are 64-bit integers in both stores: a larger cursor can only be
# a mistake, and SQLite cannot even compare with one.
MAX_POSITION = 2**63 - 1
# Replies a channel sends itself: the bot's, and operators' answers.
_REPLY_SENT = [CONVERSATION_EVENT_TOPICS["ReplySent"], CONVERSATION_EVENT_TOPICS["OperatorReplied"]]


class ConversationNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class EventFilter:
    types: frozenset[str] = frozenset()
    session_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        topics_for(sorted(self.types))  # refuses unknown type names up front

    def matches(self, record: EventRecord) -> bool:
        return (
            (not self.types or record.type in self.types)
            and (self.session_id is None or record.session_id == self.session_id)
            and (self.since is None or record.timestamp >= self.since)
            and (self.until is None or record.timestamp < self.until)
        )


@dataclass(frozen=True)
class EventPage:
    items: list[EventRecord]
    next_after: int | None  # the cursor for the next page; None when the log ends here


@dataclass(frozen=True)
class HistoricalState:
    conversation: Conversation
    version: int


@dataclass(frozen=True)
class DeliveryView:
    """A reply, and its delivery as recorded: pending until the worker records an outcome."""

    message_id: str
    session_id: str | None
    channel: str
    replied_at: datetime
    outcome: str  # pending, delivered or failed
    attempts: int
    provider_message_ids: list[str]
    error: str | None
    statuses: list[dict[str, Any]]

    @classmethod
    def of(cls, reply: EventRecord, delivery_events: list[EventRecord]) -> DeliveryView:
        finished = delivery_events[0].payload if delivery_events else None
        outcome = "pending" if finished is None else ("delivered" if finished["delivered"] else "failed")
        return cls(
            message_id=str(reply.message_id),
            session_id=reply.session_id,
            channel=str(reply.payload.get("channel")),
            replied_at=reply.timestamp,
            outcome=outcome,
            attempts=finished["attempts"] if finished else 0,
            provider_message_ids=list(finished["provider_message_ids"]) if finished else [],
            error=finished["error"] if finished else None,
            statuses=[{**e.payload, "recorded_at": e.timestamp} for e in delivery_events[1:]],
        )


@dataclass(frozen=True)
class DeliveryPage:
    items: list[DeliveryView]
    next_after: int | None  # the cursor (a version) of the next page; None when the replies end here


class AuditTrail:
    def __init__(self, store: ConversationStore, log: EventLog) -> None:
        self._store = store
        self._log = log

    def resolve(self, subcontractor: str) -> UUID:
        """A conversation id from a phone number (any spelling), `telegram:<user id>` or the id itself."""
        try:
            conversation_id = UUID(subcontractor)
        except ValueError:
            try:
                # Telegram accounts linked to nobody have a conversation of their own.
                contact = subcontractor if telegram_user_of(subcontractor) else normalise_phone(subcontractor)
                conversation_id = conversation_id_for(contact)
            except InvalidInboundError:
                raise ConversationNotFoundError(
                    f"{subcontractor!r} is neither a phone number nor a conversation id"
                ) from None
        if not list(self._store.events.get(conversation_id, limit=1)):
            raise ConversationNotFoundError(f"no conversation for {subcontractor!r}")
        return conversation_id

    def events(
        self, conversation_id: UUID, *, after: int = 0, limit: int = 50, where: EventFilter | None = None
    ) -> EventPage:
        """A page of events in version order, after the cursor `after` (a version).

        Versions only grow, so a cursor stays valid while new events arrive:
        pages never skip or repeat an event.
        """
        where = where or EventFilter()
        items: list[EventRecord] = []
        # Read no more than a page unless filters skip events: a first page costs
        # the same for a conversation of 100 events as for one of years.
        for record in self.scan(conversation_id, after=after, chunk=limit):
            if where.until is not None and record.timestamp >= where.until:
                return EventPage(items, None)
            if where.matches(record):
                items.append(record)
                if len(items) == limit:
                    return EventPage(items, record.version)
        return EventPage(items, None)

    def scan(self, conversation_id: UUID, *, after: int = 0, chunk: int = _CHUNK) -> Iterator[EventRecord]:
        """Every event after version `after`, read in chunks (growing up to a bound) so memory stays flat."""
        cursor = after
        while True:
            events = list(self._store.events.get(conversation_id, gt=cursor, limit=chunk))
            for event in events:
                yield EventRecord.of(event)
            if len(events) < chunk:
                return
            cursor = events[-1].originator_version
            chunk = min(chunk * 2, _CHUNK)

    def sessions(self, conversation_id: UUID) -> list[SessionDelta]:
        """Every session of the conversation, with its counts, straight from the log."""
        return list(fold_sessions(self.scan(conversation_id)).values())

    def deliveries(self, conversation_id: UUID, *, session_id: str | None = None) -> list[DeliveryView]:
        """Every reply a channel sends itself, and what became of it, page by page."""
        views: list[DeliveryView] = []
        after: int | None = 0
        while after is not None:
            page = self.delivery_page(conversation_id, after=after, limit=_CHUNK, session_id=session_id)
            views += page.items
            after = page.next_after
        return views

    def delivery_page(
        self, conversation_id: UUID, *, after: int = 0, limit: int = 100, session_id: str | None = None
    ) -> DeliveryPage:
        """The replies after version `after` (up to `limit` of them) that a channel sends itself, with
        what became of each: two queries, however long the conversation.

        Replies answered in the webhook's response (generic, Twilio) have no delivery, so a page
        can hold fewer than `limit` items, even none, and still have a `next_after`.
        """
        # One more than a page, to know whether another follows without asking again.
        read = self._log.of_types(conversation_id, _REPLY_SENT, after=after, limit=limit + 1)
        replies = read[:limit]
        sent = {
            delivery_id_for(conversation_id, str(reply.message_id)): reply
            for reply in replies
            if reply.payload.get("reply_to") is not None
            and (session_id is None or reply.session_id == session_id)
        }
        outcomes: dict[UUID, list[EventRecord]] = defaultdict(list)
        for record in self._log.of(list(sent)):
            outcomes[record.conversation_id].append(record)  # the delivery's id, as its originator
        items = [DeliveryView.of(reply, outcomes.get(delivery_id, [])) for delivery_id, reply in sent.items()]
        return DeliveryPage(items, replies[-1].version if len(read) > limit else None)

    def state(
        self, conversation_id: UUID, *, version: int | None = None, at: datetime | None = None
    ) -> HistoricalState:
        """The aggregate as it was at a version, or at a moment in time."""
        if at is not None:
            version = None
            for record in self.scan(conversation_id):
                if record.timestamp > at:
                    break
                version = record.version
            if version is None:
                raise ConversationNotFoundError(f"the conversation did not exist yet at {at.isoformat()}")
        conversation = self._store.conversation_by_id(conversation_id, version=version)
        if version is not None and conversation.version != version:
            raise ConversationNotFoundError(
                f"the conversation has no version {version} (its last is {conversation.version})"
            )
        return HistoricalState(conversation, conversation.version)

    def feed(self, *, after: int = 0, limit: int = 100, types: list[str] | None = None) -> EventPage:
        """The global ordered log, for external consumers; positions can have gaps."""
        topics = topics_for(types) if types else list(CONVERSATION_EVENT_TOPICS.values())
        items = self._log.after(after, limit=limit, topics=topics)
        next_after = items[-1].position if items else after
        return EventPage(items, next_after)
