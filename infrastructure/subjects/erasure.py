"""Erasure by crypto-shredding: the log keeps its events, the person's keys are destroyed.

In order, each step safe to run again after a crash:

1. `Erased` is appended to the conversation. A turn of the same person racing the
   erasure either committed before (its events go with the rest) or conflicts on
   the version, reloads, finds the conversation erased and starts a new subject.
2. In one transaction: the keys are destroyed, the read-model rows that identify
   the person deleted, the directory record anonymised, the snapshots (a cache of
   sealed state) deleted, and the erasure recorded, without personal data.
3. Their media blobs go, then the disk pages that held the deleted rows are wiped
   (SQLite rewrites them, see `SqliteDatabase`; PostgreSQL's dead rows are out of
   any dump, and VACUUM reclaims them).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.event_store import ConversationStore
from application.media import BlobStore
from application.media_erasure import erase_media
from application.phone import normalise_phone
from domain.conversation import Conversation
from domain.identity import conversation_id_for
from infrastructure.database import Database
from infrastructure.database_errors import DatabaseUnavailableError
from infrastructure.keys.sql_keyring import SqlKeyring
from infrastructure.media.references import SqlMediaReferences
from infrastructure.subject_rows import SubjectRef, erase_subject_rows
from infrastructure.subjects.snapshots import delete_snapshots

log = logging.getLogger(__name__)

_ATTEMPTS = 10


class SubjectNotFoundError(LookupError):
    """No conversation holds this number (never written, or already erased)."""


@dataclass(frozen=True)
class Erasure:
    erasure_id: UUID
    conversation_id: UUID
    requested_by: str
    requested_at: datetime
    keys_destroyed: int
    events_kept: int
    rows_erased: dict[str, int]
    media_deleted: int

    def as_json(self) -> dict[str, object]:
        return {
            "erasure_id": str(self.erasure_id),
            "conversation_id": str(self.conversation_id),
            "requested_by": self.requested_by,
            "requested_at": self.requested_at.isoformat(),
            "keys_destroyed": self.keys_destroyed,
            "events_kept": self.events_kept,
            "rows_erased": self.rows_erased,
            "media_deleted": self.media_deleted,
        }


class Eraser:
    def __init__(
        self,
        store: ConversationStore,
        database: Database,
        keyring: SqlKeyring,
        blobs: BlobStore,
        clock: Callable[[], datetime],
        subcontractor_of: Callable[[str], str | None],
    ) -> None:
        self._store = store
        self._database = database
        self._keyring = keyring
        self._blobs = blobs
        self._clock = clock
        self._subcontractor_of = subcontractor_of

    def forget(self, who: str, requested_by: str) -> Erasure:
        """`who`: a phone number, or a conversation id (the `erasures` table's, to erase again
        what a restored backup brought back)."""
        conversation, contact = self._erased_conversation(_conversation_id_of(who), who)
        subject = SubjectRef(conversation.id, contact, self._subcontractor_of(contact) if contact else None)
        rows = self._erase_rows(subject)
        with self._database.transaction() as cursor:
            destroyed = self._keyring.shred(cursor, conversation.id, "erasure")
            rows["snapshots"] = delete_snapshots(cursor, self._store, conversation.id)
            erasure = Erasure(
                erasure_id=uuid4(),
                conversation_id=conversation.id,
                requested_by=requested_by,
                requested_at=self._clock(),
                keys_destroyed=destroyed,
                events_kept=conversation.version,
                rows_erased=rows,
                media_deleted=0,
            )
            cursor.execute(
                "INSERT INTO erasures (erasure_id, conversation_id, requested_by, requested_at, "
                "keys_destroyed, events_kept, rows_erased) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    erasure.erasure_id,
                    erasure.conversation_id,
                    requested_by,
                    erasure.requested_at,
                    destroyed,
                    erasure.events_kept,
                    json.dumps(rows, sort_keys=True),
                ),
            )
        self._keyring.forget(conversation.id)
        self._store.forget_all_cached()
        media = erase_media(conversation.id, SqlMediaReferences(self._database), self._blobs)
        wipe_freed_pages(self._database)
        log.info("erased conversation %s: %s keys destroyed", conversation.id, destroyed)
        return Erasure(**{**erasure.__dict__, "media_deleted": media})

    def _erase_rows(self, subject: SubjectRef) -> dict[str, int]:
        # A projection writing the same rows at that moment can deadlock with it; PostgreSQL
        # aborts one of the two, and the whole (idempotent) transaction is simply run again.
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return erase_subject_rows(self._database, subject)
            except DatabaseUnavailableError:
                if attempt == _ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _erased_conversation(self, conversation_id: UUID, who: str) -> tuple[Conversation, str]:
        """The conversation with `Erased` appended, and whose it was. One erased before whose
        erasure was never recorded (a crash between the steps) is carried on."""
        # Their whole history is opened to load the conversation: its keys in one query.
        self._keyring.load_subject(conversation_id)
        for _ in range(_ATTEMPTS):
            try:
                conversation = self._store.conversation_by_id(conversation_id)
            except AggregateNotFoundError:
                raise SubjectNotFoundError(f"no data is held for {_masked(who)}") from None
            if conversation.erased:
                if _recorded(self._database, conversation_id, conversation.version):
                    raise SubjectNotFoundError(f"no data is held for {_masked(who)}")
                # An erasure stopped after its first step: carry it on.
                return conversation, "" if _is_id(who) else normalise_phone(who)
            contact = conversation.contact
            conversation.erase(at=self._clock())
            try:
                self._store.save(conversation)
            except IntegrityError:
                continue  # a turn of theirs committed meanwhile: erase that too
            return conversation, contact
        raise RuntimeError(f"a conversation kept changing during its erasure ({_ATTEMPTS} tries)")


def _conversation_id_of(who: str) -> UUID:
    if _is_id(who):
        return UUID(who)
    return conversation_id_for(normalise_phone(who))


def _is_id(who: str) -> bool:
    try:
        UUID(who)
    except ValueError:
        return False
    return True


def erasure_finished(
    database: Database, keyring: SqlKeyring, forget_contact: Callable[[str], None] = lambda _contact: None
) -> Callable[[UUID, int, str], bool]:
    """For turns that find a conversation erased at a version: whether that erasure is over.

    Until it is, the erased subject's keys are live, and a new subject's first events would
    be sealed with them (or with keys the erasure then destroys). Once it is, what this
    process cached of the erased person goes too: their keys, and their directory record.
    """

    def finished(conversation_id: UUID, version: int, contact: str) -> bool:
        if not _recorded(database, conversation_id, version):
            return False
        keyring.forget(conversation_id)
        forget_contact(contact)
        return True

    return finished


def _recorded(database: Database, conversation_id: UUID, version: int) -> bool:
    found = database.fetch_one(
        "SELECT count(*) AS n FROM erasures WHERE conversation_id = %s AND events_kept = %s",
        (conversation_id, version),
    )
    return found is not None and int(found["n"]) > 0


def wipe_freed_pages(database: Database) -> None:
    """On SQLite, the write-ahead log still holds the old pages until a checkpoint."""
    if database.dialect == "sqlite":
        database.fetch_all("PRAGMA wal_checkpoint(TRUNCATE)")


def _masked(contact: str) -> str:
    return contact[:4] + "…" + contact[-2:] if len(contact) > 6 else "…"
