"""The generic webhook's bearer token, checked before the request body is even read."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from api.dependencies import require_json
from api.signatures import require_signature
from infrastructure.bootstrap import Container

# Only documents the scheme in OpenAPI: TokenFirstRoute does the checking. Not a dependency of
# the route, which FastAPI would solve on every request for nothing.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="GenericWebhookToken",
    description="The token of the CONVO_GENERIC_WEBHOOK_TOKEN setting.",
)
# An operation's `security`, naming the scheme.
BEARER_SECURITY: list[dict[str, list[str]]] = [{bearer_scheme.scheme_name: []}]


def describe_webhook_token(document: dict[str, Any]) -> None:
    """Adds the bearer scheme to the OpenAPI document's security schemes, which FastAPI
    gathers from dependencies only."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    scheme = jsonable_encoder(bearer_scheme.model, by_alias=True, exclude_none=True)
    schemes[bearer_scheme.scheme_name] = scheme


def require_webhook_token(request: Request) -> None:
    """401 without a bearer token, 403 with a wrong one or none configured (unless insecure)."""
    container: Container = request.app.state.container
    settings = container.settings
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    require_signature(
        channel="generic",
        setting="CONVO_GENERIC_WEBHOOK_TOKEN",
        header="Authorization: Bearer",
        secret=settings.generic_webhook_token,
        given=token.strip() if scheme.lower() == "bearer" else None,
        insecure=settings.insecure_webhooks,
        matches=lambda expected, given: secrets.compare_digest(expected.encode(), given.encode()),
        challenge="Bearer",
    )


class TokenFirstRoute(APIRoute):
    """A route that checks the token, then that the body is JSON, before FastAPI reads and
    parses the body: a caller without the token learns nothing about what it sent, and
    nothing is parsed for it. Checked here rather than as dependencies, which FastAPI would
    solve after reading the body, each at a cost on every turn."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            require_webhook_token(request)
            await require_json(request)
            return await handle(request)

        return authenticated
