"""Encoding and decoding stored JSON states faster than the library's transcoder, to the same
bytes and values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from json import encoder as json_encoder
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Transcoder, Transcoding, UUIDAsHex

_TYPED_VALUE_MARKER = b'"_type_"'
# Where an event's sealed values go (see application/sealing.py): opaque until opened.
SEALED = "_sealed_"
_SEALED_KEY = b'"_sealed_":'


def decode_fast(transcoder: Transcoder, data: bytes) -> dict[str, Any]:
    """What `transcoder.decode(data)` returns, for a state (a JSON object).

    The JSON transcoder writes typed values (datetimes, UUIDs...) as
    {"_type_": name, "_data_": value}. Our events keep those at the top level,
    so only that level is restored, unless the bytes say nested ones exist.
    """
    if not isinstance(transcoder, JSONTranscoder):
        decoded: dict[str, Any] = transcoder.decode(data)
        return decoded
    try:
        payload: dict[str, Any] = orjson.loads(data)
    except orjson.JSONDecodeError:  # what only Python's json reads (NaN, Infinity): the library's way
        return dict(transcoder.decode(data))
    # The sealed values' erased shape, stored last, is restored only if it is ever used.
    sealed_at = data.find(_SEALED_KEY)
    expected = data.count(_TYPED_VALUE_MARKER, 0, sealed_at if sealed_at >= 0 else len(data))
    restored = 0
    for key, value in payload.items():
        if key != SEALED and type(value) is dict and "_type_" in value:
            payload[key] = transcoder.names[value["_type_"]].decode(value["_data_"])
            restored += 1
    if restored != expected:
        payload = {
            key: value if key == SEALED else _restore(transcoder, value) for key, value in payload.items()
        }
    return payload


def restore_typed(transcoder: Transcoder, value: Any) -> Any:
    """Typed values nested in `value` (as the JSON transcoder writes them), restored."""
    return _restore(transcoder, value) if isinstance(transcoder, JSONTranscoder) else value


def _restore(transcoder: JSONTranscoder, value: Any) -> Any:
    if type(value) is dict:
        if "_type_" in value and "_data_" in value:
            return transcoder.names[value["_type_"]].decode(_restore(transcoder, value["_data_"]))
        return {key: _restore(transcoder, item) for key, item in value.items()}
    if type(value) is list:
        return [_restore(transcoder, item) for item in value]
    return value


class ConvoTranscoder(JSONTranscoder):
    """The library's JSON transcoder, encoding to the same bytes faster.

    States made only of what orjson writes exactly as `json` does go through orjson,
    their datetimes and UUIDs spelled out first as the library's transcodings would
    (a datetime costs the library's hook about 2 µs, most of a small event's encoding).
    The rest goes through one C encoder made once: the library's `json.JSONEncoder.encode`
    makes one on every call and has it track every container it enters, against cycles
    that event states never have.
    """

    def __init__(self) -> None:
        super().__init__()
        make: Callable[..., Callable[[Any, int], list[str]]] | None = getattr(
            json_encoder, "c_make_encoder", None
        )
        self._chunks = (
            None
            if make is None
            else make(
                None,  # no cycle tracking
                self._encode_obj,
                json_encoder.encode_basestring,  # what ensure_ascii=False uses
                None,  # no indent
                ":",
                ",",
                False,  # keys not sorted
                False,  # no key skipped
                True,  # NaN allowed, as by default
            )
        )
        self._library_typed = False  # until both of the library's transcodings are registered

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        # orjson writes datetimes as `DatetimeAsISO` does; were another transcoding registered
        # for either type, its values would have to go through it.
        self._library_typed = type(self.types.get(datetime)) is DatetimeAsISO and (
            type(self.types.get(UUID)) is UUIDAsHex
        )

    def encode(self, obj: Any) -> bytes:
        if self._library_typed:
            try:
                return orjson.dumps(_as_orjson_writes_it(obj))
            except (_OrjsonWritesItOtherwiseError, orjson.JSONEncodeError):
                pass  # a value orjson writes otherwise, or refuses (a non-string key, a 65-bit integer)
        if self._chunks is None:  # no C accelerator here (another Python): the library's way
            return super().encode(obj)
        return "".join(self._chunks(obj, 0)).encode("utf8")


class _OrjsonWritesItOtherwiseError(Exception):
    """A value orjson does not write as `json` and the library's transcodings do."""


_DATETIME, _UUID = DatetimeAsISO.name, UUIDAsHex.name
# Within these bounds both write a float as its repr; outside, orjson writes 1e-5 as 0.00001.
_FLOATS_ALIKE_FROM, _FLOATS_ALIKE_BELOW = 1e-4, 1e16


def _as_orjson_writes_it(value: Any) -> Any:
    """`value` itself where orjson writes it as `json` would, else a copy with its datetimes and
    UUIDs as the library's transcodings spell them; _OrjsonWritesItOtherwiseError for anything else.

    Exact types only: a subclass (an enum of strings, a dict subclass) may be written
    differently, and goes the library's way.
    """
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        copy: Any = None
        for key, item in value.items() if kind is dict else enumerate(value):
            item_kind = type(item)
            if item_kind is str or item_kind is int or item_kind is bool or item is None:
                continue  # most values: no call
            spelled = _as_orjson_writes_it(item)
            if spelled is not item:
                if copy is None:
                    copy = dict(value) if kind is dict else list(value)
                copy[key] = spelled
        return value if copy is None else copy
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if value == 0.0 or _FLOATS_ALIKE_FROM <= abs(value) < _FLOATS_ALIKE_BELOW:
            return value  # NaN and infinities fail both tests: orjson writes them as null
        raise _OrjsonWritesItOtherwiseError
    if kind is datetime:
        zone = value.tzinfo
        if zone is UTC or zone is None:  # orjson writes them as isoformat() does
            return {"_type_": _DATETIME, "_data_": value}
        raise _OrjsonWritesItOtherwiseError
    if kind is UUID:
        return {"_type_": _UUID, "_data_": value.hex}
    raise _OrjsonWritesItOtherwiseError
