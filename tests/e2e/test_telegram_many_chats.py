"""Telegram numbers messages per chat from 1: many chats' replies each go out exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infrastructure.bootstrap import Container
from tests.channels import Wired, delivery_lag_shown, wired
from tests.telegram_scenario import (
    assert_each_chat_got_each_reply_once,
    chat_greeting_sites_site,
    link_telegram_users,
)


@pytest.fixture
def telegram(container: Container) -> Iterator[Wired]:
    # The bot-wide pace would make 50 chats' 250 calls last 10 s; pacing is tested on its own.
    with wired(container, telegram_sends_per_second=1000.0) as wiring:
        yield wiring


@pytest.mark.parametrize("count", [2, 50])
def test_every_reply_reaches_its_chat_exactly_once(container: Container, telegram: Wired, count: int) -> None:
    client, worker, fake = telegram
    users = link_telegram_users(container.database, count)

    def deliver(replies: int) -> None:
        worker.catch_up()
        assert len(fake.sent("telegram", "sendMessage")) == replies

    chat_greeting_sites_site(client, fake, users, deliver)
    worker.catch_up()  # nothing left, nothing sent again
    assert_each_chat_got_each_reply_once(fake, users)
    # Every chat's first reply was that chat's message 1: each is recorded under its own chat.
    for user in users:
        deliveries = container.audit.deliveries(container.audit.resolve(user.phone))
        assert [d.provider_message_ids for d in deliveries] == [[f"{user.user_id}:{n}"] for n in (1, 2, 3)]
    assert delivery_lag_shown(container, worker) == 0
