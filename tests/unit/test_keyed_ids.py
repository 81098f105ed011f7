"""Keyed ids are HMAC-SHA256 of their name, whatever the way it is computed: stored ids never move."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from domain.identity import _keyed_with


def _by_the_standard_library(secret: bytes, name: str) -> UUID:
    digest = bytearray(hmac.new(secret, name.encode(), hashlib.sha256).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80
    digest[8] = (digest[8] & 0x3F) | 0x80
    return UUID(bytes=bytes(digest))


@given(
    # Shorter than a block, a block exactly, and longer (hashed first, as RFC 2104 says).
    secret=st.one_of(
        st.binary(min_size=1, max_size=63),
        st.binary(min_size=64, max_size=64),
        st.binary(min_size=65, max_size=200),
    ),
    name=st.text(max_size=80),
)
def test_a_keyed_id_is_the_hmac_of_its_name(secret: bytes, name: str) -> None:
    assert _keyed_with(secret, name) == _by_the_standard_library(secret, name)


def test_a_known_id_stays_what_it_was() -> None:
    # Computed with hmac.new: a change here would orphan every stored conversation.
    found = _keyed_with(bytes(range(32)), "conversation:+33612345678")
    assert str(found) == "2710a316-d31e-8758-b9e3-45508796d479"
    assert found.version == 8  # "custom": never mistaken for a uuid5
