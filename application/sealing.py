"""Personal values are sealed in the log with their subject's keys; the rest stays in clear.

An event's fields are split when it is stored: the ones named in `CLEAR_FIELDS`
(event structure: sessions, times, intents, tools, outcomes, counts) stay readable,
everything else is encrypted (AES-GCM) with a key of the person the event is about,
the key of the session it belongs to where it names one. A field is personal unless
it is listed, so a new field is protected until someone decides otherwise.

Beside the ciphertext goes the values' shape (strings as "[erased]", numbers 0,
lists empty, a dict's keys): once the key is destroyed, an event still loads (the
audit shows its structure, an aggregate replays) without any of its content.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoder, find_id_convertor
from eventsourcing.utils import get_topic, resolve_topic

from application.random_bytes import random_bytes
from application.transcoding import SEALED, decode_fast, restore_typed
from domain.conversation import Conversation
from domain.receipt import ERASED_TEXT

ERASED = ERASED_TEXT
SUBJECT_SCOPE = "subject"  # what is not said in a session: who the person is, deliveries

CLEAR_FIELDS = frozenset(
    {
        "timestamp", "originator_topic", "class_version", "topic",
        "session_id", "number", "at", "closed_at", "opened_at", "reason",
        "intent", "confidence", "source", "layer", "tool", "succeeded", "accepted",
        "status", "previous_status", "change_id", "task_id", "project_id", "reference",
        "channel", "delivered", "attempts", "listing_kind", "awaiting", "offered_in_session",
        "kind", "mime_type", "size", "media_id", "language",
        "conversation_id", "delivery_id", "scoped_to_sender",
    }
)  # fmt: skip


class Keyring(Protocol):
    """The data keys of every subject, by their ids; destroying one shreds what it sealed."""

    def sealing_key(self, subject: UUID, scope: str) -> tuple[UUID, Aead]:
        """The live key of a subject's scope, made when there is none."""
        ...

    def opening_key(self, key_id: UUID) -> Aead | None:
        """None once the key is destroyed."""
        ...

    def writing_as(self, subject: UUID, since: int) -> None:
        """The next writes of `subject` belong to the person who began at version `since` of
        its conversation: keys held for another (an erased one) must not seal them."""
        ...

    def load(self, key_ids: Iterable[UUID]) -> None:
        """Reads many keys at once, so that `opening_key` finds them (a rebuild, an export)."""
        ...


class Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class SealingMapper(Mapper[UUID]):
    """The library's mapper, with a subject's personal values sealed in each stored state."""

    def __init__(self, transcoder: Transcoder, keyring: Keyring, nonces: Callable[[], bytes]) -> None:
        super().__init__(transcoder)
        self.keyring = keyring
        self._nonce = nonces
        self._writes_json = isinstance(transcoder, JSONTranscoder)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self._stored(domain_event, {})

    def to_stored_events(self, domain_events: Iterable[DomainEventProtocol[UUID]]) -> list[StoredEvent]:
        """What `to_stored_event` gives for each: a turn's events, most of them sealed with the
        same key of the same person, look it up once."""
        keys: dict[tuple[UUID, str], tuple[bytes, Aead]] = {}
        return [self._stored(domain_event, keys) for domain_event in domain_events]

    def _stored(
        self, domain_event: DomainEventProtocol[UUID], keys: dict[tuple[UUID, str], tuple[bytes, Aead]]
    ) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id: UUID = state.pop("originator_id")
        originator_version: int = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        subject = subject_of(domain_event, originator_id, state)
        if subject is None:
            encoded = self.transcoder.encode(state)
        else:
            encoded = self._sealed(state, subject, keys, _associated(originator_id, originator_version))
        # As the library's frozen dataclass is made, without its __init__'s per-field setattr.
        stored: StoredEvent = object.__new__(StoredEvent)
        object.__setattr__(
            stored,
            "__dict__",
            {
                "originator_id": originator_id,
                "originator_version": originator_version,
                "topic": get_topic(type(domain_event)),
                "state": encoded,
            },
        )
        return stored

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        # Read for every event that brings a cached conversation up to date: the fast decoder.
        state = decode_fast(self.transcoder, stored_event.state)
        if SEALED in state:
            self.open_into(state, stored_event.originator_id, stored_event.originator_version)
        convert = find_id_convertor(cls, cast(Hashable, type(stored_event.originator_id)))
        state["originator_id"] = convert(stored_event.originator_id)
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return cast(DomainEventProtocol[UUID], domain_event)

    def open_into(self, state: dict[str, Any], originator_id: UUID | str, version: int) -> bool:
        """Puts the sealed values back into a decoded state, or their erased shape; True if opened."""
        envelope = state.pop(SEALED)
        cipher = self.keyring.opening_key(_key_id(envelope["k"]))
        if cipher is not None:
            sealed = base64.b64decode(envelope["c"])
            plain = cipher.decrypt(sealed[:12], sealed[12:], _associated(originator_id, version))
            state.update(decode_fast(self.transcoder, plain))
            return True
        state.update(restore_typed(self.transcoder, envelope["s"]))
        return False

    def load_keys(self, envelopes: Iterable[dict[str, Any]]) -> None:
        """Has the keyring read the keys of these sealed values in one go."""
        self.keyring.load({_key_id(envelope["k"]) for envelope in envelopes})

    def _sealed(
        self,
        state: dict[str, Any],
        subject: tuple[UUID, str],
        keys: dict[tuple[UUID, str], tuple[bytes, Aead]],
        aad: bytes,
    ) -> bytes:
        """The state encoded, its personal values sealed under the `SEALED` key, last."""
        clear: dict[str, Any] = {}
        personal: dict[str, Any] = {}
        shape: dict[str, Any] = {}
        for name, value in state.items():
            if name in CLEAR_FIELDS or value is None:
                clear[name] = value
            else:
                personal[name] = value
                # Most personal values are texts: their shape without a call.
                shape[name] = ERASED if type(value) is str else erased_shape(value)
        encode = self.transcoder.encode
        if not personal:
            return encode(clear)  # no key is made for it
        key = keys.get(subject)
        if key is None:
            key_id, aead = self.keyring.sealing_key(*subject)
            key = keys[subject] = (key_id.hex.encode("ascii"), aead)
        key_hex, cipher = key
        nonce = self._nonce()
        sealed = nonce + cipher.encrypt(nonce, encode(personal), aad)
        if not self._writes_json:  # another format: the envelope goes through its encoder
            clear[SEALED] = {
                "k": key_hex.decode("ascii"),
                "c": binascii.b2a_base64(sealed, newline=False).decode("ascii"),
                "s": shape,
            }
            return encode(clear)
        # The envelope is written as the JSON encoder would write it, but not handed to it:
        # the ciphertext, the longest string of the state, has nothing to escape.
        envelope = b"".join(
            (
                _ENVELOPE_OPENS,
                key_hex,
                b'","c":"',
                binascii.b2a_base64(sealed, newline=False),
                b'","s":',
                encode(shape),
                b"}}",
            )
        )
        head = encode(clear)  # "{...}"
        return head[:-1] + (b"," if len(head) > 2 else b"") + envelope


def subject_of(event: object, originator_id: UUID, state: dict[str, Any]) -> tuple[UUID, str] | None:
    """Whose data an event holds, and the key scope: its session, else the subject's own."""
    if isinstance(event, Snapshot):
        return (originator_id, SUBJECT_SCOPE) if state.get("topic") == _CONVERSATION_TOPIC else None
    if isinstance(event, Conversation.Event):
        subject = originator_id
    else:
        found = state.get("conversation_id")
        if found is None:
            return None
        subject = found if isinstance(found, UUID) else UUID(str(found))
    session = state.get("session_id")
    return subject, str(session) if session else SUBJECT_SCOPE


def erased_shape(value: Any, depth: int = 0) -> Any:
    """What a value reads as once its key is gone: its type, and a dict's keys one level down.

    Enough for an aggregate to replay (a reply's `choices`, a snapshot's attributes) and
    for the audit to show structure; kept small, since it is stored beside every ciphertext.
    """
    kind = type(value)  # exact types first: this runs for every personal value written
    if kind is str:
        return ERASED
    if kind is dict:
        if depth > 0:
            return {}
        # Structure stays structure (a snapshot's class version, a session's number).
        return {
            key: item if key in CLEAR_FIELDS else erased_shape(item, depth + 1) for key, item in value.items()
        }
    if kind is list or kind is tuple:
        return []
    if value is None or kind is bool:
        return value
    if kind is int or kind is float:
        return 0
    if isinstance(value, str):
        return ERASED
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return 0
    if isinstance(value, dict):
        return erased_shape(dict(value), depth)
    if isinstance(value, list | tuple):
        return []
    return value  # datetimes, UUIDs: structure, not content


@lru_cache(maxsize=4096)
def _key_id(text: str) -> UUID:
    return UUID(text)  # parsed once for the many values a key sealed


def _associated(originator_id: UUID | str, version: int) -> bytes:
    # Binds a ciphertext to its event: it cannot be moved to another one.
    identity = originator_id.bytes if isinstance(originator_id, UUID) else UUID(originator_id).bytes
    return identity + version.to_bytes(8, "big")


_CONVERSATION_TOPIC = get_topic(Conversation)
_ENVELOPE_OPENS = b'"' + SEALED.encode("ascii") + b'":{"k":"'


def random_nonce() -> bytes:
    return random_bytes(12)
