"""Deleting a conversation's snapshots: a cache of its sealed state, which the log can rebuild."""

from __future__ import annotations

from uuid import UUID

from application.event_store import ConversationStore
from infrastructure.database import Cursor


def delete_snapshots(cursor: Cursor, store: ConversationStore, conversation_id: UUID) -> int:
    snapshots = store.snapshots
    table = getattr(snapshots.recorder, "events_table_name", "") if snapshots is not None else ""
    if not table:
        return 0
    # The library keeps ids as uuid on PostgreSQL, as 32 hex digits on SQLite.
    originator = conversation_id.hex if cursor.dialect == "sqlite" else conversation_id
    return cursor.execute(
        f"DELETE FROM {table} WHERE originator_id = %s",  # noqa: S608 (the library's own table name)
        (originator,),
    )
