"""FastAPI dependencies: the container built by the composition root, and what hangs off it.

Each is an `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop
there and back for every request (four of them made a webhook cost about a turn more).
None of them waits on anything.

The webhooks, most of the traffic, read the same things with `container_of` and `admission_of`
from the request they take: the three dependencies the generic webhook had were 5% of a
request's instructions (`python -m bench.request_instructions`), for attribute reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.admission import TurnAdmission
from infrastructure.bootstrap import Container


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def admission_of(request: Request) -> TurnAdmission:
    admission: TurnAdmission = request.app.state.admission
    return admission


async def get_container(request: Request) -> Container:
    return container_of(request)


ContainerDep = Annotated[Container, Depends(get_container)]


async def require_json(request: Request) -> None:
    """Webhook bodies are JSON; anything else is refused before the body is read."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(415, f"expected Content-Type application/json, got {media_type or 'none'}")
