"""Data keys in the `subject_keys` table: one live key per subject and scope, destroyed to shred.

Keys read for opening are cached for `cache_seconds`: another process's erasure
reaches this one's reads within that time. Keys used for sealing are kept with the
version at which their person began on the conversation (`writing_as`), until
forgotten or until a turn writes for a person who began elsewhere. A writer meets an
erasure as a version conflict on the conversation (see `Conversation.erase`), waits
for it to finish and forgets the person's keys (see `erasure_finished`); another
process may only ever load the conversation already restarted, and then the version
its new person began at is what tells it the keys it holds are the erased person's.
Asking the database every few seconds would cost a statement per person and scope.

What is cached is the data key itself (32 bytes), not a cipher made from it: a cipher holds
about 2.5 KiB outside Python's heap, and making one takes about 2 microseconds. Both caches
keep the `max_cached` entries used last (people sealing, keys opening; a worker keeps as many as
it keeps conversations): a process meets every person's keys in time, and a person whose keys
were dropped costs a read, as their conversation's load already does.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TypeVar
from uuid import UUID, uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infrastructure.database import Cursor, Database
from infrastructure.database_errors import DatabaseUnavailableError
from infrastructure.keys.master import MasterKey

# Keys read for opening, and people whose keys seal writes, of the sessions active now (where
# no aggregate cache gives the count).
MAX_CACHED_KEYS = 4_000

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(slots=True)
class _Sealing:
    """The keys a process seals one subject's writes with, and the person they belong to."""

    since: int | None  # the version their person began at; None when no turn said it yet
    keys: dict[str, tuple[UUID, bytes]] = field(default_factory=dict)  # scope -> (key id, data key)


