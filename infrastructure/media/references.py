"""Which conversation holds which blob (`media_blobs`), for erasing one person's media."""

from __future__ import annotations

from infrastructure.database import Database


class SqlMediaReferences:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, sha256: str, media_id: str, conversation_id: str) -> None:
        with self._db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO media_blobs (media_id, sha256, conversation_id) VALUES (%s, %s, %s) "
                "ON CONFLICT (media_id) DO NOTHING",
                (media_id, sha256, conversation_id),
            )

    def only_of(self, conversation_id: str) -> list[str]:
        rows = self._db.fetch_all(
            "SELECT DISTINCT m.sha256 FROM media_blobs m WHERE m.conversation_id = %s AND NOT EXISTS ("
            " SELECT 1 FROM media_blobs o"
            " WHERE o.sha256 = m.sha256 AND o.conversation_id <> m.conversation_id"
            ") ORDER BY m.sha256",
            (conversation_id,),
        )
        return [str(row["sha256"]) for row in rows]

    def of(self, conversation_id: str) -> list[str]:
        rows = self._db.fetch_all(
            "SELECT media_id FROM media_blobs WHERE conversation_id = %s ORDER BY media_id",
            (conversation_id,),
        )
        return [str(row["media_id"]) for row in rows]

    def forget(self, conversation_id: str) -> None:
        with self._db.transaction() as cursor:
            cursor.execute("DELETE FROM media_blobs WHERE conversation_id = %s", (conversation_id,))
