"""Inputs that once answered 500: numbers too big for the stores, times without a zone, WhatsApp
status times no date can hold, digits that are not ASCII. Each is a 4xx problem, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.inbound import InvalidInboundError
from application.phone import normalise_phone, telegram_user_of
from infrastructure.bootstrap import Container
from tests.channels import Wired, wired
from tests.generic_webhook import post_generic
from tests.provider_payloads import post_whatsapp, wa_status, wa_text, whatsapp_notification
from tests.turns import KARIM, log_size, say

AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def audit(container: Container, client: TestClient) -> TestClient:
    container.settings = container.settings.model_copy(update={"api_token": SecretStr("t")})
    say(container.service, "Bonjour")
    return client


def assert_problem(response: Any, status: int, mentions: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert mentions in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "mentions"),
    [
        (f"/conversations/{KARIM}/state?version=99999999999999999999", "version"),
        (f"/conversations/{KARIM}/state?version=9223372036854775808", "version"),
        (f"/conversations/{KARIM}/events?after=99999999999999999999", "after"),
        (f"/conversations/{KARIM}/events?after=-1", "after"),
        (f"/conversations/{KARIM}/deliveries?after=99999999999999999999", "after"),
        (f"/conversations/{KARIM}/deliveries?limit=0", "limit"),
        (f"/conversations/{KARIM}/deliveries?limit=100000", "limit"),
        ("/events?after=99999999999999999999", "after"),
        ("/analytics/sessions?limit=99999999999999999999", "limit"),
    ],
)
def test_numbers_out_of_range_are_422(audit: TestClient, path: str, mentions: str) -> None:
    assert_problem(audit.get(path, headers=AUTH), 422, mentions)


def test_the_largest_cursor_is_still_an_answer(audit: TestClient) -> None:
    largest = 2**63 - 1
    events = audit.get(f"/conversations/{KARIM}/events", params={"after": largest}, headers=AUTH)
    assert events.json()["items"] == []
    feed = audit.get("/events", params={"after": largest}, headers=AUTH)
    assert feed.json()["items"] == []
    state = audit.get(f"/conversations/{KARIM}/state", params={"version": largest}, headers=AUTH)
    assert_problem(state, 404, "has no version")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/conversations/{KARIM}/events?from=2026-11-24T08:00:00", "from"),
        (f"/conversations/{KARIM}/events?to=2026-11-24T08:00:00", "to"),
        (f"/conversations/{KARIM}/state?at=2026-11-24T08:00:00", "at"),
        ("/analytics/sessions?from=2026-11-24T08:00:00", "from"),
        ("/analytics/sessions?to=2026-11-24", "to"),
    ],
)
def test_times_without_a_zone_are_422(audit: TestClient, path: str, field: str) -> None:
    assert_problem(audit.get(path, headers=AUTH), 422, f"query.{field}: Input should have timezone info")


def test_times_in_any_zone_filter_alike(audit: TestClient, container: Container) -> None:
    container.projections.catch_up()  # the session opened at 08:00 UTC (the test clock)

    def sessions(**bounds: str) -> int:
        return len(audit.get("/analytics/sessions", params=bounds, headers=AUTH).json()["items"])

    assert sessions(**{"from": "2026-11-24T09:30:00+02:00"}) == 1  # 07:30 UTC
    assert sessions(**{"from": "2026-11-24T08:30:00-02:00"}) == 0  # 10:30 UTC
    assert sessions(to="2026-11-24T09:30:00+02:00") == 0
    assert sessions(to="2026-11-24T08:30:00-02:00") == 1
    # Bounds that fall outside the years a datetime holds once in UTC.
    assert sessions(**{"from": "0001-01-01T00:00:00+14:00"}) == 1
    assert sessions(to="9999-12-31T23:59:59-14:00") == 1
    assert sessions(**{"from": "9999-12-31T23:59:59-14:00"}) == 0


@pytest.mark.parametrize(
    "sender",
    ["+33６00000001", "+３３600000001", "+3٣600000001", "+33600000٠٠1", "३३600000001", "+33600000001\u00b9"],
)
def test_phone_numbers_take_ascii_digits_only(client: TestClient, container: Container, sender: str) -> None:
    before = log_size(container)
    response = post_generic(client, {"message_id": "m-digits", "from": sender, "text": "Bonjour"})
    assert_problem(response, 422, "is not a phone number")
    assert log_size(container) == before
    with pytest.raises(InvalidInboundError):
        normalise_phone(sender)


def test_telegram_user_ids_take_ascii_digits_only() -> None:
    assert telegram_user_of("telegram:100000001") == "100000001"
    with pytest.raises(InvalidInboundError):
        telegram_user_of("telegram:１00000001")


def test_spellings_of_one_number_are_still_one_contact() -> None:
    spellings = [
        "+33600000001",
        "whatsapp:+33 6 00 00 00 01",
        "0033600000001",
        "33600000001",
        "+33\u00a0600000001",
    ]
    assert {normalise_phone(s) for s in spellings} == {"+33600000001"}


@pytest.fixture
def whatsapp(container: Container) -> Iterator[Wired]:
    with wired(container) as wiring:
        yield wiring


@pytest.mark.parametrize(
    "timestamp",
    ["99999999999999999999", "253402300800", "-1", "-99999999999999"],
    ids=["far-future", "after-year-9999", "negative", "far-past"],
)
def test_a_whatsapp_status_time_no_date_can_hold_is_422_and_writes_nothing(
    container: Container, whatsapp: Wired, timestamp: str
) -> None:
    client, _, _ = whatsapp
    status = {**wa_status("wamid.out-1", "delivered"), "timestamp": timestamp}
    # The batch's message is not handled either: a notification is checked whole first.
    notification = whatsapp_notification([wa_text("wamid.in-1", "Bonjour")], [status])
    before = log_size(container)
    response = post_whatsapp(client, notification)
    assert_problem(response, 422, "statuses.0.timestamp")
    assert log_size(container) == before


def test_the_last_second_of_year_9999_is_still_a_time(container: Container, whatsapp: Wired) -> None:
    client, _, _ = whatsapp
    status = {**wa_status("wamid.never-sent", "delivered"), "timestamp": "253402300799"}
    response = post_whatsapp(client, whatsapp_notification([], [status]))
    assert response.status_code == 200, response.text
