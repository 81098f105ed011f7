"""A person's rights over their data, over HTTP: erasure, a copy of it, retention's progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder

from api.auth import require_token
from api.dependencies import ContainerDep
from application.inbound import InvalidInboundError
from infrastructure.subjects.erasure import SubjectNotFoundError

router = APIRouter(prefix="/subjects", tags=["subjects"], dependencies=[Depends(require_token)])

RequestedBy = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="Who asked for it (a ticket, an operator): recorded with the erasure.",
    ),
]


@router.get("/retention", summary="Retention: the cut-off, sessions due, sessions shredded")
def retention_status(container: ContainerDep) -> dict[str, Any]:
    status = container.retention().status()
    encoded: dict[str, Any] = jsonable_encoder(status)
    return encoded


@router.get("/{phone}/export", summary="Everything held about a person, as JSON")
async def export(container: ContainerDep, phone: str) -> dict[str, Any]:
    try:
        body = await run_in_threadpool(container.subject_export, phone)
    except InvalidInboundError as error:
        raise HTTPException(422, str(error)) from None
    except SubjectNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    encoded: dict[str, Any] = jsonable_encoder(body)
    return encoded


@router.delete("/{phone}", summary="Erase a person's data (their keys destroyed, their rows deleted)")
async def forget(container: ContainerDep, phone: str, requested_by: RequestedBy = "api") -> dict[str, Any]:
    try:
        erasure = await run_in_threadpool(container.eraser().forget, phone, requested_by)
    except InvalidInboundError as error:
        raise HTTPException(422, str(error)) from None
    except SubjectNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    return erasure.as_json()
