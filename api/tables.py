"""Rows as JSON or CSV, as the caller asks."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

Format = Literal["json", "csv"]

# What rows_response answers, for the OpenAPI document: the route returns a plain Response.
ROWS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The rows: JSON, or CSV with `format=csv` or `Accept: text/csv`",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "items": {"type": "object"}}},
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def wants_csv(request: Request, format: Format | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def rows_response(
    request: Request, rows: list[dict[str, Any]], columns: list[str], format: Format | None, name: str
) -> Response:
    if not wants_csv(request, format):
        return JSONResponse(jsonable_encoder({"items": rows}))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
