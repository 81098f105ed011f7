"""The app's API routes, wherever FastAPI keeps them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # An included router is kept whole by recent FastAPI releases, flattened by older ones.
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        if inner is not None:
            yield from api_routes(inner)
