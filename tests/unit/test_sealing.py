"""Which fields are sealed, what an erased event reads as, and that ciphertexts stay put."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, StoredEvent, Transcoder, UUIDAsHex

from application.sealing import ERASED, SUBJECT_SCOPE, SealingMapper, erased_shape, random_nonce
from application.transcoding import SEALED, ConvoTranscoder
from domain.conversation import Conversation
from domain.receipt import MessageReceipt
from domain.values import Reply

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class MemoryKeyring:
    def __init__(self) -> None:
        self.live: dict[tuple[UUID, str], UUID] = {}
        self.keys: dict[UUID, AESGCM] = {}

    def sealing_key(self, subject: UUID, scope: str) -> tuple[UUID, AESGCM]:
        key_id = self.live.setdefault((subject, scope), uuid4())
        aead = self.keys.setdefault(key_id, AESGCM(AESGCM.generate_key(bit_length=256)))
        return key_id, aead

    def opening_key(self, key_id: UUID) -> AESGCM | None:
        return self.keys.get(key_id)

    def load(self, key_ids: Iterable[UUID]) -> None:
        pass

    def writing_as(self, subject: UUID, since: int) -> None:
        pass

    def shred(self, subject: UUID) -> None:
        for (owner, _scope), key_id in list(self.live.items()):
            if owner == subject:
                self.keys.pop(key_id, None)


def _mapper(keyring: MemoryKeyring, transcoder: JSONTranscoder | None = None) -> SealingMapper:
    transcoder = transcoder or JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    return SealingMapper(transcoder, keyring, random_nonce)


def _conversation() -> Conversation:
    conversation = Conversation(
        contact="+33600000001", subcontractor_id="S-001", language="fr", message_id="wamid.A", at=AT
    )
    conversation.begin_turn(message_id="wamid.A", at=AT, idle_timeout=timedelta(hours=1))
    conversation.receive_message(message_id="wamid.A", text="fuite au sous-sol", at=AT)
    return conversation


def test_personal_fields_are_sealed_and_structure_stays_clear() -> None:
    keyring = MemoryKeyring()
    mapper = _mapper(keyring)
    events = _conversation().collect_events()
    stored = [mapper.to_stored_event(e) for e in events]
    started, opened, received = (json.loads(s.state) for s in stored)
    assert "contact" not in started and "subcontractor_id" not in started and started["language"] == "fr"
    assert set(started[SEALED]["s"]) == {"contact", "subcontractor_id", "message_id"}
    assert opened["number"] == 1 and "session_id" in opened and "message_id" not in opened
    assert "text" not in received and received["session_id"] == opened["session_id"]
    assert b"fuite" not in stored[2].state and b"33600000001" not in stored[0].state
    # Who the person is goes under their subject key, what they said under the session's.
    assert (events[0].originator_id, SUBJECT_SCOPE) in keyring.live
    assert (events[0].originator_id, opened["session_id"]) in keyring.live

    opened_again = [mapper.to_domain_event(s) for s in stored]
    assert vars(opened_again[2])["text"] == "fuite au sous-sol"
    assert vars(opened_again[0])["contact"] == "+33600000001"


def test_once_the_keys_are_destroyed_events_load_with_their_shape_only() -> None:
    keyring = MemoryKeyring()
    mapper = _mapper(keyring)
    conversation = _conversation()
    events = conversation.collect_events()
    stored = [mapper.to_stored_event(e) for e in events]
    keyring.shred(conversation.id)

    loaded = [mapper.to_domain_event(s) for s in stored]
    assert vars(loaded[2])["text"] == ERASED and vars(loaded[0])["contact"] == ERASED
    assert vars(loaded[1])["number"] == 1  # structure is intact
    replayed = None
    for event in loaded:
        replayed = event.mutate(replayed)  # an aggregate still replays
    assert isinstance(replayed, Conversation) and replayed.sessions_opened == 1


def test_a_ciphertext_moved_to_another_event_does_not_open() -> None:
    keyring = MemoryKeyring()
    mapper = _mapper(keyring)
    stored = [mapper.to_stored_event(e) for e in _conversation().collect_events()]
    moved = StoredEvent(
        originator_id=stored[2].originator_id,
        originator_version=stored[2].originator_version + 1,
        topic=stored[2].topic,
        state=stored[2].state,
    )
    with pytest.raises(InvalidTag):
        mapper.to_domain_event(moved)


def test_receipts_are_sealed_under_their_conversation_and_session() -> None:
    keyring = MemoryKeyring()
    mapper = _mapper(keyring)
    conversation_id = uuid4()
    receipt = MessageReceipt(
        channel="whatsapp",
        provider_message_id="wamid.HBgLMzM2MDAwMDAwMDEVAgASGBQ=",
        conversation_id=conversation_id,
        session_id="s-1",
        reply=Reply(text="Bonjour Karim", style="none", choices=[]),
    )
    state = json.loads(mapper.to_stored_event(receipt.collect_events()[0]).state)
    assert "reply" not in state and "provider_message_id" not in state and state["channel"] == "whatsapp"
    assert (conversation_id, "s-1") in keyring.live


def test_the_erased_shape_keeps_structure_and_drops_content() -> None:
    value = {
        "text": "x",
        "choices": [{"id": "task.T-1", "title": "Pose"}],
        "focus": {"project_id": "P-TIL", "task": {"title": "Pose"}},
        "lat": 48.8,
        "number": 3,
        "ok": True,
    }
    # As the mapper calls it: on each sealed field's value.
    assert {name: erased_shape(field) for name, field in value.items()} == {
        "text": ERASED,
        "choices": [],
        "focus": {"project_id": "P-TIL", "task": {}},
        "lat": 0,
        "number": 0,
        "ok": True,
    }
    assert erased_shape({"number": 3, "title": "x"}) == {"number": 3, "title": ERASED}
    assert erased_shape(["+33600000001"]) == [] and erased_shape("Karim") == ERASED


class CountingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[UUID, str]] = []

    def sealing_key(self, subject: UUID, scope: str) -> tuple[UUID, AESGCM]:
        self.asked.append((subject, scope))
        return super().sealing_key(subject, scope)


def _turn_events() -> list[DomainEventProtocol[UUID]]:
    """A turn's events as a store saves them: the conversation's, then its receipt's."""
    conversation = _conversation()
    conversation.classify_intent(message_id="wamid.A", intent="list_sites", arguments={}, confidence=1.0)
    receipt = MessageReceipt(
        channel="whatsapp",
        provider_message_id="wamid.A",
        conversation_id=conversation.id,
        session_id=conversation.open_session["id"],
        reply=Reply(text="Vos chantiers", style="none", choices=[]),
    )
    return [*conversation.collect_events(), *receipt.collect_events()]


