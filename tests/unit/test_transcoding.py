"""The faster transcoder writes exactly the bytes the library's does, and reads them back alike."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex

from application.transcoding import ConvoTranscoder, decode_fast


def _registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


STATES: list[dict[str, Any]] = [
    {},
    {"timestamp": datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "session_id": "s", "number": 3},
    {
        "text": 'Bonjour 👋 « ça va » "quoted" \\ back\nslash \u0000 \u2028',
        "confidence": 0.1 + 0.2,
        "big": 2**70,
        "negative": -1,
        "flags": [True, False, None],
        "nested": {"at": datetime(2026, 1, 1, tzinfo=UTC), "ids": [uuid4(), uuid4()], "deep": {"x": [{}]}},
        "tuple": (1, "two"),
        "amount": Decimal("12.50"),
        "id": uuid4(),
    },
    {"nan": math.nan, "inf": math.inf, "keys": {1: "int key", 2.5: "float key", None: "none key"}},
]


@pytest.mark.parametrize("state", STATES)
def test_same_bytes_as_the_library(state: dict[str, Any]) -> None:
    library = _registered(JSONTranscoder())
    ours = _registered(ConvoTranscoder())
    assert ours.encode(state) == library.encode(state)
    # repr: NaN is not equal to itself.
    assert repr(ours.decode(ours.encode(state))) == repr(library.decode(library.encode(state)))


def test_fast_decoding_reads_what_only_python_reads() -> None:
    ours = _registered(ConvoTranscoder())
    decoded = decode_fast(ours, ours.encode({"confidence": math.nan, "at": datetime(2026, 1, 1, tzinfo=UTC)}))
    assert math.isnan(decoded["confidence"])
    assert decoded["at"] == datetime(2026, 1, 1, tzinfo=UTC)


def test_unregistered_types_are_refused_alike() -> None:
    ours = _registered(ConvoTranscoder())
    with pytest.raises(TypeError):
        ours.encode({"set": {1, 2}})
