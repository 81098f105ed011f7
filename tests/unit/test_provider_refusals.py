"""Refusals sorted by the providers' own error codes, from the bodies they really send."""

from __future__ import annotations

import httpx
import pytest

from application.outbound import PermanentSendError, SendError, TemporarySendError, ThrottledSendError
from infrastructure.channels.telegram.errors import telegram_refusal
from infrastructure.channels.whatsapp.errors import meta_refusal
from tests.fake_provider_errors import Answer, meta_error, telegram_error


def response_of(answer: Answer) -> httpx.Response:
    return httpx.Response(answer.status, json=answer.body, headers=answer.headers)


def meta(answer: Answer) -> SendError:
    return meta_refusal(response_of(answer), answer.body)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (130429, ThrottledSendError),  # the business number's throughput, as HTTP 400
        (131056, ThrottledSendError),  # too many to one recipient
        (4, ThrottledSendError),
        (80007, ThrottledSendError),
        (2, TemporarySendError),
        (131000, TemporarySendError),
        (100, PermanentSendError),
        (131026, PermanentSendError),
        (131047, PermanentSendError),
        (190, PermanentSendError),
        (10, PermanentSendError),
    ],
)
def test_meta_refusals_are_sorted_by_code_not_status(code: int, kind: type[SendError]) -> None:
    refusal = meta(meta_error(code))
    assert type(refusal) is kind
    assert refusal.code == code
    assert str(refusal).startswith(f"HTTP {meta_error(code).status}: {code} ")


def test_meta_throttling_comes_as_http_400_and_is_retried() -> None:
    answer = meta_error(130429)
    assert answer.status == 400
    refusal = meta(answer)
    assert refusal.retryable
    assert str(refusal) == (
        "HTTP 400: 130429 Rate limit hit (Message failed to send because there were too many messages "
        "sent from this phone number in a short period of time)"
    )


def test_the_spam_limit_waits_long_and_a_retry_after_header_is_kept() -> None:
    assert meta(meta_error(131048)).retry_after == 60.0
    assert meta(meta_error(131000, retry_after=7)).retry_after == 7.0


@pytest.mark.parametrize(("status", "kind"), [(400, PermanentSendError), (503, TemporarySendError)])
def test_unknown_meta_codes_fall_back_on_the_status(status: int, kind: type[SendError]) -> None:
    assert type(meta(meta_error(999_999, status=status))) is kind


def test_an_answer_without_meta_error_falls_back_on_the_status() -> None:
    assert type(meta_refusal(httpx.Response(502, text="Bad Gateway"), None)) is TemporarySendError
    assert type(meta_refusal(httpx.Response(404, text="Not Found"), None)) is PermanentSendError


def telegram(answer: Answer) -> SendError:
    return telegram_refusal(response_of(answer), answer.body)


def test_telegram_flood_control_is_throttling_with_its_retry_after() -> None:
    refusal = telegram(telegram_error(429, retry_after=7))
    assert type(refusal) is ThrottledSendError
    assert refusal.retry_after == 7.0
    assert str(refusal) == "HTTP 429: Too Many Requests: retry after 7"


@pytest.mark.parametrize(
    ("status", "description", "kind"),
    [
        (403, "Forbidden: bot was blocked by the user", PermanentSendError),
        (400, "Bad Request: chat not found", PermanentSendError),
        (502, "Bad Gateway", TemporarySendError),
    ],
)
def test_telegram_refusals_by_error_code(status: int, description: str, kind: type[SendError]) -> None:
    refusal = telegram(telegram_error(status, description))
    assert type(refusal) is kind
    assert str(refusal) == f"HTTP {status}: {description}"
