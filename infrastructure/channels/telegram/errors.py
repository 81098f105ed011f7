"""What the Bot API's refusals mean, by its `error_code` and `parameters.retry_after`."""

from __future__ import annotations

from typing import Any

import httpx

from application.outbound import PermanentSendError, SendError, TemporarySendError, ThrottledSendError
from infrastructure.channels.sending import retry_after_header

FLOOD_WAIT_SECONDS = 1.0  # when a 429 does not say how long: Telegram's per-chat pace


def telegram_refusal(response: httpx.Response, answer: Any) -> SendError:
    """The error to raise for `{"ok": false, "error_code": N, "description": ..., "parameters": ...}`.

    429 (flood control) carries `retry_after`; 403 ("bot was blocked by the
    user") and 400 (bad request, chat not found) will fail again; 5xx is
    Telegram's own trouble.
    """
    body = answer if isinstance(answer, dict) else {}
    code = _int_or_none(body.get("error_code")) or response.status_code
    description = str(body.get("description") or response.text[:200] or response.reason_phrase)
    reason = f"HTTP {response.status_code}: {description}"
    parameters = body.get("parameters")
    retry_after = _int_or_none(parameters.get("retry_after")) if isinstance(parameters, dict) else None
    wait = float(retry_after) if retry_after is not None else retry_after_header(response)
    if code == 429 or retry_after is not None:
        return ThrottledSendError(reason, retry_after=wait or FLOOD_WAIT_SECONDS, code=code)
    if code >= 500:
        return TemporarySendError(reason, retry_after=wait, code=code)
    return PermanentSendError(reason, code=code)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    return None
