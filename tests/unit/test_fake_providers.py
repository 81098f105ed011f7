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


def test_telegram_numbers_messages_per_chat_from_1(fake: FakeProviders, http: httpx.Client) -> None:
    def send(chat: int) -> int:
        answer = http.post(f"{TG}/sendMessage", json={"chat_id": str(chat), "text": "hi"}).json()
        assert answer["result"]["chat"] == {"id": chat}, "Telegram answers chat ids as numbers"
        message_id: int = answer["result"]["message_id"]
        return message_id

    assert [send(1), send(2), send(1), send(2), send(3)] == [1, 1, 2, 2, 1]
    assert fake.sent_to("telegram") == {"1": 2, "2": 2, "3": 1}


def test_meta_errors_are_scripted_with_their_real_status_and_body(
    fake: FakeProviders, http: httpx.Client
) -> None:
    fake.fail_next("whatsapp", code=130429)
    fake.fail_next("whatsapp", code=131047)

    throttled = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)
    late = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)

    assert throttled.status_code == late.status_code == 400, "Meta answers throttling with a 400"
    error = throttled.json()["error"]
    assert (error["code"], error["message"], error["type"]) == (
        130429,
        "(#130429) Rate limit hit",
        "OAuthException",
    )
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert "too many messages" in error["error_data"]["details"]
    assert error["fbtrace_id"]
    assert late.json()["error"]["code"] == 131047
    assert fake.sent("whatsapp", "messages") == []


def test_a_failure_can_wait_for_the_method_it_is_meant_for(fake: FakeProviders, http: httpx.Client) -> None:
    fake.fail_next("telegram", 429, retry_after=2, method="sendMessage")

    pressed = http.post(f"{TG}/answerCallbackQuery", json={"callback_query_id": "cb-1"})
    refused = http.post(f"{TG}/sendMessage", json={"chat_id": 42, "text": "hi"})

    assert pressed.status_code == 200
    assert refused.status_code == 429
    assert refused.json()["parameters"] == {"retry_after": 2}


def test_throttling_for_a_while_then_sending_again(fake: FakeProviders, http: httpx.Client) -> None:
    fake.throttle("whatsapp", 0.3)
    refused = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)
    time.sleep(0.35)
    accepted = http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH)

    assert (refused.status_code, refused.json()["error"]["code"]) == (400, 130429)
    assert accepted.status_code == 200
    assert fake.throttled("whatsapp") == 1
    assert fake.sent_to("whatsapp") == {"33612345678": 1}


def test_an_enforced_rate_refuses_what_goes_past_it(fake: FakeProviders, http: httpx.Client) -> None:
    fake.limit_rate("whatsapp", 5)
    statuses = [http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH).status_code for _ in range(8)]
    assert statuses == [200] * 5 + [400] * 3
    assert fake.throttled("whatsapp") == 3
    times = fake.send_times("whatsapp")
    assert len(times) == 5 and times == sorted(times)
    time.sleep(1.0)
    assert http.post(WA_PATH, json=WA_BODY, headers=WA_AUTH).status_code == 200, "a second later"
