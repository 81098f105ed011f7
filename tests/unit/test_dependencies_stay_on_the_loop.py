"""No route's dependency is a plain `def`: FastAPI would run each in its thread pool, a hop
there and back on every request (four of them on the generic webhook cost about a turn more)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant

from api.app import create_app
from tests.routes import api_routes


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _runs_on_the_loop(call: Any) -> bool:
    # A function, or an instance whose __call__ is one (the security schemes).
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__)


def test_every_dependency_of_every_route_is_awaited_on_the_event_loop() -> None:
    app = create_app()
    routes = list(api_routes(app.routes))
    assert any(route.path == "/webhooks/generic" for route in routes)
    sync = sorted(
        {
            f"{route.path}: {getattr(dependency.call, '__qualname__', dependency.call)}"
            for route in routes
            for dependency in _dependencies(route.dependant)
            if dependency.call is not None and not _runs_on_the_loop(dependency.call)
        }
    )
    assert sync == []
