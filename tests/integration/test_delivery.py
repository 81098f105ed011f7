"""The delivery worker against a fake provider speaking real HTTP: retries, give-ups, one sender."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from application.delivery import DeliveryInterruptedError, DeliveryPolicy
from application.inbound import Inbound
from infrastructure.bootstrap import Container, build
from infrastructure.delivery import DeliveryWorker
from tests.channels import channel_settings
from tests.conftest import FakeClock
from tests.fake_providers import FakeProviders
from tests.provider_payloads import KARIM_WA_ID
from tests.turns import KARIM, log_size

_ids = iter(range(1, 1_000_000))


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture
def wired_container(container: Container, fake: FakeProviders) -> Container:
    container.settings = channel_settings(container.settings, fake, delivery_max_attempts=3)
    return container


def reply_by_whatsapp(container: Container, text: str = "Bonjour") -> str:
    message_id = f"wamid.{next(_ids)}"
    container.service.handle(
        Inbound("whatsapp", message_id, KARIM_WA_ID, text=text, reply_to={"to": KARIM_WA_ID})
    )
    return message_id


def delivery_of(container: Container, message_id: str) -> object:
    conversation_id = container.audit.resolve(KARIM)
    return container.store.delivery(conversation_id, message_id)


@pytest.fixture
def worker(wired_container: Container) -> Iterator[DeliveryWorker]:
    built = wired_container.delivery_worker()
    yield built
    built.close()


def test_a_provider_answering_500_then_200_gets_the_reply_once_it_recovers(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    message_id = reply_by_whatsapp(wired_container)
    fake.fail_next("whatsapp", 500)
    worker.catch_up()
    delivery = wired_container.store.delivery(wired_container.audit.resolve(KARIM), message_id)
    assert delivery is not None
    assert (delivery.delivered, delivery.attempts, delivery.error) == (True, 2, None)
    assert [r.body["to"] for r in fake.received("whatsapp")] == [KARIM_WA_ID, KARIM_WA_ID]
    assert len(fake.sent("whatsapp", "messages")) == 1


def test_429_waits_as_asked_and_timeouts_are_retried(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    wired_container.settings = wired_container.settings.model_copy(update={"delivery_timeout_seconds": 0.3})
    timed = wired_container.delivery_worker()
    worker.close()  # the lease goes to the worker with the short timeout
    try:
        rate_limited = reply_by_whatsapp(wired_container)
        slow = reply_by_whatsapp(wired_container, "aide")
        fake.fail_next("whatsapp", 429, retry_after=1)
        timed.catch_up()
        fake.delay_next("whatsapp", 1.0)
        # The first reply is sent again once the provider is reachable; the second times out first.
        timed.catch_up()
        conversation_id = wired_container.audit.resolve(KARIM)
        first = wired_container.store.delivery(conversation_id, rate_limited)
        second = wired_container.store.delivery(conversation_id, slow)
        assert first is not None and first.delivered and first.attempts == 2
        assert second is not None and second.delivered
    finally:
        timed.close()


def test_a_refused_message_is_recorded_as_failed_and_not_retried(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    message_id = reply_by_whatsapp(wired_container)
    fake.fail_next("whatsapp", 400)
    worker.catch_up()
    worker.catch_up()
    (view,) = wired_container.audit.deliveries(wired_container.audit.resolve(KARIM))
    assert view.message_id == message_id
    assert (view.outcome, view.attempts) == ("failed", 1)
    assert view.error is not None and view.error.startswith("HTTP 400")
    assert len(fake.received("whatsapp")) == 1


def test_giving_up_after_the_bounded_attempts(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    reply_by_whatsapp(wired_container)
    fake.fail_next("whatsapp", 503, times=10)
    worker.catch_up()
    (view,) = wired_container.audit.deliveries(wired_container.audit.resolve(KARIM))
    assert (view.outcome, view.attempts) == ("failed", 3)
    assert len(fake.received("whatsapp")) == 3


def test_replies_of_an_unconfigured_channel_are_recorded_as_failed(
    wired_container: Container, fake: FakeProviders
) -> None:
    wired_container.settings = wired_container.settings.model_copy(update={"whatsapp_access_token": None})
    worker = wired_container.delivery_worker()
    try:
        reply_by_whatsapp(wired_container)
        worker.catch_up()
    finally:
        worker.close()
    (view,) = wired_container.audit.deliveries(wired_container.audit.resolve(KARIM))
    assert (view.outcome, view.error) == ("failed", "whatsapp sending is not configured")
    assert fake.received() == []


def test_replies_answered_in_the_webhook_are_not_sent_again(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    wired_container.service.handle(Inbound("generic", "g-1", KARIM, text="Bonjour"))
    wired_container.service.handle(Inbound("twilio", "SM1", KARIM, text="aide"))
    size = log_size(wired_container)
    assert worker.catch_up() == 2
    assert log_size(wired_container) == size
    assert fake.received() == []
    assert wired_container.audit.deliveries(wired_container.audit.resolve(KARIM)) == []


def test_one_worker_sends_at_a_time_and_another_takes_over_when_it_stops(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    second = build(wired_container.settings, clock=FakeClock())
    standby = second.delivery_worker()
    try:
        assert worker.catch_up() == 0  # takes the lease
        reply_by_whatsapp(wired_container)
        assert standby.catch_up() == 0, "the first worker holds the lease"
        assert worker.catch_up() == 1
        reply_by_whatsapp(wired_container, "aide")
        worker.close()  # a clean stop hands the lease over at once
        assert standby.catch_up() == 1
        assert len(fake.sent("whatsapp", "messages")) == 2
    finally:
        standby.close()
        second.close()


def test_a_worker_stopped_while_backing_off_leaves_the_reply_for_its_successor(
    wired_container: Container, fake: FakeProviders
) -> None:
    wired_container.settings = wired_container.settings.model_copy(
        update={"delivery_retry_seconds": 30.0, "delivery_max_retry_seconds": 30.0}
    )
    stop = threading.Event()
    worker = wired_container.delivery_worker(stop)
    message_id = reply_by_whatsapp(wired_container)
    fake.fail_next("whatsapp", 500)
    interrupted: list[BaseException] = []

    def catch_up() -> None:
        try:
            worker.catch_up()
        except DeliveryInterruptedError as error:
            interrupted.append(error)

    running = threading.Thread(target=catch_up)
    running.start()
    while not fake.received("whatsapp"):
        stop.wait(0.01)
    stop.set()
    running.join(timeout=5)
    assert not running.is_alive(), "the back-off ends when the worker stops"
    assert len(interrupted) == 1
    worker.close()
    assert delivery_of(wired_container, message_id) is None, "nothing recorded: it was not sent"

    successor = wired_container.delivery_worker()
    try:
        successor.catch_up()
    finally:
        successor.close()
    assert len(fake.sent("whatsapp", "messages")) == 1


def test_back_off_grows_and_honours_retry_after() -> None:
    policy = DeliveryPolicy(max_attempts=5, base_delay=1.0, max_delay=10.0)
    assert 0.5 <= policy.delay(1, None) <= 1.0
    assert 4.0 <= policy.delay(4, None) <= 8.0
    assert policy.delay(1, 7.0) == 7.0
    assert policy.delay(1, 60.0) == 10.0


def test_a_long_back_off_keeps_the_lease(wired_container: Container, fake: FakeProviders) -> None:
    wired_container.settings = wired_container.settings.model_copy(
        update={"delivery_lease_seconds": 0.3, "delivery_max_retry_seconds": 1.0}
    )
    sender = wired_container.delivery_worker()
    rival = build(wired_container.settings, clock=FakeClock())
    standby = rival.delivery_worker()
    try:
        message_id = reply_by_whatsapp(wired_container)
        fake.fail_next("whatsapp", 429, retry_after=1)  # a wait three times the lease
        assert sender.lease.hold()
        sending = threading.Thread(target=sender.catch_up)
        sending.start()
        taken = []
        while sending.is_alive():
            taken.append(standby.lease.hold())
            time.sleep(0.05)
        sending.join()
        assert len(taken) > 5 and not any(taken), "nobody took over while the sender waited"
        assert delivery_of(wired_container, message_id) is not None
        assert len(fake.sent("whatsapp", "messages")) == 1
    finally:
        standby.close()
        rival.close()
        sender.close()


def test_a_reply_that_cannot_be_rendered_is_recorded_as_failed_and_the_rest_go_out(
    wired_container: Container, worker: DeliveryWorker, fake: FakeProviders
) -> None:
    broken = f"wamid.{next(_ids)}"
    wired_container.service.handle(Inbound("whatsapp", broken, KARIM_WA_ID, text="Bonjour", reply_to={}))
    reply_by_whatsapp(wired_container, "aide")
    worker.catch_up()
    broken_view, sent_view = wired_container.audit.deliveries(wired_container.audit.resolve(KARIM))
    assert (broken_view.outcome, broken_view.error) == ("failed", "KeyError: 'to'")
    assert sent_view.outcome == "delivered"
    assert len(fake.sent("whatsapp", "messages")) == 1


def test_the_delivery_lag_is_shown_beside_the_projections(
    wired_container: Container, worker: DeliveryWorker
) -> None:
    reply_by_whatsapp(wired_container)
    before = wired_container.delivery_status()
    assert (before.position, before.lag) == (0, before.head)
    worker.catch_up()
    worker.catch_up()  # as the worker's next poll does: past the deliveries it recorded itself
    wired_container.settings = wired_container.settings.model_copy(update={"api_token": SecretStr("t")})
    with TestClient(create_app(wired_container)) as client:
        shown = client.get("/projections", headers={"Authorization": "Bearer t"}).json()["delivery"]
    assert shown["lag"] == 0
    assert shown["position"] == shown["head"] >= before.head
