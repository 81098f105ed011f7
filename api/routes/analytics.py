"""Analytics read models over HTTP, as JSON or CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime

from api.auth import require_token
from api.dependencies import ContainerDep
from api.tables import ROWS_RESPONSES, Format, rows_response
from application.inbound import InvalidInboundError
from application.phone import normalise_phone

router = APIRouter(prefix="/analytics", tags=["analytics"], dependencies=[Depends(require_token)])

DAILY_COLUMNS = [
    "day", "active_conversations", "sessions", "messages", "presses", "direct_action_failures",
    "turns", "unrecognised", "direct_action_success_rate", "fallback_rate", "unrecognised_rate",
]  # fmt: skip
SESSION_COLUMNS = [
    "session_id", "conversation_id", "contact", "opened_at", "closed_at", "close_reason",
    "last_activity_at", "messages", "presses", "fallbacks", "tool_calls", "duration_seconds",
]  # fmt: skip


@router.get(
    "/daily",
    summary="Per day: use, sessions, direct-action success and fallback rates",
    responses=ROWS_RESPONSES,
)
def daily(
    request: Request,
    container: ContainerDep,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to", description="Inclusive.")] = None,
    format: Format | None = None,
) -> Response:
    rows = container.analytics.daily(since, until)
    return rows_response(request, rows, DAILY_COLUMNS, format, "daily_metrics")


@router.get("/sessions", summary="Sessions, by when they opened", responses=ROWS_RESPONSES)
def sessions(
    request: Request,
    container: ContainerDep,
    since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    subcontractor: Annotated[str | None, Query(description="A phone number.")] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    format: Format | None = None,
) -> Response:
    contact = None
    if subcontractor is not None:
        try:
            contact = normalise_phone(subcontractor)
        except InvalidInboundError as error:
            raise HTTPException(422, str(error)) from None
    rows = container.analytics.sessions(
        since=_utc(since), until=_utc(until), contact=contact, open_only=open_only, limit=limit
    )
    return rows_response(request, rows, SESSION_COLUMNS, format, "sessions")


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite compares the stored UTC times as text: a bound in another zone must be UTC too.
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # before year 1 or after 9999 in UTC: the nearest time there is
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)
