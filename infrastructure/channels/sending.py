"""Posting to a provider's API over HTTP, with its failures sorted into retry or give up."""

from __future__ import annotations

from typing import Any

import httpx

from application.outbound import PermanentSendError, TemporarySendError


def post_json(
    client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    """The provider's JSON answer; TemporarySendError on 5xx, 429, timeouts and dropped
    connections, PermanentSendError on any other refusal."""
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TransportError as error:  # timeouts, refused or reset connections
        raise TemporarySendError(f"{type(error).__name__}: {error}") from error
    answer = _json_or_none(response)
    status = response.status_code
    if status == 429 or status >= 500:
        raise TemporarySendError(
            f"HTTP {status}: {_description(answer, response)}", retry_after=_retry_after(answer, response)
        )
    if status >= 400:
        raise PermanentSendError(f"HTTP {status}: {_description(answer, response)}")
    if answer is None:
        raise TemporarySendError(f"HTTP {status} without a JSON answer")
    return answer


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _description(answer: Any, response: httpx.Response) -> str:
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict) and error.get("message"):  # Meta's Graph API
            return f"{error.get('code', '')} {error['message']}".strip()
        if answer.get("description"):  # Telegram's Bot API
            return str(answer["description"])
    return response.text[:200] or response.reason_phrase


def _retry_after(answer: Any, response: httpx.Response) -> float | None:
    if isinstance(answer, dict):
        parameters = answer.get("parameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
            return float(parameters["retry_after"])
    header = response.headers.get("retry-after", "")
    try:
        return float(header) if header else None
    except ValueError:
        return None  # an HTTP date: rare from these APIs, and back-off covers it
