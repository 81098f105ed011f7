"""Posting to a provider's API over HTTP; each provider sorts its own refusals into retry or give up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from application.outbound import SendError, TemporarySendError

# Turns a refusal (status >= 400) into the error to raise: (response, its JSON or None).
Refusal = Callable[[httpx.Response, Any], SendError]


def post_json(
    client: httpx.Client,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
    *,
    refusal: Refusal,
) -> Any:
    """The provider's JSON answer; TemporarySendError on timeouts and dropped connections,
    and whatever `refusal` makes of an error answer."""
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TransportError as error:  # timeouts, refused or reset connections
        raise TemporarySendError(f"{type(error).__name__}: {error}") from error
    answer = _json_or_none(response)
    if response.status_code >= 400:
        raise refusal(response, answer)
    if answer is None:
        raise TemporarySendError(f"HTTP {response.status_code} without a JSON answer")
    return answer


def retry_after_header(response: httpx.Response) -> float | None:
    header = response.headers.get("retry-after", "")
    try:
        return float(header) if header else None
    except ValueError:
        return None  # an HTTP date: rare from these APIs, and back-off covers it


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
