"""The console's pages: server-rendered HTML, each behind the session cookie."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from api.console.charts import Series, line_chart
from api.console.sessions import (
    COOKIE,
    LOGIN_COOKIE,
    LOGIN_NONCE_SECONDS,
    MAX_OPERATOR_NAME,
    ConsoleSession,
    Sessions,
)
from api.console.transcript import anchor, grouped, replies_sent_by_channel
from api.dependencies import ContainerDep
from api.routes.projections import RebuildJobs
from application.audit import ConversationNotFoundError, DeliveryView
from application.event_log.records import EventRecord
from application.operator_replies import OperatorReplies, OperatorReplyRefusedError
from domain.identity import delivery_id_for
from infrastructure.bootstrap import Container
from infrastructure.console_queries import ConsoleQueries
from infrastructure.projections.attention import (
    DELIVERY_FAILED,
    DIRECT_ACTION_FAILED,
    KINDS,
    NUMBER_CHANGED,
    PROVIDER_NOTICE,
    UNRECOGNISED,
)
from infrastructure.projections.registry import PROJECTIONS, UnknownProjectionError, projection_named

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PREFIX = "/console"
PER_PAGE = 25
EVENTS_PER_PAGE = 100
FAILED_SIGN_IN_DELAY = 1.0  # seconds: guessing tokens one by one over HTTP stays slow
MAX_RANGE_DAYS = 366
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
KIND_TITLES = {
    DELIVERY_FAILED: "Failed deliveries",
    UNRECOGNISED: "Unrecognised messages",
    DIRECT_ACTION_FAILED: "Failed direct actions",
    NUMBER_CHANGED: "Changed numbers",
    PROVIDER_NOTICE: "Provider notices",
}
CHARTS = (
    ("active_conversations", "Active conversations", False),
    ("messages", "Messages", False),
    ("presses", "Presses", False),
    ("direct_action_success_rate", "Direct-action success rate", True),
    ("fallback_rate", "Fallback rate", True),
    ("unrecognised", "Unrecognised messages", False),
)
CSV_COLUMNS = [
    "day", "active_conversations", "sessions", "messages", "presses", "direct_action_failures",
    "turns", "unrecognised", "direct_action_success_rate", "fallback_rate", "unrecognised_rate",
]  # fmt: skip

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True), auto_reload=False
)
templates.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "—"
templates.filters["short"] = lambda value: str(value)[:8] if value else "—"
templates.globals["anchor"] = anchor
templates.globals["quote"] = lambda value: quote(str(value), safe="")

router = APIRouter(prefix=PREFIX, include_in_schema=False)


class SignInRequiredError(Exception):
    """No valid session: pages send the browser to the sign-in form, other requests get a 401."""


class CsrfRefusedError(Exception):
    """A form without this session's token, or sent from another site: nothing was done."""


def sessions_of(request: Request) -> Sessions:
    container: Container = request.app.state.container
    return Sessions(container.settings.api_token, container.settings.console_session_hours)


