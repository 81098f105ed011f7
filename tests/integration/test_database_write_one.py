"""One statement that writes, on either store: committed by itself, all or nothing, its rows returned."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from infrastructure.bootstrap import Container

_INSERT = (
    "INSERT INTO subject_keys (key_id, conversation_id, scope, wrapped, created_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING key_id"
)


def test_a_write_is_committed_and_answers_its_rows(container: Container) -> None:
    subject, key_id = uuid4(), uuid4()
    rows = container.database.write_one(_INSERT, (key_id, subject, "s-1", b"wrapped", datetime.now(UTC)))
    assert [str(row["key_id"]) for row in rows] == [str(key_id)]
    # Seen from any connection at once: nothing was left open.
    found = container.database.fetch_all(
        "SELECT key_id FROM subject_keys WHERE conversation_id = %s", (subject,)
    )
    assert [str(row["key_id"]) for row in found] == [str(key_id)]
    # The same live key again: nothing written, no row answered.
    again = container.database.write_one(_INSERT, (uuid4(), subject, "s-1", b"other", datetime.now(UTC)))
    assert again == []


def test_a_refused_write_leaves_nothing(container: Container) -> None:
    subject = uuid4()
    with pytest.raises(Exception):  # noqa: B017, PT011  # the driver's own error, per store
        container.database.write_one(
            "INSERT INTO subject_keys (key_id, conversation_id, scope, wrapped, created_at) "
            "VALUES (%s, %s, %s, %s, %s), (%s, %s, %s, %s, NULL)",
            (uuid4(), subject, "s-1", b"w", datetime.now(UTC), uuid4(), subject, "s-2", b"w"),
        )
    assert (
        container.database.fetch_all("SELECT 1 FROM subject_keys WHERE conversation_id = %s", (subject,))
        == []
    )
    # The connection is fine afterwards.
    assert container.database.fetch_one("SELECT 1 AS one") == {"one": 1}
