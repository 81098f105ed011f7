"""The audit trail over HTTP: a conversation's events, sessions and past states; the global feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.encoders import jsonable_encoder
from pydantic import AwareDatetime

from api.auth import require_token
from api.dependencies import ContainerDep
from application.audit import MAX_POSITION, ConversationNotFoundError, EventFilter
from application.event_log.records import EventRecord, UnknownEventTypeError

router = APIRouter(tags=["audit"], dependencies=[Depends(require_token)])

Cursor = Annotated[int, Query(ge=0, le=MAX_POSITION, description="The `next` of the previous page.")]
# Events are stamped in UTC: a time without a zone could mean anything, so it is refused.
Moment = AwareDatetime


def _event(record: EventRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": record.version,
        "type": record.type,
        "timestamp": record.timestamp,
        "session_id": record.session_id,
        "message_id": record.message_id,
        "payload": record.payload,
    }
    if record.position is not None:
        body = {"position": record.position, "conversation_id": record.conversation_id, **body}
    return body


def _json(body: dict[str, Any]) -> dict[str, Any]:
    encoded: dict[str, Any] = jsonable_encoder(body)
    return encoded


def _types(types: str | None) -> frozenset[str]:
    return frozenset(t.strip() for t in types.split(",") if t.strip()) if types else frozenset()


def _conversation(container: ContainerDep, subcontractor: str) -> Any:
    try:
        return container.audit.resolve(subcontractor)
    except ConversationNotFoundError as error:
        raise HTTPException(404, str(error)) from None


@router.get("/conversations/{subcontractor}/events", summary="A conversation's events, oldest first")
def conversation_events(
    container: ContainerDep,
    subcontractor: str,
    after: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Annotated[str | None, Query(description="Comma-separated event types.")] = None,
    session: Annotated[str | None, Query(description="Only this session's events.")] = None,
    since: Annotated[Moment | None, Query(alias="from")] = None,
    until: Annotated[Moment | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    conversation_id = _conversation(container, subcontractor)
    try:
        where = EventFilter(types=_types(types), session_id=session, since=since, until=until)
    except UnknownEventTypeError as error:
        raise HTTPException(422, str(error)) from None
    page = container.audit.events(conversation_id, after=after, limit=limit, where=where)
    return _json(
        {
            "conversation_id": conversation_id,
            "items": [_event(r) for r in page.items],
            "next": page.next_after,
        }
    )


@router.get("/conversations/{subcontractor}/sessions", summary="A conversation's sessions, from the log")
def conversation_sessions(container: ContainerDep, subcontractor: str) -> dict[str, Any]:
    conversation_id = _conversation(container, subcontractor)
    sessions = container.audit.sessions(conversation_id)
    return _json({"conversation_id": conversation_id, "sessions": sessions})


@router.get(
    "/conversations/{subcontractor}/deliveries",
    summary="What became of each reply sent through WhatsApp or Telegram: pending, delivered or failed",
)
def conversation_deliveries(
    container: ContainerDep,
    subcontractor: str,
    after: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Replies read per page.")] = 100,
    session: Annotated[str | None, Query(description="Only this session's replies.")] = None,
) -> dict[str, Any]:
    conversation_id = _conversation(container, subcontractor)
    page = container.audit.delivery_page(conversation_id, after=after, limit=limit, session_id=session)
    return _json({"conversation_id": conversation_id, "deliveries": page.items, "next": page.next_after})


@router.get("/conversations/{subcontractor}/state", summary="The conversation as it was then")
def conversation_state(
    container: ContainerDep,
    subcontractor: str,
    version: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
    at: Annotated[
        Moment | None, Query(description="A moment; the state after the last event before it.")
    ] = None,
) -> dict[str, Any]:
    conversation_id = _conversation(container, subcontractor)
    if version is not None and at is not None:
        raise HTTPException(422, "give `version` or `at`, not both")
    try:
        state = container.audit.state(conversation_id, version=version, at=at)
    except ConversationNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    conversation = state.conversation
    return _json(
        {
            "conversation_id": conversation_id,
            "version": state.version,
            "contact": conversation.contact,
            "subcontractor_id": conversation.subcontractor_id,
            "language": conversation.language,
            "sessions_opened": conversation.sessions_opened,
            "messages_handled": conversation.messages_handled,
            "open_session": conversation.session,
            # What the person still has on screen, whichever session showed it.
            "offers": conversation.offers,
            "last_listing": conversation.last_listing,
        }
    )


@router.get("/events", summary="The global ordered feed of events, for external consumers")
def event_feed(
    container: ContainerDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="A position: the `next` of the previous call.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Annotated[str | None, Query(description="Comma-separated event types.")] = None,
) -> dict[str, Any]:
    try:
        page = container.audit.feed(after=after, limit=limit, types=sorted(_types(types)) or None)
    except UnknownEventTypeError as error:
        raise HTTPException(422, str(error)) from None
    return _json({"items": [_event(r) for r in page.items], "next": page.next_after})
