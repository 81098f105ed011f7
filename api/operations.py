"""What operators get from the HTTP service: request ids, metrics, and API docs that work offline."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from eventsourcing.persistence import OperationalError as EventStoreUnavailableError
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.admission import BusyError
from api.auth import require_token
from api.dependencies import ContainerDep
from application.random_bytes import random_uuid
from application.service import TurnConflictError
from infrastructure import logs, metrics
from infrastructure.bootstrap import Container
from infrastructure.database_errors import DatabaseUnavailableError
from infrastructure.media.fetcher import media_status

log = logging.getLogger(__name__)

REQUEST_ID = "X-Request-Id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
_WEBHOOK = re.compile(r"^/webhooks/(generic|whatsapp|telegram|twilio)(?:/|$)")
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_STATIC = "/docs-static"

router = APIRouter(tags=["operations"])


class RequestContext:
    """Pure ASGI middleware: a request id for every request, in every log line the request causes
    and in the answer; and each webhook answer counted by channel and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _VALID_REQUEST_ID.match(given) else random_uuid().hex
        # Each request runs in its own task: the binding ends with it (and is copied into the
        # threads its synchronous endpoints run in).
        logs.bind(request_id=request_id)
        webhook = _WEBHOOK.match(scope.get("path", ""))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                if webhook is not None and _metrics_on(scope):
                    metrics.WEBHOOK_RESPONSES.labels(webhook.group(1), str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, send_with_id)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return str(value.decode("latin-1"))
            except UnicodeDecodeError:
                return None
    return None


def _metrics_on(scope: Scope) -> bool:
    app = scope.get("app")
    container = getattr(getattr(app, "state", None), "container", None)
    return container is None or bool(container.settings.metrics_enabled)


@router.get(
    "/metrics",
    summary="Prometheus metrics, in its text format (with the API token)",
    dependencies=[Depends(require_token)],
    response_class=Response,
)
def prometheus_metrics(request: Request, container: ContainerDep) -> Response:
    sampler: metrics.PoolSampler | None = getattr(request.app.state, "pool_sampler", None)
    if sampler is not None:
        sampler.sample()
    body = metrics.exposition([metrics.LagCollector(lambda: follower_positions(container))])
    return Response(body, media_type=metrics.CONTENT_TYPE)


def follower_positions(container: Container) -> list[metrics.Position]:
    statuses = [*container.projections.status(), container.delivery_status(), media_status(container)]
    return [metrics.Position(s.name, s.position, s.head) for s in statuses]


def pools_of(container: Container) -> dict[str, Any]:
    """The PostgreSQL pools of a container, by name (none on SQLite)."""
    pools: dict[str, Any] = {}
    datastore = getattr(container.store.recorder, "datastore", None)
    event_store_pool = getattr(datastore, "pool", None)
    if hasattr(event_store_pool, "get_stats"):
        pools["event_store"] = event_store_pool
    database_pool = getattr(container.database, "_pool", None)
    if hasattr(database_pool, "get_stats"):
        pools["database"] = database_pool
    return pools


def _counted(
    handler: Callable[[Request, Exception], Awaitable[Response]], cause: str
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def counting(request: Request, exc: Exception) -> Response:
        container: Container | None = getattr(request.app.state, "container", None)
        if container is not None:
            container.telemetry.unavailable(cause)
            webhook = _WEBHOOK.match(request.url.path)
            if cause == "busy" and webhook is not None:
                container.telemetry.refused(webhook.group(1))
        return await handler(request, exc)

    return counting


def _offline_docs(app: FastAPI) -> None:
    """`/docs` and `/redoc` with their scripts and styles served from the installed package."""
    app.router.routes[:] = [r for r in app.router.routes if not _is_cdn_docs(r, app)]
    app.mount(DOCS_STATIC, StaticFiles(directory=DOCS_ASSETS), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — API",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_STATIC}/favicon.png",
        )

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} — API",
            redoc_js_url=f"{DOCS_STATIC}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_STATIC}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)


def _is_cdn_docs(route: BaseRoute, app: FastAPI) -> bool:
    return isinstance(route, Route) and route.path in (app.docs_url, app.redoc_url)


def install_operations(app: FastAPI) -> None:
    """Request ids, `/metrics`, offline docs, and 503s counted by cause; after the problem handlers."""
    app.add_middleware(RequestContext)
    app.include_router(router)
    for error, cause in (
        (BusyError, "busy"),
        (TurnConflictError, "conflict"),
        (DatabaseUnavailableError, "database"),
    ):
        handler = app.exception_handlers.get(error)
        if handler is not None:
            app.add_exception_handler(error, _counted(handler, cause))  # type: ignore[arg-type]
    handler = app.exception_handlers.get(EventStoreUnavailableError)
    if handler is not None:
        app.add_exception_handler(EventStoreUnavailableError, _counted(handler, "database"))  # type: ignore[arg-type]
    _offline_docs(app)
    _sample_pools_while_serving(app)


def _sample_pools_while_serving(app: FastAPI) -> None:
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with started(app) as state:
            sampler = metrics.PoolSampler(pools_of(app.state.container)).start()
            app.state.pool_sampler = sampler
            try:
                yield state
            finally:
                sampler.close()
                metrics.process_exiting()

    app.router.lifespan_context = lifespan