@pytest.mark.parametrize("transcoder", [JSONTranscoder, ConvoTranscoder])
def test_a_turns_events_stored_together_read_as_stored_one_by_one(transcoder: type[JSONTranscoder]) -> None:
    keyring = CountingKeyring()
    mapper = _mapper(keyring, transcoder())
    events = _turn_events()
    together = mapper.to_stored_events(events)
    one_by_one = [mapper.to_stored_event(e) for e in events]
    assert [(s.originator_id, s.originator_version, s.topic) for s in together] == [
        (s.originator_id, s.originator_version, s.topic) for s in one_by_one
    ]
    # Nonces differ: compare what each state opens to, and its clear part.
    for a, b in zip(together, one_by_one, strict=True):
        assert vars(mapper.to_domain_event(a)) == vars(mapper.to_domain_event(b))
        clear_a, clear_b = json.loads(a.state), json.loads(b.state)
        assert clear_a.get(SEALED, {}).get("s") == clear_b.get(SEALED, {}).get("s")
        assert {k: v for k, v in clear_a.items() if k != SEALED} == {
            k: v for k, v in clear_b.items() if k != SEALED
        }
        assert (SEALED in clear_a) == (SEALED in clear_b)
        # The envelope is written beside the encoder: the same bytes as the encoder writes.
        assert mapper.transcoder.encode(mapper.transcoder.decode(a.state)) == a.state


def test_a_turn_asks_for_each_key_once_and_makes_none_for_events_with_nothing_personal() -> None:
    keyring = CountingKeyring()
    mapper = _mapper(keyring)
    events = _turn_events()
    mapper.to_stored_events(events)
    one_by_one = CountingKeyring()
    for event in events:
        _mapper(one_by_one).to_stored_event(event)
    assert len(one_by_one.asked) > len(set(one_by_one.asked))  # event by event, keys are asked again
    assert sorted(keyring.asked) == sorted(set(one_by_one.asked))  # together: each once

    # An event whose personal fields are all empty seals nothing: no key is made for it.
    empty: DomainEventProtocol[UUID] = Conversation.MessageReceived(  # type: ignore[call-arg]
        originator_id=uuid4(),
        originator_version=2,
        timestamp=AT,
        session_id="s-1",
        message_id=None,
        text=None,
        at=AT,
    )
    nothing_personal = CountingKeyring()
    (stored,) = _mapper(nothing_personal).to_stored_events([empty])
    assert SEALED not in json.loads(stored.state) and nothing_personal.asked == []


class SpacedTranscoder(Transcoder):
    """Not the JSON transcoder's bytes (spaces after separators): the envelope must go through it."""

    def __init__(self) -> None:
        self._json = JSONTranscoder()
        self._json.register(UUIDAsHex())
        self._json.register(DatetimeAsISO())
        self._encoder = json.JSONEncoder(default=self._json._encode_obj, separators=(", ", ": "))

    def encode(self, obj: object) -> bytes:
        return self._encoder.encode(obj).encode()

    def decode(self, data: bytes) -> object:
        return self._json.decode(data)


def test_another_transcoders_states_carry_the_envelope_in_its_own_format() -> None:
    keyring = MemoryKeyring()
    mapper = SealingMapper(SpacedTranscoder(), keyring, random_nonce)
    events = _turn_events()
    stored = mapper.to_stored_events(events)
    for event, state in zip(events, stored, strict=True):
        assert b'"_sealed_": {"k": ' in state.state or SEALED not in json.loads(state.state)
        assert vars(mapper.to_domain_event(state)) == vars(event)
