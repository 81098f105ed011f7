"""Posting to the generic webhook as its configured client does: with the bearer token."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

GENERIC_TOKEN = "generic-webhook-token"
GENERIC_AUTH = {"Authorization": f"Bearer {GENERIC_TOKEN}"}


def post_generic(
    client: TestClient | httpx.Client, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    """`body` as JSON (bytes are sent as they are), with the token unless `headers` say otherwise."""
    sent = {"content-type": "application/json", **(GENERIC_AUTH if headers is None else headers)}
    if isinstance(body, bytes):
        return client.post("/webhooks/generic", content=body, headers=sent)
    return client.post("/webhooks/generic", json=body, headers=sent)
