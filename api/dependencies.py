"""FastAPI dependencies: the container built by the composition root, and what hangs off it.

Each is an `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop
there and back for every request (four of them made a webhook cost about a turn more).
None of them waits on anything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.admission import TurnAdmission
from application.service import ConversationService
from infrastructure.bootstrap import Container


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_service(request: Request) -> ConversationService:
    # Straight from the app's state, not through get_container: a dependency less to solve per turn.
    container: Container = request.app.state.container
    return container.service


async def get_admission(request: Request) -> TurnAdmission:
    admission: TurnAdmission = request.app.state.admission
    return admission


ContainerDep = Annotated[Container, Depends(get_container)]
ServiceDep = Annotated[ConversationService, Depends(get_service)]
AdmissionDep = Annotated[TurnAdmission, Depends(get_admission)]


async def require_json(request: Request) -> None:
    """Webhook bodies are JSON; anything else is refused before the body is read."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(415, f"expected Content-Type application/json, got {media_type or 'none'}")
