"""The fake chat providers answer like WhatsApp and Telegram over real HTTP, and record what they got."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fake_providers import FakeProviders, Received

WA_PATH = "/v21.0/1234567890/messages"
WA_AUTH = {"Authorization": "Bearer wa-token"}
WA_BODY = {"messaging_product": "whatsapp", "to": "33612345678", "type": "text", "text": {"body": "Bonjour"}}
TG = "/bot123:tg-token"


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as running:
        yield running


@pytest.fixture
def http(fake: FakeProviders) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.base_url, timeout=5.0) as client:
        yield client


def test_whatsapp_send_answers_like_meta_and_is_recorded(fake: FakeProviders, http: httpx.Client) -> None:
    first = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)
    second = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)

    assert first.status_code == 200
    answer = first.json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "33612345678", "wa_id": "33612345678"}]
    assert answer["messages"][0]["id"].startswith("wamid.")
    assert answer["messages"][0]["id"] != second.json()["messages"][0]["id"]
    assert fake.sent("whatsapp", "messages") == [WA_BODY, WA_BODY]
    received = fake.received("whatsapp")[0]
    assert received == Received("whatsapp", "messages", WA_PATH, received.headers, WA_BODY)
    assert received.headers["authorization"] == "Bearer wa-token"


def test_whatsapp_wrong_or_missing_token_is_refused_and_not_sent(
    fake: FakeProviders, http: httpx.Client
) -> None:
    wrong = http.post(WA_PATH, json=WA_BODY, headers={"Authorization": "Bearer nope"})
    missing = http.post(WA_PATH, json=WA_BODY)

    for answer in (wrong, missing):
        assert answer.status_code == 401
        assert answer.json()["error"]["type"] == "OAuthException"
        assert answer.json()["error"]["code"] == 190
    assert len(fake.received("whatsapp", "messages")) == 2
    assert fake.sent("whatsapp", "messages") == []


def test_scripted_500_is_answered_once_then_sends_succeed(fake: FakeProviders, http: httpx.Client) -> None:
    fake.fail_next("whatsapp", 500)

    failed = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)
    retried = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)

    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == 131000
    assert retried.status_code == 200
    assert len(fake.received("whatsapp")) == 2
    assert fake.sent("whatsapp", "messages") == [WA_BODY]


def test_telegram_message_ids_increase_and_echo_the_chat(fake: FakeProviders, http: httpx.Client) -> None:
    answers = [http.post(f"{TG}/sendMessage", json={"chat_id": 42, "text": f"n{i}"}).json() for i in range(3)]

    assert all(answer["ok"] is True for answer in answers)
    ids = [answer["result"]["message_id"] for answer in answers]
    assert ids == sorted(set(ids))
    assert answers[1]["result"]["chat"] == {"id": 42}
    assert answers[1]["result"]["text"] == "n1"
    assert abs(answers[0]["result"]["date"] - time.time()) < 60
    assert [body["text"] for body in fake.sent("telegram", "sendMessage")] == ["n0", "n1", "n2"]


def test_telegram_wrong_token_and_unknown_path(fake: FakeProviders, http: httpx.Client) -> None:
    refused = http.post("/bot999:other/sendMessage", json={"chat_id": 42, "text": "hi"})
    unknown = http.post("/nowhere", json={})

    assert refused.status_code == 401
    assert refused.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/json"
    assert fake.sent("telegram", "sendMessage") == []


def test_answer_callback_query(fake: FakeProviders, http: httpx.Client) -> None:
    answer = http.post(f"{TG}/answerCallbackQuery", json={"callback_query_id": "cb-1"})

    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "result": True}
    assert fake.sent("telegram", "answerCallbackQuery") == [{"callback_query_id": "cb-1"}]
    assert fake.sent("telegram", "sendMessage") == []


def test_retry_after_is_in_the_header_and_in_telegram_parameters(
    fake: FakeProviders, http: httpx.Client
) -> None:
    fake.fail_next("telegram", 429, retry_after=7)
    fake.fail_next("whatsapp", 429, retry_after=3)

    telegram = http.post(f"{TG}/sendMessage", json={"chat_id": 42, "text": "hi"})
    whatsapp = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)

    assert telegram.status_code == 429
    assert telegram.headers["retry-after"] == "7"
    assert telegram.json()["parameters"] == {"retry_after": 7}
    assert telegram.json()["error_code"] == 429
    assert whatsapp.status_code == 429
    assert whatsapp.headers["retry-after"] == "3"
    assert whatsapp.json()["error"]["code"] == 130429


def test_wait_for_returns_sends_from_another_thread_and_times_out_with_a_reason(
    fake: FakeProviders, http: httpx.Client
) -> None:
    fake.delay_next("telegram", 0.3)
    sender = threading.Thread(
        target=http.post, args=(f"{TG}/sendMessage",), kwargs={"json": {"chat_id": 1, "text": "late"}}
    )
    sender.start()

    assert fake.sent("telegram", "sendMessage") == []
    assert fake.wait_for(1, "telegram", "sendMessage", timeout=5.0) == [{"chat_id": 1, "text": "late"}]
    sender.join()
    started = time.monotonic()
    with pytest.raises(AssertionError, match="expected 2 successful telegram sendMessage"):
        fake.wait_for(2, "telegram", "sendMessage", timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 2.0


def test_shutdown_does_not_wait_out_a_delayed_answer() -> None:
    with FakeProviders() as fake:
        fake.delay_next("whatsapp", 30.0)
        client = httpx.Client(base_url=fake.base_url, timeout=1.0)
        with pytest.raises(httpx.ReadTimeout):
            client.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)
        client.close()
        started = time.monotonic()
    assert time.monotonic() - started < 5.0
    assert len(fake.received("whatsapp")) == 1
    assert fake.sent("whatsapp", "messages") == []
