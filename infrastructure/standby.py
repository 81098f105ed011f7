"""Reads a standby serves: the audit trail and analytics when CONVO_READ_DATABASE_URL points
there, and, while a failover leaves no primary, the receipts of messages already handled."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.event_store import ConversationStore
from application.sealing import Keyring
from domain.receipt import MessageReceipt
from infrastructure.database import Database
from infrastructure.persistence import open_read_database, read_store_env
from infrastructure.primary import PREFER_STANDBY, host_count
from infrastructure.settings import Settings

# How far behind the primary this node's answers may be. Caught up with all it received
# while streaming: nothing. Otherwise: since the last transaction it replayed.
LAG_QUERY = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0.0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) THEN 0.0
    ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8
END AS lag
"""


@dataclass
class Standby:
    store: ConversationStore
    # The service's own tables, when reads are pointed at standbys; None when only receipts are.
    database: Database | None = None

    @property
    def serves_reads(self) -> bool:
        return self.database is not None

    def receipt(self, receipt_id: UUID) -> MessageReceipt | None:
        return self.store.receipt(receipt_id)

    def lag_seconds(self) -> float | None:
        """The replay lag of the node reads go to (0 on a primary); None if unknown."""
        if self.database is None:
            return None
        row = self.database.fetch_one(LAG_QUERY)
        return None if row is None or row["lag"] is None else max(0.0, float(row["lag"]))

    def close(self) -> None:
        self.store.close()
        if self.database is not None:
            self.database.close()


def standby_for(settings: Settings, keyring: Keyring | None = None) -> Standby | None:
    """The reads pointed at standbys by the settings; on a cluster URL without them, a standby
    for receipts only; on one server, nothing (there is no other node to read)."""
    if not settings.is_postgres:
        return None
    url = settings.read_database_url
    if url:
        store = ConversationStore(
            read_store_env(settings, url), snapshot_interval=settings.snapshot_interval, keyring=keyring
        )
        return Standby(store, open_read_database(settings, url))
    if host_count(settings.database_url) > 1:
        env = read_store_env(settings, settings.database_url, PREFER_STANDBY)
        return Standby(ConversationStore(env, snapshot_interval=settings.snapshot_interval, keyring=keyring))
    return None
