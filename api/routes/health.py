"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from api.dependencies import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The databases answer", responses={503: {"description": "Not ready"}})
def readyz(container: ContainerDep) -> dict[str, str]:
    container.directory.ping()
    head = container.store.recorder.max_notification_id()
    return {
        "status": "ready",
        "database": "postgresql" if container.settings.is_postgres else "sqlite",
        "log_head": str(head or 0),
    }
