"""Data keys in the database: one live key per subject and scope, even when created in a race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.identity import conversation_id_for, session_id_for
from infrastructure.bootstrap import Container, build
from infrastructure.keys.configured import master_key_of
from infrastructure.keys.sql_keyring import SqlKeyring
from tests.conftest import FakeClock
from tests.turns import KARIM, say


def _keyring(container: Container, **options: int) -> SqlKeyring:
    return SqlKeyring(
        container.database, master_key_of(container.settings), lambda: datetime.now(UTC), **options
    )


def test_racing_processes_agree_on_one_live_key(container: Container) -> None:
    subject = uuid4()
    keyrings = [_keyring(container) for _ in range(6)]
    found: list[UUID] = []
    start = threading.Barrier(len(keyrings))

    def create(keyring: SqlKeyring) -> None:
        start.wait()
        found.append(keyring.sealing_key(subject, "s-1")[0])

    threads = [threading.Thread(target=create, args=(k,)) for k in keyrings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1
    rows = container.database.fetch_all(
        "SELECT key_id FROM subject_keys WHERE conversation_id = %s", (subject,)
    )
    assert len(rows) == 1


def test_a_bounded_cache_still_opens_what_it_evicted_and_never_a_destroyed_key(container: Container) -> None:
    keyring = _keyring(container, max_cached=10)
    sealed = {}
    for _ in range(40):
        subject = uuid4()
        key_id, aead = keyring.sealing_key(subject, "subject")
        nonce = b"\0" * 12
        sealed[subject] = (key_id, nonce, aead.encrypt(nonce, b"secret", None))
    assert len(keyring._by_id) <= 10 and len(keyring._live) <= 10
    for key_id, nonce, ciphertext in sealed.values():
        opening = keyring.opening_key(key_id)
        assert opening is not None and opening.decrypt(nonce, ciphertext, None) == b"secret"

    victim = next(iter(sealed))
    with container.database.transaction() as cursor:
        assert keyring.shred(cursor, victim, "erasure") == 1
    assert keyring.opening_key(sealed[victim][0]) is None
    fresh = _keyring(container)  # another process, nothing cached
    assert fresh.opening_key(sealed[victim][0]) is None
    assert fresh.sealing_key(victim, "subject")[0] != sealed[victim][0]  # a new subject's key


def test_the_bounded_cache_drops_the_keys_used_least_recently(container: Container) -> None:
    keyring = _keyring(container, max_cached=3)
    first, second, third, fourth = (uuid4() for _ in range(4))
    first_key = keyring.sealing_key(first, "s-1")[0]
    keyring.sealing_key(second, "s-1")
    keyring.sealing_key(third, "s-1")
    assert keyring.sealing_key(first, "s-1")[0] == first_key  # used again: the most recent now
    assert keyring.opening_key(first_key) is not None
    keyring.sealing_key(fourth, "s-1")
    assert set(keyring._live) == {first, third, fourth}
    assert first_key in keyring._by_id and len(keyring._by_id) == 3


def test_cached_keys_are_kept_as_their_bytes_and_every_use_gets_a_working_cipher(
    container: Container,
) -> None:
    # A cipher object holds about 2.5 KiB outside Python's heap: thousands of them were most of a
    # worker's memory. The 32 bytes of the key are what is kept.
    keyring = _keyring(container)
    subject = uuid4()
    key_id, sealing = keyring.sealing_key(subject, "s-1")
    nonce = b"\1" * 12
    sealed = sealing.encrypt(nonce, b"secret", b"aad")
    held = [data_key for sealing in keyring._live.values() for _, data_key in sealing.keys.values()]
    assert held and all(isinstance(data_key, bytes) and len(data_key) == 32 for data_key in held)
    assert all(isinstance(data_key, bytes) for data_key, _ in keyring._by_id.values())
    opening = keyring.opening_key(key_id)
    assert opening is not None and opening.decrypt(nonce, sealed, b"aad") == b"secret"
    assert keyring.sealing_key(subject, "s-1")[1].decrypt(nonce, sealed, b"aad") == b"secret"


def test_a_process_that_only_meets_the_restarted_conversation_seals_with_the_new_persons_key(
    container: Container, clock: FakeClock
) -> None:
    other = build(container.settings, clock=clock)  # another process: its own caches
    conversation_id = conversation_id_for(KARIM)
    try:
        say(other.service, "Bonjour", message_id="before")
        # A turn of the other process that opened the next session lost its race: the key it
        # made for that session stays in its cache, and the erasure destroys it.
        loaded = other.store.conversation(KARIM)
        assert loaded is not None
        next_session = str(session_id_for(conversation_id, loaded.sessions_opened + 1))
        other._keys().sealing_key(conversation_id, next_session)
        container.eraser().forget(KARIM, "ticket-1")
        say(container.service, "Bonjour", message_id="restart")  # a new person, in that next session
        # The other process never meets the conversation erased, only restarted.
        say(other.service, "mes chantiers", message_id="after")
    finally:
        other.close()
    fresh = build(container.settings, clock=clock)  # nothing cached
    try:
        records = fresh.audit.events(conversation_id, limit=1_000).items
    finally:
        fresh.close()
    erased_at = max(r.version for r in records if r.type == "Erased")
    said = [r.payload["text"] for r in records if r.type == "MessageReceived" and r.version > erased_at]
    assert said == ["Bonjour", "mes chantiers"]  # sealed with a destroyed key, it would read as erased


def test_a_worker_keeps_the_keys_of_as_many_people_as_it_keeps_conversations(
    container: Container, clock: FakeClock
) -> None:
    # Twice as many kept a worker's memory growing long after its conversations stopped.
    worker = build(container.settings.model_copy(update={"aggregate_cache_size": 3}), clock=clock)
    try:
        keyring = worker._keys()
        subjects = [uuid4() for _ in range(5)]
        for subject in subjects:
            keyring.sealing_key(subject, "s-1")
        assert list(keyring._live) == subjects[-3:]
        assert len(keyring._by_id) == 3
    finally:
        worker.close()
