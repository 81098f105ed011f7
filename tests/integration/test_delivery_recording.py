"""A reply the provider took is never sent again because its outcome could not be recorded.

The database itself refuses the writes (a trigger), after the fake provider accepted the message.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from uuid import uuid4

import pytest

from application.inbound import Inbound
from application.phone import TELEGRAM_PREFIX
from domain.delivery import Delivery, OutboundMessage
from domain.identity import telegram_message_key
from infrastructure.bootstrap import Container
from infrastructure.delivery import NAME as DELIVERY
from tests.channels import channel_settings, delivery_lag_shown
from tests.db_faults import refusing_events_of, refusing_position_of
from tests.fake_providers import FakeProviders
from tests.provider_payloads import KARIM_TELEGRAM

SENDERS = ["33600000001", "33600000002", "447700900001"]  # Karim, Sophie, James: three conversations
_ids = itertools.count(1)


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture
def wired(container: Container, fake: FakeProviders) -> Container:
    container.settings = channel_settings(container.settings, fake)
    return container


def reply_to_each(container: Container) -> dict[str, str]:
    """One WhatsApp reply per sender, recorded in the log; returns sender -> inbound message id."""
    message_ids = {}
    for sender in SENDERS:
        message_id = f"wamid.in-{next(_ids)}"
        container.service.handle(
            Inbound("whatsapp", message_id, sender, text="Bonjour", reply_to={"to": sender})
        )
        message_ids[sender] = message_id
    return message_ids


def delivery_of(container: Container, sender: str, message_id: str) -> Delivery | None:
    return container.store.delivery(container.audit.resolve("+" + sender), message_id)


def test_a_reply_whose_outcome_cannot_be_recorded_is_sent_once_and_the_worker_moves_on(
    wired: Container, fake: FakeProviders, caplog: pytest.LogCaptureFixture
) -> None:
    message_ids = reply_to_each(wired)
    karim = SENDERS[0]
    refused = Delivery.create_id(wired.audit.resolve("+" + karim), message_ids[karim])
    worker = wired.delivery_worker()
    try:
        with refusing_events_of(wired, refused), caplog.at_level(logging.ERROR, "application.outcomes"):
            worker.catch_up()  # does not raise: the batch is committed past the unrecorded reply
            worker.catch_up()
        assert fake.sent_to("whatsapp") == dict.fromkeys(SENDERS, 1)
        assert delivery_of(wired, karim, message_ids[karim]) is None
        for other in SENDERS[1:]:
            recorded = delivery_of(wired, other, message_ids[other])
            assert recorded is not None and recorded.delivered, "the other conversations are not held back"
        (logged,) = [r.getMessage() for r in caplog.records if "could not be recorded" in r.getMessage()]
        assert message_ids[karim] in logged and "delivered, provider message ids ['wamid." in logged
        assert "will not be sent again" in logged
        assert delivery_lag_shown(wired, worker) == 0
    finally:
        worker.close()

    successor = wired.delivery_worker()  # another process: it starts from the committed position
    try:
        successor.catch_up()
    finally:
        successor.close()
    assert fake.sent_to("whatsapp") == dict.fromkeys(SENDERS, 1), "sent exactly once each"


def test_while_neither_outcome_nor_position_can_be_written_replays_record_instead_of_sending(
    wired: Container, fake: FakeProviders
) -> None:
    message_ids = reply_to_each(wired)
    karim = SENDERS[0]
    refused = Delivery.create_id(wired.audit.resolve("+" + karim), message_ids[karim])
    worker = wired.delivery_worker()
    try:
        with refusing_events_of(wired, refused), refusing_position_of(wired, DELIVERY):
            for _ in range(3):  # the follower replays the failed batch, again and again
                with pytest.raises(Exception, match="forced failure"):
                    worker.catch_up()
            assert fake.sent_to("whatsapp") == dict.fromkeys(SENDERS, 1)
        worker.catch_up()  # the database is back: the remembered outcome is recorded, nothing sent
        assert fake.sent_to("whatsapp") == dict.fromkeys(SENDERS, 1)
        recorded = delivery_of(wired, karim, message_ids[karim])
        assert recorded is not None and recorded.delivered and recorded.attempts == 1
        sent_to_karim = [b for b in fake.received("whatsapp") if b.body["to"] == karim]
        assert len(sent_to_karim) == 1
        assert delivery_lag_shown(wired, worker) == 0
    finally:
        worker.close()


def test_provider_ids_already_indexed_elsewhere_are_left_out_and_the_reply_is_not_sent_again(
    wired: Container, fake: FakeProviders
) -> None:
    chat = str(KARIM_TELEGRAM)
    first_in_chat = telegram_message_key(chat, "1")  # what Telegram calls the next message in this chat
    # Another delivery already indexed under that id, as colliding per-chat ids could leave behind.
    other = Delivery(
        conversation_id=uuid4(),
        message_id="older",
        channel="telegram",
        delivered=True,
        attempts=1,
        provider_message_ids=[first_in_chat],
        error=None,
        at=wired.clock(),
    )
    wired.store.save(other, OutboundMessage("telegram", first_in_chat, other.id))
    message_id = f"tg-{next(_ids)}"
    wired.service.handle(
        Inbound(
            "telegram", message_id, f"{TELEGRAM_PREFIX}{chat}", text="Bonjour", reply_to={"chat_id": chat}
        )
    )
    worker = wired.delivery_worker()
    try:
        worker.catch_up()
        worker.catch_up()
        assert fake.sent_to("telegram") == {chat: 1}
        recorded = wired.store.delivery(wired.audit.resolve("+33600000001"), message_id)
        assert recorded is not None and recorded.delivered
        assert recorded.provider_message_ids == [first_in_chat]
        indexed = wired.store.delivery_of_provider_message("telegram", first_in_chat)
        assert indexed is not None and indexed.message_id == "older", "the older entry is left as it was"
        assert delivery_lag_shown(wired, worker) == 0
    finally:
        worker.close()
