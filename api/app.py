"""The FastAPI application: routers, problem handlers and the container's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.admission import TurnAdmission
from api.body_deadline import RequestBodyDeadline
from api.console import install_console
from api.openapi_rewrites import rewrite_openapi
from api.operations import install_operations
from api.problem_docs import describe_problems
from api.problems import install_problem_handlers
from api.replica_lag import ReplicaLagHeader
from api.routes import analytics, audit, health, projections, subjects, telegram, twilio, webhooks, whatsapp
from api.routes.projections import RebuildJobs
from api.webhook_token import describe_webhook_token
from infrastructure.bootstrap import Container, build
from infrastructure.media.fetcher import fetch_media_in_background
from infrastructure.settings import Settings
from infrastructure.subjects.retention_loop import retain_in_background

# uvicorn configures this logger, so start-up lines show next to its own.
log = logging.getLogger("uvicorn.error")


def unsendable_channels(settings: Settings) -> list[str]:
    """Channels that take messages in but could not send the replies out."""
    warnings = []
    if settings.whatsapp_app_secret is not None and not (
        settings.whatsapp_access_token and settings.whatsapp_phone_number_id
    ):
        warnings.append(
            "WhatsApp webhooks are accepted but replies cannot be sent: set CONVO_WHATSAPP_ACCESS_TOKEN "
            "and CONVO_WHATSAPP_PHONE_NUMBER_ID"
        )
    if settings.telegram_secret_token is not None and settings.telegram_bot_token is None:
        warnings.append(
            "Telegram webhooks are accepted but replies cannot be sent: set CONVO_TELEGRAM_BOT_TOKEN"
        )
    return warnings


def create_app(container: Container | None = None) -> FastAPI:
    """Builds the app; without a container, one is built from settings at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        built = container or build(Settings())
        settings = built.settings
        app.state.container = built
        app.state.admission = TurnAdmission(
            slots=settings.pool_size + settings.pool_max_overflow,
            wait_seconds=settings.busy_wait_seconds,
        )
        app.state.rebuild_jobs = RebuildJobs()
        log.info(
            "convo ready on %s",
            "PostgreSQL" if settings.is_postgres else f"SQLite file {settings.sqlite_path}",
        )
        if settings.insecure_webhooks:
            log.warning(
                "INSECURE: CONVO_INSECURE_WEBHOOKS is on; channels without a secret accept unsigned "
                "webhooks. Never run like this in production."
            )
        if settings.generic_webhook_token is None and not settings.insecure_webhooks:
            log.warning("CONVO_GENERIC_WEBHOOK_TOKEN is not set: POST /webhooks/generic answers 403")
        if settings.api_token is None:
            log.warning("CONVO_API_TOKEN is not set: audit, analytics and projection endpoints answer 401")
        for warning in unsendable_channels(settings):
            log.warning(warning)
        following = built.follow_in_background() if owned and settings.run_projections_in_serve else None
        delivering = built.deliver_in_background() if owned and settings.run_delivery_in_serve else None
        # Media are fetched wherever replies are sent from: the follow-up turns answer through it.
        fetching = fetch_media_in_background(built) if owned and settings.run_delivery_in_serve else None
        # Where projections run, since retention reads the sessions they keep.
        retaining = (
            retain_in_background(built.retention()) if owned and settings.run_projections_in_serve else None
        )
        try:
            yield
        finally:
            for background in (retaining, fetching, delivering, following):
                if background is not None:
                    background.close()
            if owned:
                built.close()

    app = FastAPI(
        # Operators get Prometheus metrics and JSON log lines (api/operations.py); FastAPI's own
        # OpenTelemetry would ask for providers nobody configures, about 6 µs on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="convo",
        summary="Event-sourced conversations for the site bot of construction subcontractors.",
        version="0.1.0",
        lifespan=lifespan,
    )
    # Matched in the order included, and each router passed costs a webhook a few microseconds:
    # the webhooks, most of the traffic, come first.
    app.include_router(webhooks.router)
    app.include_router(whatsapp.router)
    app.include_router(twilio.router)
    app.include_router(telegram.router)
    install_problem_handlers(app)
    rewrite_openapi(app, describe_problems, describe_webhook_token)
    install_operations(app)
    install_console(app)
    app.include_router(audit.router)
    app.include_router(analytics.router)
    app.include_router(projections.router)
    app.include_router(subjects.router)
    app.include_router(health.router)
    app.add_middleware(ReplicaLagHeader)
    # Added last, so outermost: nothing else runs for a request until its body is in.
    app.add_middleware(RequestBodyDeadline)
    return app
