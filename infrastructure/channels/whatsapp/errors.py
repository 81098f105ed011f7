"""What the Cloud API's refusals mean, by Meta's `error.code`: it answers most causes with HTTP 400,
throttling included, so the status alone would record throttled replies as failed."""

from __future__ import annotations

import re
from typing import Any

import httpx

from application.outbound import PermanentSendError, SendError, TemporarySendError, ThrottledSendError
from infrastructure.channels.sending import retry_after_header

# Too fast for the business number, the app or the account: every send of the number should wait.
NUMBER_THROTTLED = frozenset({4, 80007, 130429})
# Too many messages to one recipient in a short time: only that recipient's replies are affected.
PAIR_THROTTLED = frozenset({131056})
# Too many earlier messages were blocked or reported: retrying soon is pointless.
SPAM_THROTTLED = frozenset({131048})
SPAM_WAIT_SECONDS = 60.0
# Meta's own trouble: unknown errors, downtime, overload, maintenance.
TEMPORARY = frozenset({1, 2, 131000, 131016, 131057, 133004})
# Refusals of the message itself (bad parameters, undeliverable, outside the 24-hour window,
# token, permissions, policy): named here for the record; any other code of a 4xx is permanent too.
PERMANENT = frozenset({10, 100, 190, 368, 131008, 131009, 131026, 131047, 131051})

_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")  # "(#131047) Re-engagement message"


def meta_refusal(response: httpx.Response, answer: Any) -> SendError:
    """The error to raise for a Graph API error answer."""
    status = response.status_code
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        reason = f"HTTP {status}: {response.text[:200] or response.reason_phrase}"
        if status == 429 or status >= 500:
            return TemporarySendError(reason, retry_after=retry_after_header(response))
        return PermanentSendError(reason)
    code = _code_of(error)
    reason = f"HTTP {status}: {_description(code, error)}"
    retry_after = retry_after_header(response)
    if code in NUMBER_THROTTLED or code in PAIR_THROTTLED:
        return ThrottledSendError(reason, retry_after=retry_after, code=code)
    if code in SPAM_THROTTLED:
        return ThrottledSendError(reason, retry_after=max(retry_after or 0.0, SPAM_WAIT_SECONDS), code=code)
    if code in TEMPORARY or (code not in PERMANENT and (status == 429 or status >= 500)):
        return TemporarySendError(reason, retry_after=retry_after, code=code)
    return PermanentSendError(reason, code=code)


def _code_of(error: dict[str, Any]) -> int | None:
    try:
        return int(error["code"])
    except (KeyError, TypeError, ValueError):
        return None


def _description(code: int | None, error: dict[str, Any]) -> str:
    """Like `131047 Re-engagement message (Message failed to send because more than 24 hours…)`."""
    title = _CODE_PREFIX.sub("", str(error.get("message") or "")).strip()
    data = error.get("error_data")
    details = str(data.get("details") or "").strip() if isinstance(data, dict) else ""
    text = " ".join(part for part in (str(code) if code is not None else "", title) if part)
    if details and details != title:
        text = f"{text} ({details})" if text else details
    return text or "no error description"
