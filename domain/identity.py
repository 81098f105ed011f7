"""Deterministic identities: every code path derives the same ids from the same facts."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from uuid import UUID, uuid5

# Fixed forever: changing it would orphan every stored conversation.
CONVO_NAMESPACE = UUID("6f1c2a8e-3b4d-5e6f-8a9b-0c1d2e3f4a5b")
_SHA256_BLOCK = 64


class _IdSecret:
    """The secret ids of people's data are derived with, set once at start (see `use_id_secret`).

    A public derivation (uuid5 of a phone number) would let anyone holding a dump
    find a person's conversation from their number; a keyed hash does not.
    """

    value: bytes | None = None


def use_id_secret(secret: bytes | None) -> None:
    """None keeps the public derivation: for stores written before ids were keyed."""
    _IdSecret.value = secret


def _keyed(name: str) -> UUID:
    return _keyed_with(_IdSecret.value, name)


def _keyed_with(secret: bytes | None, name: str) -> UUID:
    if secret is None:
        return uuid5(CONVO_NAMESPACE, name)
    inner, outer = _hmac_sha256_pads(secret)
    # HMAC-SHA256 (RFC 2104) from copies of the keyed pads: hmac.new and hmac.digest set the key
    # up again on every call, which with OpenSSL 3 costs more than the hashing (2.5 µs, not 1.1).
    keyed = inner.copy()
    keyed.update(name.encode())
    finished = outer.copy()
    finished.update(keyed.digest())
    digest = bytearray(finished.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8: "custom", so it is never mistaken for a uuid5
    digest[8] = (digest[8] & 0x3F) | 0x80
    return UUID(bytes=bytes(digest))


@lru_cache(maxsize=4)
def _hmac_sha256_pads(secret: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """The two SHA-256 states an HMAC with this key starts from."""
    key = hashlib.sha256(secret).digest() if len(secret) > _SHA256_BLOCK else secret
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return (
        hashlib.sha256(bytes(byte ^ 0x36 for byte in key)),
        hashlib.sha256(bytes(byte ^ 0x5C for byte in key)),
    )


def conversation_id_for(contact: str) -> UUID:
    """One conversation per subcontractor contact (E.164 phone number)."""
    return _conversation_id(_IdSecret.value, contact)


# As many people as a worker keeps conversations by default (a few hundred bytes each): a person
# writing again before 2,000 others did skips the hash. Bounded: memory must not grow with callers.
@lru_cache(maxsize=2048)
def _conversation_id(secret: bytes | None, contact: str) -> UUID:
    # Asked several times a turn (its lock, its load, its receipt): a keyed hash each time.
    return _keyed_with(secret, f"conversation:{contact}")


def receipt_id_for(channel: str, provider_message_id: str, sender_scope: UUID | None = None) -> UUID:
    """One receipt per provider message, so a redelivery finds the first answer.

    `sender_scope` (the sender's conversation id) keys the receipt by sender
    too, for channels whose message ids are not unique across senders.
    """
    if sender_scope is None:
        return _receipt_id(_IdSecret.value, f"receipt:{channel}:{provider_message_id}")
    return _receipt_id(_IdSecret.value, f"receipt:{channel}:{sender_scope}:{provider_message_id}")


@lru_cache(maxsize=256)
def _receipt_id(secret: bytes | None, name: str) -> UUID:
    # A turn asks for its receipt's id twice (the change it may decide, the receipt): hashed once.
    return _keyed_with(secret, name)


def change_id_for(receipt_id: UUID) -> UUID:
    """The idempotency key of the change to the world a turn decides: at most one per message."""
    return uuid5(CONVO_NAMESPACE, f"change:{receipt_id}")


def media_id_for(conversation_id: UUID, message_id: str, index: int) -> UUID:
    """A media of a message (the `index`-th), named before its bytes are fetched: every retry of
    the turn names it alike, and a report can carry it while it downloads."""
    return uuid5(CONVO_NAMESPACE, f"media:{conversation_id}:{message_id}:{index}")


def session_id_for(conversation_id: UUID, session_number: int) -> UUID:
    """Sessions are numbered within their conversation, so their ids replay identically."""
    return uuid5(conversation_id, f"session:{session_number}")


def delivery_id_for(conversation_id: UUID, message_id: str) -> UUID:
    """One delivery per reply, and a reply per inbound message: racing senders meet here."""
    return uuid5(CONVO_NAMESPACE, f"delivery:{conversation_id}:{message_id}")


def outbound_message_id_for(channel: str, provider_message_id: str) -> UUID:
    """Finds a delivery from the id a provider gave the message it sent.

    `provider_message_id` must be unique within the channel: a WhatsApp
    `wamid` or a Twilio SID as they are, a Telegram message as
    `telegram_message_key` spells it.
    """
    return _keyed(f"outbound:{channel}:{provider_message_id}")


def telegram_message_key(chat_id: str, message_id: str) -> str:
    """A Telegram message's id across the bot: `message_id` counts from 1 in each chat."""
    return f"{chat_id}:{message_id}"


def problem_reference_for(change_id: UUID) -> str:
    """A short reference a reporter can read out on the phone ("K7QM-2XDA"), fixed by the change."""
    letters = base64.b32encode(change_id.bytes).decode()[:8]
    return f"{letters[:4]}-{letters[4:]}"
