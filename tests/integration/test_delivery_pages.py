"""A conversation's deliveries, page by page: a bounded number of queries however long it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from application.audit import DeliveryView
from application.inbound import Inbound
from domain.delivery import Delivery
from infrastructure.bootstrap import Container
from tests.channels import channel_settings
from tests.conftest import FakeClock
from tests.fake_providers import FakeProviders
from tests.provider_payloads import KARIM_WA_ID
from tests.turns import KARIM

TEXTS = ("Bonjour", "mes chantiers", "tilleuls", "aide")


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


def talk(container: Container, clock: FakeClock, turns: int, prefix: str, *, send: bool = True) -> list[str]:
    """`turns` turns, every fifth through Twilio (answered in the webhook, so never delivered),
    the rest through WhatsApp; the WhatsApp message ids, in order. Their replies are sent by a
    delivery worker, or without `send` recorded as delivered straight away (much faster)."""
    sent = []
    for n in range(turns):
        clock.advance(seconds=30)
        text = TEXTS[n % len(TEXTS)]
        if n % 5 == 4:
            container.service.handle(Inbound("twilio", f"{prefix}-sm-{n}", KARIM, text=text))
            continue
        message_id = f"{prefix}-wamid-{n}"
        inbound = Inbound("whatsapp", message_id, KARIM_WA_ID, text=text, reply_to={"to": KARIM_WA_ID})
        container.service.handle(inbound)
        sent.append(message_id)
    if not send:
        record_delivered(container, sent, clock.now)
        return sent
    worker = container.delivery_worker()
    try:
        worker.catch_up()
    finally:
        worker.close()
    return sent


def record_delivered(container: Container, message_ids: list[str], at: datetime) -> None:
    """What the delivery worker records once a reply is sent and read."""
    conversation_id = container.audit.resolve(KARIM)
    deliveries = []
    for message_id in message_ids:
        sent_as = f"out.{message_id}"
        delivery = Delivery(
            conversation_id=conversation_id, message_id=message_id, channel="whatsapp", delivered=True,
            attempts=1, provider_message_ids=[sent_as], error=None, at=at,
        )  # fmt: skip
        delivery.report_status(provider_message_id=sent_as, status="read", errors=[], at=at)
        deliveries.append(delivery)
    container.store.save(*deliveries)


def count_queries(container: Container) -> Callable[[], int]:
    """Counts the event store reads the audit trail makes (each is one SQL statement)."""
    calls = [0]

    def counted(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            return method(*args, **kwargs)

        return call

    recorder = container.store.recorder
    queries = container.audit._log.queries
    for target, name in [
        (recorder, "select_events"),
        (recorder, "select_notifications"),
        (queries, "events_of_types"),
        (queries, "events_of"),
    ]:
        setattr(target, name, counted(getattr(target, name)))
    return lambda: calls[0]


def read_all(container: Container, limit: int, session: str | None = None) -> tuple[list[DeliveryView], int]:
    conversation_id = container.audit.resolve(KARIM)
    views: list[DeliveryView] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        page = container.audit.delivery_page(conversation_id, after=after, limit=limit, session_id=session)
        views += page.items
        after = page.next_after
        pages += 1
    return views, pages


def test_pages_cover_every_delivered_reply_once_with_a_bounded_number_of_queries(
    container: Container, clock: FakeClock
) -> None:
    first = talk(container, clock, 10, "short", send=False)
    conversation_id = container.audit.resolve(KARIM)
    queries = count_queries(container)
    short_page = container.audit.delivery_page(conversation_id, limit=5)
    short_cost = queries()

    sent = first + talk(container, clock, 400, "long", send=False)  # about 1,400 events
    assert container.store.conversation_by_id(conversation_id).version > 1400
    before = queries()
    long_page = container.audit.delivery_page(conversation_id, limit=5)
    assert queries() - before == short_cost <= 2  # the replies, then their deliveries
    assert [v.message_id for v in long_page.items] == [v.message_id for v in short_page.items]

    before = queries()
    views, pages = read_all(container, limit=40)
    assert queries() - before == 1 + 2 * pages  # finding the conversation, then two a page
    assert [v.message_id for v in views] == sent  # in order, none skipped, none twice
    assert all(v.outcome == "delivered" and [s["status"] for s in v.statuses] == ["read"] for v in views)
    assert container.audit.deliveries(conversation_id) == views  # what `convo audit` shows


def test_a_page_of_replies_answered_in_the_webhook_is_empty_but_goes_on(
    container: Container, clock: FakeClock, fake: FakeProviders
) -> None:
    container.settings = channel_settings(container.settings, fake)
    for n in range(6):
        container.service.handle(Inbound("twilio", f"sm-{n}", KARIM, text="aide"))
    sent = talk(container, clock, 4, "after")
    conversation_id = container.audit.resolve(KARIM)
    page = container.audit.delivery_page(conversation_id, limit=3)
    assert page.items == [] and page.next_after is not None
    views, _ = read_all(container, limit=3)
    assert [v.message_id for v in views] == sent


def test_deliveries_over_http_page_and_filter_by_session(
    container: Container, clock: FakeClock, fake: FakeProviders
) -> None:
    container.settings = channel_settings(container.settings, fake, api_token=SecretStr("t"))
    morning = talk(container, clock, 30, "morning")
    clock.advance(hours=3)  # past the idle timeout: a new session
    afternoon = talk(container, clock, 30, "afternoon")
    auth = {"Authorization": "Bearer t"}
    with TestClient(create_app(container)) as client:
        seen: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 7}
        while True:
            body = client.get(f"/conversations/{KARIM}/deliveries", params=params, headers=auth).json()
            seen += body["deliveries"]
            if body["next"] is None:
                break
            params["after"] = body["next"]
        assert [d["message_id"] for d in seen] == morning + afternoon
        assert {d["outcome"] for d in seen} == {"delivered"}

        session = seen[-1]["session_id"]
        later = client.get(
            f"/conversations/{KARIM}/deliveries", params={"session": session, "limit": 1000}, headers=auth
        ).json()
        assert [d["message_id"] for d in later["deliveries"]] == afternoon
        assert later["next"] is None