class SqlKeyring:
    def __init__(
        self,
        database: Database,
        master: MasterKey,
        clock: Callable[[], datetime],
        cache_seconds: float = 30.0,
        max_cached: int = MAX_CACHED_KEYS,
    ) -> None:
        self._database = database
        self._master = master
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._live: OrderedDict[UUID, _Sealing] = OrderedDict()
        self._by_id: OrderedDict[UUID, tuple[bytes | None, float]] = OrderedDict()
        self._guard = threading.Lock()
        self._max_cached = max_cached

    # -- the mapper's side ------------------------------------------------------

    def sealing_key(self, subject: UUID, scope: str) -> tuple[UUID, AESGCM]:
        held = self._used(self._live, subject)
        cached = held.keys.get(scope) if held is not None else None
        if cached is not None:
            return cached[0], _sealing_cipher(cached[1])
        # Most often a session's first event: its key is made; an existing one is read only
        # when the insert finds it (another process made it, or this one restarted).
        key_id, data_key = self._create(subject, scope)
        with self._guard:
            held = self._live.get(subject)
            if held is None:
                held = _Sealing(since=None)
                self._add(self._live, subject, held)
            held.keys[scope] = (key_id, data_key)
        self._remember(key_id, data_key, time.monotonic())
        return key_id, AESGCM(data_key)

    def writing_as(self, subject: UUID, since: int) -> None:
        with self._guard:
            held = self._live.get(subject)
            if held is None:
                self._add(self._live, subject, _Sealing(since))
            elif held.since != since:
                # Held for another person on this conversation (or for one unknown): read again.
                held.since, held.keys = since, {}

    def opening_key(self, key_id: UUID) -> AESGCM | None:
        now = time.monotonic()
        cached = self._used(self._by_id, key_id)
        if cached is not None and (cached[0] is None or cached[1] > now):
            return _cipher(cached[0])  # a destroyed key stays destroyed: no need to ask again
        try:
            row = self._database.fetch_one("SELECT wrapped FROM subject_keys WHERE key_id = %s", (key_id,))
        except DatabaseUnavailableError:
            if cached is not None:
                return _cipher(cached[0])  # no primary for now (a failover): a key read before still opens
            raise
        data_key = (
            self._unwrap(key_id, row["wrapped"]) if row is not None and row["wrapped"] is not None else None
        )
        self._remember(key_id, data_key, now)
        return _cipher(data_key)

    def load(self, key_ids: Iterable[UUID]) -> None:
        """Reads many keys in one query (a rebuild, an export) instead of one each."""
        now = time.monotonic()
        missing = [k for k in set(key_ids) if (c := self._by_id.get(k)) is None or (c[0] and c[1] <= now)]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            params: list[object]
            if self._database.dialect == "postgresql":
                # One statement whatever the count: statements are prepared, and each IN list is another.
                query, params = "SELECT key_id, wrapped FROM subject_keys WHERE key_id = ANY(%s)", [chunk]
            else:
                marks = ", ".join(["%s"] * len(chunk))
                query = f"SELECT key_id, wrapped FROM subject_keys WHERE key_id IN ({marks})"  # noqa: S608
                params = list(chunk)
            found = {_uuid(row["key_id"]): row["wrapped"] for row in self._database.fetch_all(query, params)}
            for key_id in chunk:
                wrapped = found.get(key_id)
                self._remember(key_id, self._unwrap(key_id, wrapped) if wrapped is not None else None, now)

    def load_subject(self, subject: UUID) -> None:
        """Reads every key of one person in one query, before their whole history is opened."""
        now = time.monotonic()
        for row in self._database.fetch_all(
            "SELECT key_id, wrapped FROM subject_keys WHERE conversation_id = %s", (subject,)
        ):
            key_id, wrapped = _uuid(row["key_id"]), row["wrapped"]
            self._remember(key_id, self._unwrap(key_id, wrapped) if wrapped is not None else None, now)

    # -- shredding ----------------------------------------------------------------

    def shred(self, cursor: Cursor, subject: UUID, reason: str, scopes: list[str] | None = None) -> int:
        """Destroys the subject's live keys (or those of `scopes`), in the caller's transaction."""
        query = (
            "UPDATE subject_keys SET wrapped = NULL, shredded_at = %s, shred_reason = %s "
            "WHERE conversation_id = %s AND wrapped IS NOT NULL"
        )
        params: list[object] = [self._clock(), reason, subject]
        if scopes is not None:
            if not scopes:
                return 0
            query += f" AND scope IN ({', '.join(['%s'] * len(scopes))})"
            params.extend(scopes)
        destroyed = cursor.fetch_all(query + " RETURNING key_id", params)
        self.forget(subject)
        now = time.monotonic()
        for row in destroyed:
            self._remember(_uuid(row["key_id"]), None, now)
        return len(destroyed)

    def forget(self, subject: UUID) -> None:
        """Drops what this process cached of a subject's keys, and every key read for opening:
        those are cached by id, not by whose they are. Erasures are rare; re-reading is cheap."""
        _sealing_cipher.cache_clear()  # no cipher of a destroyed key is kept either
        with self._guard:
            self._live.pop(subject, None)
            for key_id in [k for k, (data_key, _expires) in self._by_id.items() if data_key is not None]:
                del self._by_id[key_id]

    def forget_all(self) -> None:
        _sealing_cipher.cache_clear()
        with self._guard:
            self._live.clear()
            self._by_id.clear()

    # -- inside ---------------------------------------------------------------------

    def _remember(self, key_id: UUID, data_key: bytes | None, now: float) -> None:
        self._keep(self._by_id, key_id, (data_key, now + self._cache_seconds))

    def _used(self, cache: OrderedDict[K, V], key: K) -> V | None:
        with self._guard:
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
            return found

    def _keep(self, cache: OrderedDict[K, V], key: K, value: V) -> None:
        with self._guard:
            self._add(cache, key, value)

    def _add(self, cache: OrderedDict[K, V], key: K, value: V) -> None:
        """Bounded: the entries used least recently go first. Under the guard."""
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > self._max_cached:
            cache.popitem(last=False)

    def _live_key(self, subject: UUID, scope: str) -> tuple[UUID, bytes] | None:
        row = self._database.fetch_one(
            "SELECT key_id, wrapped FROM subject_keys "
            "WHERE conversation_id = %s AND scope = %s AND wrapped IS NOT NULL",
            (subject, scope),
        )
        if row is None:
            return None
        key_id = _uuid(row["key_id"])
        return key_id, self._unwrap(key_id, row["wrapped"])

    def _create(self, subject: UUID, scope: str) -> tuple[UUID, bytes]:
        key_id = uuid4()
        data_key = AESGCM.generate_key(bit_length=256)
        # Two processes may make the subject's first key at once: one row wins, both use it.
        # One statement, atomic alone: a transaction around it cost two round trips more.
        inserted = self._database.write_one(
            "INSERT INTO subject_keys (key_id, conversation_id, scope, wrapped, created_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING key_id",
            (key_id, subject, scope, self._master.wrap(key_id, data_key), self._clock()),
        )
        if inserted:  # ours: no need to read it back
            return key_id, data_key
        found = self._live_key(subject, scope)
        if found is None:  # destroyed between the insert and the read: an erasure won
            raise KeyDestroyedError(f"the keys of {subject} were destroyed while a write was being prepared")
        return found

    def _unwrap(self, key_id: UUID, wrapped: bytes) -> bytes:
        return self._master.unwrap(key_id, bytes(wrapped))


class KeyDestroyedError(RuntimeError):
    """A write raced the erasure of its subject: it must not happen (the turn is retried)."""


@lru_cache(maxsize=1024)
def _sealing_cipher(data_key: bytes) -> AESGCM:
    # A turn seals its four or five events with one key, and the people writing now keep
    # theirs: made once, not each time. Bounded: each holds about 2.5 KiB outside Python's heap.
    return AESGCM(data_key)


def _cipher(data_key: bytes | None) -> AESGCM | None:
    # Opening reads the keys of the sessions under way, the ones sealing keeps ciphers of.
    return _sealing_cipher(data_key) if data_key is not None else None


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
