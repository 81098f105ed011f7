"""Encoding and decoding stored JSON states faster than the library's transcoder, to the same
bytes and values."""

from __future__ import annotations

from collections.abc import Callable
from json import encoder as json_encoder
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoder

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
    """The library's JSON transcoder, encoding to the same bytes with one C encoder made once.

    The library's `json.JSONEncoder.encode` makes a C encoder on every call and has it
    track every container it enters, against cycles that event states never have:
    about three times the work for an event.
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

    def encode(self, obj: Any) -> bytes:
        if self._chunks is None:  # no C accelerator here (another Python): the library's way
            return super().encode(obj)
        return "".join(self._chunks(obj, 0)).encode("utf8")