async def current_session(request: Request) -> ConsoleSession:
    session = sessions_of(request).read(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequiredError
    return session


SessionDep = Annotated[ConsoleSession, Depends(current_session)]


async def checked_form(request: Request, session: SessionDep) -> dict[str, str]:
    """The form of a state-changing request, once its CSRF token and origin are checked."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    origin = request.headers.get("origin")
    same_origin = origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"
    if not same_origin or not sessions_of(request).csrf_matches(session, form.get("csrf", "")):
        raise CsrfRefusedError
    return form


FormDep = Annotated[dict[str, str], Depends(checked_form)]


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    session: ConsoleSession | None = None,
    **context: Any,
) -> HTMLResponse:
    body = templates.get_template(template).render(
        request=request, session=session, prefix=PREFIX, path=request.url.path, **context
    )
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _safe_next(target: str | None) -> str:
    """Only a console page of this site: never an open redirect."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/conversations"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


# -- sign-in and sign-out --------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None, signed_out: bool = False) -> HTMLResponse:
    sessions = sessions_of(request)
    nonce = request.cookies.get(LOGIN_COOKIE) or sessions.login_nonce()
    response = render(
        request,
        "login.html",
        next=_safe_next(next),
        csrf=sessions.login_csrf(nonce),
        enabled=sessions.enabled,
        signed_out=signed_out,
        error=None,
        operator="",
    )
    _set_login_nonce(request, response, nonce)
    return response


@router.post("/login")
async def login(
    request: Request,
    token: Annotated[str, Form()] = "",
    operator: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    sessions = sessions_of(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    operator = " ".join(operator.split())[:MAX_OPERATOR_NAME]
    error = None
    status = 401
    if not sessions.login_csrf_matches(nonce, csrf):
        error, status = "The sign-in form expired. Please try again.", 403
    elif not operator:
        error, status = "Please give your name: answers you send are recorded with it.", 422
    elif not sessions.token_matches(token):
        await asyncio.sleep(FAILED_SIGN_IN_DELAY)
        error = "That token is not right. Ask whoever runs the service for CONVO_API_TOKEN."
    if error is not None:
        fresh = sessions.login_nonce()
        refused = render(
            request,
            "login.html",
            status_code=status,
            next=_safe_next(next),
            csrf=sessions.login_csrf(fresh),
            enabled=sessions.enabled,
            signed_out=False,
            error=error,
            operator=operator,
        )
        _set_login_nonce(request, refused, fresh)
        return refused
    value, _session = sessions.issue(operator)
    response = _redirect(_safe_next(next))
    response.set_cookie(
        COOKIE,
        value,
        max_age=sessions.seconds,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


def _set_login_nonce(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=LOGIN_NONCE_SECONDS,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


@router.post("/logout", dependencies=[Depends(checked_form)])
def logout() -> Response:
    response = _redirect(f"{PREFIX}/login?signed_out=true")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


# -- conversations ---------------------------------------------------------------------------------


@router.get("", dependencies=[Depends(current_session)])
def home() -> Response:
    return _redirect(f"{PREFIX}/conversations")


@router.get("/conversations")
def conversations(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = ConsoleQueries(container.read_database).conversations(q, page, PER_PAGE)
    return render(request, "conversations.html", session=session, q=q, found=found, title="Conversations")


def _resolve(container: Container, ref: str) -> UUID:
    return container.audit.resolve(ref)


@router.get("/conversations/{ref}")
def conversation(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    ref: str,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    answered: str | None = None,
    reply_to: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    try:
        conversation_id = _resolve(container, ref)
    except ConversationNotFoundError as error:
        return render(request, "not_found.html", 404, session=session, message=str(error), title="Not found")
    return _conversation_page(
        request, container, session, conversation_id, after=after, answered=answered, reply_to=reply_to
    )


def _conversation_page(
    request: Request,
    container: Container,
    session: ConsoleSession,
    conversation_id: UUID,
    *,
    after: int | None,
    until: int | None = None,
    answered: str | None = None,
    reply_to: str | None = None,
    answer_error: str | None = None,
    answer_text: str = "",
    state: Any = None,
    status_code: int = 200,
) -> HTMLResponse:
    last = _last_version(container, conversation_id)
    if until is not None:
        after = max(0, until - EVENTS_PER_PAGE)
    elif after is None:
        after = max(0, last - EVENTS_PER_PAGE)
    page = container.audit.events(conversation_id, after=after, limit=EVENTS_PER_PAGE)
    records = [r for r in page.items if until is None or r.version <= until]
    deliveries = _deliveries(container, conversation_id, replies_sent_by_channel(records))
    summary = ConsoleQueries(container.read_database).conversation(conversation_id)
    replies = OperatorReplies(container.store, container.clock)
    first = records[0].version if records else after
    newest = records[-1].version if records else after
    return render(
        request,
        "conversation.html",
        status_code=status_code,
        session=session,
        title=(summary or {}).get("name") or (summary or {}).get("contact") or str(conversation_id),
        conversation_id=conversation_id,
        summary=summary,
        groups=grouped(records, deliveries),
        last_version=last,
        first_version=first,
        newest_version=newest,
        older_after=max(0, first - 1 - EVENTS_PER_PAGE) if first > 1 else None,
        newer_after=newest if newest < last else None,
        answered=answered,
        reply_to=reply_to,
        refusal=replies.refusal(conversation_id),
        reply_id=uuid.uuid4().hex,
        answer_error=answer_error,
        answer_text=answer_text,
        state=state,
        until=until,
    )


def _last_version(container: Container, conversation_id: UUID) -> int:
    newest = list(container.store.events.get(conversation_id, desc=True, limit=1))
    return newest[0].originator_version if newest else 0


def _deliveries(
    container: Container, conversation_id: UUID, replies: list[EventRecord]
) -> dict[str, DeliveryView]:
    """What became of each reply on the page: a short read per reply, however long the conversation."""
    views = {}
    for reply in replies:
        delivery_id = delivery_id_for(conversation_id, str(reply.message_id))
        events = [EventRecord.of(event) for event in container.store.events.get(delivery_id)]
        views[str(reply.message_id)] = DeliveryView.of(reply, events)
    return views


@router.get("/conversations/{ref}/messages/{message_id}")
def message_link(
    request: Request, container: ContainerDep, session: SessionDep, ref: str, message_id: str
) -> Response:
    """A direct link to a message: the page of the transcript that holds it, scrolled to it."""
    try:
        conversation_id = _resolve(container, ref)
    except ConversationNotFoundError as error:
        return render(request, "not_found.html", 404, session=session, message=str(error), title="Not found")
    for record in container.audit.scan(conversation_id):
        if record.message_id == message_id:
            after = max(0, record.version - 1 - EVENTS_PER_PAGE // 2)
            return _redirect(f"{PREFIX}/conversations/{conversation_id}?after={after}#{anchor(message_id)}")
    return render(
        request,
        "not_found.html",
        404,
        session=session,
        message=f"no message {message_id!r} in this conversation",
        title="Not found",
    )


@router.get("/conversations/{ref}/state")
def conversation_state(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    ref: str,
    version: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    at: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """The conversation as it was at version N or at a moment, with the transcript up to then."""
    try:
        conversation_id = _resolve(container, ref)
    except ConversationNotFoundError as error:
        return render(request, "not_found.html", 404, session=session, message=str(error), title="Not found")
    moment = None
    problem = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        except ValueError:
            problem = f"{at!r} is not a time (use 2026-11-24T08:00 or with a zone)"
    state = None
    if problem is None and (version is not None or moment is not None):
        try:
            state = container.audit.state(conversation_id, version=None if moment else version, at=moment)
        except ConversationNotFoundError as error:
            problem = str(error)
    if state is None:
        return _conversation_page(
            request,
            container,
            session,
            conversation_id,
            after=None,
            answer_error=None,
            state={"problem": problem or "give a version or a time"},
            status_code=422 if problem else 200,
        )
    return _conversation_page(
        request, container, session, conversation_id, after=None, until=state.version, state={"state": state}
    )


@router.post("/conversations/{ref}/answer")
async def answer(request: Request, container: ContainerDep, form: FormDep, ref: str) -> Response:
    session = await current_session(request)
    try:
        conversation_id = _resolve(container, ref)
    except ConversationNotFoundError as error:
        return render(request, "not_found.html", 404, session=session, message=str(error), title="Not found")
    replies = OperatorReplies(container.store, container.clock)
    text = form.get("text", "")
    in_reply_to = form.get("in_reply_to") or None

    def send() -> Any:
        return replies.send(
            conversation_id,
            operator=session.operator,
            text=text,
            reply_id=form.get("reply_id", ""),
            in_reply_to=in_reply_to,
        )

    try:
        sent = await run_in_threadpool(send)
    except OperatorReplyRefusedError as refused:
        container.telemetry.operator_reply("refused")
        why = str(refused)
        return await run_in_threadpool(
            lambda: _conversation_page(
                request,
                container,
                session,
                conversation_id,
                after=None,
                reply_to=in_reply_to,
                answer_error=why,
                answer_text=text,
                status_code=409,
            )
        )
    container.telemetry.operator_reply("duplicate" if sent.duplicate else "recorded")
    return _redirect(
        f"{PREFIX}/conversations/{conversation_id}?answered={quote(sent.reply_id)}#{anchor(sent.reply_id)}"
    )


# -- needs attention -------------------------------------------------------------------------------


@router.get("/attention")
def attention(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    kind: str = DELIVERY_FAILED,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    if kind not in KINDS:
        kind = DELIVERY_FAILED
    queries = ConsoleQueries(container.read_database)
    found = queries.attention(kind, page, PER_PAGE)
    _complete(container, queries, found.rows)
    return render(
        request,
        "attention.html",
        session=session,
        title="Needs attention",
        kind=kind,
        kinds=KIND_TITLES,
        counts=queries.attention_counts(),
        found=found,
    )


def _complete(container: Container, queries: ConsoleQueries, rows: list[dict[str, Any]]) -> None:
    """What the read model leaves out: whose a later failure report is, and what people typed."""
    for row in rows:
        if row["conversation_id"] is None:  # a provider's failure report: its delivery knows whose
            try:
                delivery: Any = container.store.repository.get(row["source_id"])
            except Exception:
                log.warning("attention: no delivery %s", row["source_id"], exc_info=True)
                continue
            row["conversation_id"] = delivery.conversation_id
            row["message_id"] = delivery.message_id
            row["channel"] = delivery.channel
        if row["kind"] == UNRECOGNISED:
            row["text"] = _typed(container, row["conversation_id"], row["version"], row["message_id"])
    missing = [r["conversation_id"] for r in rows if r["conversation_id"] and not r.get("contact")]
    contacts = queries.contacts(missing)
    for row in rows:
        if not row.get("contact") and row["conversation_id"] in contacts:
            row["contact"] = contacts[row["conversation_id"]]


def _typed(container: Container, conversation_id: UUID, version: int, message_id: str | None) -> str | None:
    """The text of the message a turn could not understand: a few events before its decision."""
    for event in container.store.events.get(conversation_id, gt=max(0, version - 12), lte=version, desc=True):
        record = EventRecord.of(event)
        if record.type == "MessageReceived" and record.message_id == message_id:
            return str(record.payload.get("text", ""))
        if record.type == "ButtonPressed" and record.message_id == message_id:
            return f"[{record.payload.get('title')}]"
    return None


# -- analytics ---------------------------------------------------------------------------------------


def _range(since: date | None, until: date | None) -> tuple[date, date]:
    today = datetime.now(UTC).date()  # days are when events were recorded, by the store's clock
    until = until or today
    since = since or until - timedelta(days=29)
    if since > until:
        since, until = until, since
    if (until - since).days >= MAX_RANGE_DAYS:
        since = until - timedelta(days=MAX_RANGE_DAYS - 1)
    return since, until


def _daily(container: Container, since: date, until: date) -> tuple[list[date], list[dict[str, Any]]]:
    rows = {row["day"]: row for row in container.analytics.daily(since, until)}
    days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    return days, [rows.get(day.isoformat(), {"day": day.isoformat()}) for day in days]


@router.get("/analytics")
def analytics(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    since, until = _range(since, until)
    days, rows = _daily(container, since, until)
    charts = []
    for key, title, percent in CHARTS:
        values = [row.get(key, None if percent else 0) for row in rows]
        series = Series(key, title, [None if v is None else float(v) for v in values], percent)
        known = [v for v in series.values if v is not None]
        total = (sum(known) / len(known) if percent else sum(known)) if known else None
        charts.append({"series": series, "svg": line_chart(series, days), "total": total})
    query = urlencode({"from": since.isoformat(), "to": until.isoformat()})
    return render(
        request,
        "analytics.html",
        session=session,
        title="Analytics",
        since=since,
        until=until,
        charts=charts,
        csv_url=f"{PREFIX}/analytics.csv?{query}",
        days=len(days),
    )


@router.get("/analytics.csv", dependencies=[Depends(current_session)])
def analytics_csv(
    container: ContainerDep,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    since, until = _range(since, until)
    _days, rows = _daily(container, since, until)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    name = f"daily_metrics_{since.isoformat()}_{until.isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


# -- projections and workers ---------------------------------------------------------------------


def _jobs(request: Request) -> RebuildJobs:
    jobs: RebuildJobs = request.app.state.rebuild_jobs
    return jobs


def _projection_rows(request: Request, container: Container) -> dict[str, Any]:
    jobs = _jobs(request)
    rows = []
    running = False
    for status in container.projections.status():
        job = jobs.get(status.name) if status.name in PROJECTIONS else None
        progress = None
        if job is not None:
            running = running or job.state == "running"
            share = job.position / job.head if job.head else (1.0 if job.state == "done" else 0.0)
            progress = {
                "state": job.state,
                "position": job.position,
                "head": job.head,
                "percent": round(100 * min(1.0, share)),
                "error": job.error,
                "seconds": round((job.finished or time.time()) - job.started, 1),
            }
        rows.append(
            {
                "name": status.name,
                "position": status.position,
                "head": status.head,
                "lag": status.lag,
                "rebuildable": status.name in PROJECTIONS,
                "rebuild": progress,
            }
        )
    delivery = container.delivery_status()
    now = time.time()
    leases = [
        {
            "name": lease["name"],
            "holder": lease["holder"] or "nobody",
            "held": bool(lease["holder"]) and float(lease["expires_at"]) > now,
            "expires_in": round(float(lease["expires_at"]) - now, 1),
        }
        for lease in ConsoleQueries(container.read_database).leases()
    ]
    return {"rows": rows, "delivery": delivery, "leases": leases, "running": running}


@router.get("/projections")
def projections(request: Request, container: ContainerDep, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "projections.html",
        session=session,
        title="Projections and workers",
        **_projection_rows(request, container),
    )


@router.get("/projections/status")
def projections_status(request: Request, container: ContainerDep, session: SessionDep) -> HTMLResponse:
    """The table alone, for the page to poll while a rebuild runs."""
    return render(request, "projections_table.html", session=session, **_projection_rows(request, container))


@router.post("/projections/{name}/rebuild", dependencies=[Depends(checked_form)])
def start_rebuild(request: Request, container: ContainerDep, name: str) -> Response:
    try:
        projection_named(name)
    except UnknownProjectionError:
        return _redirect(f"{PREFIX}/projections")
    _jobs(request).start(name, container)
    return _redirect(f"{PREFIX}/projections")
