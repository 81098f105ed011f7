"""Log lines: masked personal data, JSON or text, and the fields of the context that caused them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from infrastructure.logs import JsonFormatter, TextFormatter, bound, mask_phone, uvicorn_log_config
from infrastructure.settings import Settings


def test_phone_numbers_are_masked_wherever_they_appear() -> None:
    assert mask_phone("+33600000001") == "+336•••••001"
    assert mask_phone("whatsapp:+447700900001 wrote") == "whatsapp:+447••••••001 wrote"
    assert (
        mask_phone("/console/conversations/%2B33600000001/events")
        == "/console/conversations/%2B336•••••001/events"
    )
    assert mask_phone("telegram:100000001") == "telegram:100•••001"
    # Not phone numbers: parts of ids, uuids, versions, short numbers.
    untouched = "e7f506e2-69912345-5617 wamid.HBgL123456789 v12 port 8000 id_123456789"
    assert mask_phone(untouched) == untouched


def _line(formatter: logging.Formatter, **extra: object) -> str:
    record = logging.LogRecord("convo.turns", logging.INFO, __file__, 1, "turn %s", ("handled",), None)
    for name, value in extra.items():
        setattr(record, name, value)
    return formatter.format(record)


def test_json_lines_carry_the_context_and_mask_by_default() -> None:
    with bound(request_id="req-1"):
        line = json.loads(_line(JsonFormatter(), sender="+33600000001", text="fuite au plafond", retries=1))
    assert line["message"] == "turn handled" and line["level"] == "info" and line["logger"] == "convo.turns"
    assert line["request_id"] == "req-1"
    assert line["sender"] == "+336•••••001"
    assert line["text"] == "••• (16 characters)"
    assert line["retries"] == 1
    assert "time" in line


def test_a_setting_shows_personal_data_for_local_debugging() -> None:
    line = json.loads(_line(JsonFormatter(masked=False), sender="+33600000001", text="fuite au plafond"))
    assert line["sender"] == "+33600000001" and line["text"] == "fuite au plafond"


def test_text_lines_are_for_reading() -> None:
    line = _line(TextFormatter(), sender="+33600000001", outcome="handled")
    assert "INFO    convo.turns: turn handled" in line and "sender=+336•••••001 outcome=handled" in line


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_uvicorn_access_lines_become_fields(access_log: io.StringIO) -> None:
    with bound(request_id="req-2"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/conversations/+33600000001/events",
            "1.1",
            200,
        )
    line = json.loads(access_log.getvalue())
    assert line["request_id"] == "req-2" and line["status"] == 200 and line["method"] == "GET"
    assert line["path"] == "/conversations/+336•••••001/events"
    assert "+33600000001" not in access_log.getvalue()


def test_uvicorn_uses_the_same_format() -> None:
    config = uvicorn_log_config(Settings(log_format="json"))
    assert config["formatters"]["convo"]["()"].endswith("JsonFormatter")
    assert config["formatters"]["convo"]["masked"] is True
    assert uvicorn_log_config(Settings(log_format="text"))["formatters"]["convo"]["()"].endswith(
        "TextFormatter"
    )
