"""Errors as `application/problem+json` (RFC 9457), each with a message that says what is wrong."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import OperationalError as EventStoreUnavailableError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.admission import BusyError
from application.inbound import InvalidInboundError, MalformedPayloadError
from application.service import TurnConflictError
from infrastructure.database_errors import DatabaseUnavailableError

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = "1"


def problem(
    status: int,
    title: str,
    detail: str,
    request: Request,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


async def _validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = list(exc.errors())
    if any(issue.get("type") == "json_invalid" for issue in issues):
        position = next(
            (i.get("ctx", {}).get("error", "") for i in issues if i.get("type") == "json_invalid"), ""
        )
        return problem(400, "Malformed JSON", f"the request body is not valid JSON: {position}", request)
    errors = [{"field": _location(issue["loc"]), "message": issue["msg"]} for issue in issues]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid request", detail, request, errors=errors)


async def _invalid_inbound(request: Request, exc: Exception) -> JSONResponse:
    return problem(422, "Invalid message", str(exc), request)


async def _malformed_payload(request: Request, exc: Exception) -> JSONResponse:
    return problem(400, "Malformed body", str(exc), request)


async def _http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        415: "Unsupported media type",
    }.get(exc.status_code, "Error")
    return problem(exc.status_code, title, str(exc.detail), request, headers=dict(exc.headers or {}))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return problem(
        503,
        "Service unavailable",
        f"{exc}; nothing was written, please retry",
        request,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(InvalidInboundError, _invalid_inbound)
    app.add_exception_handler(MalformedPayloadError, _malformed_payload)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    for unavailable in (BusyError, TurnConflictError, DatabaseUnavailableError, EventStoreUnavailableError):
        app.add_exception_handler(unavailable, _unavailable)
