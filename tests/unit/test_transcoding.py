"""The faster transcoder writes exactly the bytes the library's does, and reads them back alike."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


_KEYS = st.one_of(
    st.text(max_size=8), st.integers(-5, 5), st.floats(allow_nan=False), st.none(), st.booleans()
)
_ZONES = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-3, minutes=-30))]
)
_SCALARS = st.one_of(
    st.text(st.characters(codec=None), max_size=12),  # surrogates too: both must refuse them alike
    st.integers(),  # past 64 bits too
    st.floats(),  # NaN, infinities, 1e-05, 1e+16
    st.booleans(),
    st.none(),
    st.datetimes(timezones=_ZONES),
    st.uuids(),
    st.decimals(allow_nan=False, places=2),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=10), _VALUES, max_size=6))
@example({"small": 1e-05, "large": 1e16, "tiny": -1.5e-09, "zero": -0.0, "edge": 0.0001})
@example({"at": datetime(1, 1, 1, tzinfo=UTC), "whole": datetime(2026, 1, 1, 8, 30, tzinfo=UTC)})
@example({"deep": [{"at": datetime(2026, 1, 1, tzinfo=UTC)}, (uuid4(), {"n": 2**64})]})
def test_same_bytes_or_the_same_refusal_as_the_library_for_any_state(state: dict[str, Any]) -> None:
    library = _registered(JSONTranscoder())
    ours = _registered(ConvoTranscoder())
    try:
        expected = library.encode(state)
    except Exception as refusal:
        with pytest.raises(type(refusal)):
            ours.encode(state)
        return
    assert ours.encode(state) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=-1e20, max_value=1e20) | st.floats(min_value=-1e-3, max_value=1e-3)))
def test_floats_are_written_as_their_repr(floats: list[float]) -> None:
    ours = _registered(ConvoTranscoder())
    assert ours.encode({"floats": floats}) == _registered(JSONTranscoder()).encode({"floats": floats})


def test_datetimes_and_uuids_are_written_without_the_library_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _registered(ConvoTranscoder())
    expected = ours.encode(STATES[1] | {"id": UUID(int=7), "naive": datetime(2026, 1, 1, 8, 30)})

    def refuse(*_args: Any) -> Any:
        raise AssertionError("written through the library's transcoding")

    monkeypatch.setattr(DatetimeAsISO, "encode", refuse)
    monkeypatch.setattr(UUIDAsHex, "encode", refuse)
    state = STATES[1] | {"id": UUID(int=7), "naive": datetime(2026, 1, 1, 8, 30)}
    assert ours.encode(state) == expected
    assert b'"id":{"_type_":"uuid_hex","_data_":"00000000000000000000000000000007"}' in expected
    assert b'"naive":{"_type_":"datetime_iso","_data_":"2026-01-01T08:30:00"}' in expected


def test_another_transcoding_of_datetimes_is_used_when_registered() -> None:
    class DatetimeAsTimestamp(DatetimeAsISO):
        name = "datetime_timestamp"

        def encode(self, obj: datetime) -> str:
            return str(obj.timestamp())

    ours = _registered(ConvoTranscoder())
    ours.register(DatetimeAsTimestamp())
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert (
        ours.encode({"at": at})
        == b'{"at":{"_type_":"datetime_timestamp","_data_":"%s"}}' % str(at.timestamp()).encode()
    )
