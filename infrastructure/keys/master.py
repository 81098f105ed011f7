"""The master key: it wraps every data key, and is never stored next to them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
_FINGERPRINT_BYTES = 4

# Only for the embedded SQLite default on a developer's machine: the data it protects
# is demo data. Anything else must be given its own key (see README, "Personal data").
DEVELOPMENT_MASTER_KEY = base64.b64encode(hashlib.sha256(b"convo development master key").digest()).decode()


class MasterKeyError(ValueError):
    """A master key that is missing, malformed, or not the one that wrapped a data key."""


def parse_master_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise MasterKeyError(
            "a master key is 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"
        ) from error
    if len(key) != 32:
        raise MasterKeyError(f"a master key is 32 bytes, this one is {len(key)}")
    return key


def new_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


class MasterKey:
    """Wraps data keys (AES-GCM, bound to their key id); unwraps with any key it was given.

    A wrapped key starts with the fingerprint of the master key that wrapped it, so
    during a rotation the previous keys still open what they wrapped.
    """

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        self.current_key = current
        self._by_fingerprint = {_fingerprint(key): AESGCM(key) for key in (*previous, current)}
        self.fingerprint = _fingerprint(current)

    def wrap(self, key_id: UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._by_fingerprint[self.fingerprint].encrypt(nonce, data_key, key_id.bytes)
        return self.fingerprint + nonce + sealed

    def unwrap(self, key_id: UUID, wrapped: bytes) -> bytes:
        fingerprint = bytes(wrapped[:_FINGERPRINT_BYTES])
        aead = self._by_fingerprint.get(fingerprint)
        if aead is None:
            raise MasterKeyError(
                f"data key {key_id} was wrapped by master key {fingerprint.hex()}, which is not configured "
                "(CONVO_MASTER_KEY, or CONVO_PREVIOUS_MASTER_KEYS during a rotation)"
            )
        nonce = bytes(wrapped[_FINGERPRINT_BYTES : _FINGERPRINT_BYTES + NONCE_BYTES])
        return aead.decrypt(nonce, bytes(wrapped[_FINGERPRINT_BYTES + NONCE_BYTES :]), key_id.bytes)

    def is_current(self, wrapped: bytes) -> bool:
        return bytes(wrapped[:_FINGERPRINT_BYTES]) == self.fingerprint


def _fingerprint(key: bytes) -> bytes:
    return hashlib.sha256(b"convo master key fingerprint" + key).digest()[:_FINGERPRINT_BYTES]
