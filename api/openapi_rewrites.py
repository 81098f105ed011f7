"""The OpenAPI document FastAPI generates, completed by the rewrites the app needs, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

Rewrite = Callable[[dict[str, Any]], None]


def rewrite_openapi(app: FastAPI, *rewrites: Rewrite) -> None:
    """Has the app's document go through `rewrites`, in order, the first time it is made."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = generate()  # cached by FastAPI after the first call: rewritten once
        if first:
            for rewrite in rewrites:
                rewrite(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
