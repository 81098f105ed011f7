"""Error answers in the OpenAPI document as they are sent: `application/problem+json` bodies.

FastAPI documents its own 422 as `application/json` with its validation-error shape, and the other
error statuses routes declare with a description only; every one of them is in fact a problem
(api/problems.py). Clients generated from the document, and the fuzzing tests, rely on it saying so.
"""

from __future__ import annotations

from typing import Any

from api.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error, as RFC 9457 describes it.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "The kind of problem, e.g. `/problems/invalid-request`."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What is wrong, in words."},
        "instance": {"type": "string", "description": "The path that was asked for."},
        "errors": {
            "type": "array",
            "description": "Invalid requests only: each field at fault.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def describe_problems(document: dict[str, Any]) -> None:
    """Rewrites, in place, every 4xx and 5xx response of the document as a problem."""
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45":
                    response["content"] = problem
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for unused in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(unused, None)
