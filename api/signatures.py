"""Checking that a webhook comes from its provider, the same way for every channel."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException
from pydantic import SecretStr


def require_signature(
    *,
    channel: str,
    setting: str,
    header: str,
    secret: SecretStr | None,
    given: str | None,
    insecure: bool,
    matches: Callable[[str, str], bool],
    challenge: str | None = None,
) -> None:
    """401 without the header, 403 when it does not match or the channel has no secret.

    Only CONVO_INSECURE_WEBHOOKS lets a channel without a secret take unsigned webhooks.
    `challenge` is the WWW-Authenticate scheme a 401 names, for standard HTTP auth.
    """
    if secret is None:
        if insecure:
            return
        raise HTTPException(403, f"the {channel} channel is not configured: set {setting}")
    if not given:
        raise HTTPException(
            401, f"{header} is missing", headers={"WWW-Authenticate": challenge} if challenge else None
        )
    if not matches(secret.get_secret_value(), given):
        raise HTTPException(403, f"{header} does not match")
