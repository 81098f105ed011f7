"""Bearer-token auth for everything but the chat webhooks and health checks."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.dependencies import ContainerDep

_bearer = HTTPBearer(auto_error=False, description="The token of the CONVO_API_TOKEN setting.")


async def require_token(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = container.settings.api_token
    given = credentials.credentials if credentials is not None else ""
    # One answer for missing, wrong and unconfigured: it tells a caller nothing else.
    if expected is None or not secrets.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
