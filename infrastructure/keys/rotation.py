"""Master key rotation: every live data key re-wrapped with the new master key; no event touched."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from infrastructure.database import Database
from infrastructure.keys.configured import rewrap_secrets
from infrastructure.keys.master import MasterKey

_BATCH = 500


def keys_to_rewrap(database: Database, master: MasterKey) -> int:
    rows = database.fetch_all("SELECT wrapped FROM subject_keys WHERE wrapped IS NOT NULL")
    return sum(1 for row in rows if not master.is_current(bytes(row["wrapped"])))


def rotate_master_key(
    database: Database, master: MasterKey, progress: Callable[[int], None] = lambda _done: None
) -> int:
    """Re-wraps what an earlier master key wrapped, in batches; safe to stop and run again.

    Returns how many data keys were re-wrapped. Once it has run, the previous keys
    can be dropped from CONVO_PREVIOUS_MASTER_KEYS.
    """
    done = rewrap_secrets(database, master)
    after = ""
    while True:
        rows = database.fetch_all(
            "SELECT key_id, wrapped FROM subject_keys "
            "WHERE wrapped IS NOT NULL AND CAST(key_id AS text) > %s "
            "ORDER BY CAST(key_id AS text) LIMIT %s",
            (after, _BATCH),
        )
        if not rows:
            return done
        with database.transaction() as cursor:
            for row in rows:
                wrapped = bytes(row["wrapped"])
                if master.is_current(wrapped):
                    continue
                key_id = row["key_id"] if isinstance(row["key_id"], UUID) else UUID(str(row["key_id"]))
                # Only if it is still live: an erasure meanwhile wins.
                done += cursor.execute(
                    "UPDATE subject_keys SET wrapped = %s WHERE key_id = %s AND wrapped IS NOT NULL",
                    (master.wrap(key_id, master.unwrap(key_id, wrapped)), key_id),
                )
        after = str(rows[-1]["key_id"])
        progress(done)
