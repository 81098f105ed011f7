"""Many Telegram users linked to subcontractors, each chatting greeting → sites → a site."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

from fastapi.testclient import TestClient

from infrastructure.database import Database
from tests.fake_providers import FakeProviders
from tests.provider_payloads import TG_SECRET, tg_message, tg_press

FIRST_USER = 200_000_001
SITES = [("P-TIL", "Résidence Les Tilleuls"), ("P-VAL", "Éco-quartier du Vallon")]  # from the demo data


class TelegramUser(NamedTuple):
    user_id: int  # also the id of their private chat with the bot
    phone: str  # the subcontractor's, which names the conversation


def link_telegram_users(database: Database, count: int) -> list[TelegramUser]:
    """Registers `count` subcontractors with a Telegram account each, on two demo sites."""
    users = [TelegramUser(FIRST_USER + n, f"+3367{n:07d}") for n in range(count)]
    with database.transaction() as cursor:
        for n, user in enumerate(users):
            subcontractor = f"S-TG-{n:03d}"
            cursor.execute(
                "INSERT INTO subcontractors (id, phone, name, company, language, telegram_user_id) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (subcontractor, user.phone, f"Ouvrier {n}", f"Entreprise {n}", "fr", str(user.user_id)),
            )
            for project, _ in SITES:
                cursor.execute(
                    "INSERT INTO assignments (subcontractor_id, project_id) VALUES (%s, %s)",
                    (subcontractor, project),
                )
    return users


def post_update(client: TestClient, update: dict[str, Any]) -> None:
    headers = {"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    response = client.post("/webhooks/telegram", content=json.dumps(update).encode(), headers=headers)
    assert response.status_code == 200, response.text


def sent_to_chat(fake: FakeProviders, user: TelegramUser) -> list[dict[str, Any]]:
    return [m for m in fake.sent("telegram", "sendMessage") if m["chat_id"] == str(user.user_id)]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [row[0] for row in message["reply_markup"]["inline_keyboard"]]


def chat_greeting_sites_site(
    client: TestClient, fake: FakeProviders, users: list[TelegramUser], deliver: Callable[[int], None]
) -> None:
    """Every user greets, opens their sites, then picks the one shown first, like a person:
    each step after the previous reply arrived. `deliver(n)` returns once `n` replies were sent."""
    for user in users:
        post_update(client, tg_message("Bonjour", user_id=user.user_id))
    deliver(len(users))
    for user in users:
        menu = buttons(sent_to_chat(fake, user)[-1])
        post_update(client, tg_press("menu.sites", menu, user_id=user.user_id))
    deliver(2 * len(users))
    for user in users:
        sites = buttons(sent_to_chat(fake, user)[-1])
        first_site = next(b["callback_data"] for b in sites if b["callback_data"].startswith("project."))
        post_update(client, tg_press(first_site, sites, user_id=user.user_id))
    deliver(3 * len(users))


def assert_each_chat_got_each_reply_once(fake: FakeProviders, users: list[TelegramUser]) -> None:
    expected = Counter({str(user.user_id): 3 for user in users})
    assert fake.sent_to("telegram") == expected, "every reply exactly once"
    for user in users:
        greeting, sites, site = [m["text"] for m in sent_to_chat(fake, user)]
        assert greeting.startswith("Bonjour Ouvrier"), greeting
        assert sites.startswith("Vos chantiers (2)"), sites
        assert site.startswith(SITES[0][1]), site
    presses = [body["callback_query_id"] for body in fake.sent("telegram", "answerCallbackQuery")]
    assert len(presses) == len(set(presses)) == 2 * len(users), "every press answered once"
