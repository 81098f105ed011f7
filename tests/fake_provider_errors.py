"""Error answers as the Graph API and the Bot API give them, for the fake providers to return."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from http.client import responses
from typing import Any

# Meta's error codes: (HTTP status, title, details), as the Cloud API answers them. Most causes,
# throttling included, come as HTTP 400: only the code tells them apart.
META_ERRORS: dict[int, tuple[int, str, str]] = {
    2: (503, "Service temporarily unavailable", "Temporary due to downtime or due to being overloaded."),
    4: (400, "Application request limit reached", "The app has reached its API call rate limit."),
    10: (403, "Permission denied", "Permission is either not granted or has been removed."),
    100: (400, "Invalid parameter", "The request included one or more unsupported or misspelled parameters."),
    190: (401, "Invalid OAuth access token.", "Your access token has expired or is invalid."),
    80007: (400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: (
        400,
        "Rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "in a short period of time",
    ),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131026: (400, "Message undeliverable", "Unable to deliver message."),
    131047: (
        400,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131056: (
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "to the same phone number in a short period of time",
    ),
}
# The code a scripted status stands for, when the test names only the status.
META_CODE_OF_STATUS = {400: 100, 401: 190, 403: 10, 429: 130429}
META_SERVER_ERROR = 131000


@dataclass
class Answer:
    """One scripted answer: status, JSON body and headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def meta_error(
    code: int, status: int | None = None, retry_after: int | None = None, details: str | None = None
) -> Answer:
    """`{"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429,
    "error_data": {...}, "fbtrace_id": ...}}`."""
    known_status, title, known_details = META_ERRORS.get(code, (status or 400, "Error", "Unknown error."))
    details = details or known_details
    error = {
        "message": f"(#{code}) {title}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": f"A{uuid.uuid4().hex[:22]}",
    }
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Answer(status or known_status, {"error": error}, headers)


def meta_error_of_status(status: int, retry_after: int | None = None) -> Answer:
    code = META_CODE_OF_STATUS.get(status, META_SERVER_ERROR if status >= 500 else 100)
    return meta_error(code, status, retry_after)


def telegram_error(status: int, description: str | None = None, retry_after: int | None = None) -> Answer:
    """`{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7",
    "parameters": {"retry_after": 7}}`."""
    reason = description or responses.get(status, "Error")
    if retry_after is not None and description is None:
        reason = f"{reason}: retry after {retry_after}"
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": reason}
    headers = {}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
        headers["Retry-After"] = str(retry_after)
    return Answer(status, body, headers)
