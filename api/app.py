"""The FastAPI application: routers, problem handlers and the container's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.admission import TurnAdmission
from api.problems import install_problem_handlers
from api.routes import health, webhooks
from infrastructure.bootstrap import Container, build
from infrastructure.settings import Settings

# uvicorn configures this logger, so start-up lines show next to its own.
log = logging.getLogger("uvicorn.error")


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
        log.info(
            "convo ready on %s",
            "PostgreSQL" if settings.is_postgres else f"SQLite file {settings.sqlite_path}",
        )
        try:
            yield
        finally:
            if owned:
                built.close()

    app = FastAPI(
        title="convo",
        summary="Event-sourced conversations for the site bot of construction subcontractors.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(webhooks.router)
    app.include_router(health.router)
    return app
