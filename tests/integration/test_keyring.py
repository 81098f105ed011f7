"""Data keys in the database: one live key per subject and scope, even when created in a race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from uuid import UUID, uuid4

from infrastructure.bootstrap import Container
from infrastructure.keys.configured import master_key_of
from infrastructure.keys.sql_keyring import SqlKeyring


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
