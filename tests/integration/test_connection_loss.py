"""Pooled connections killed under the service (a server restart): turns carry on.

Connections used less than a second ago are lent without an empty query first;
one that turns out dead is dropped with its idle siblings, and the read or the
event store's write is tried again on a fresh one.
"""

from __future__ import annotations

import psycopg
import pytest

from infrastructure.bootstrap import build
from tests.conftest import postgres_settings
from tests.turns import say

pytestmark = [pytest.mark.postgres]


def kill_every_connection(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


def test_turns_and_directory_reads_carry_on_after_every_connection_is_killed(postgres_url: str) -> None:
    container = build(postgres_settings(postgres_url))
    try:
        say(container.service, "Bonjour")
        assert kill_every_connection(postgres_url) >= 2  # the event store's and the directory's
        outcome = say(container.service, "mes chantiers")  # just used: lent without a check
        assert not outcome.duplicate and outcome.attempts == 1
        kill_every_connection(postgres_url)
        assert container.database.fetch_one("SELECT 1 AS ok") == {"ok": 1}  # read again, on a fresh one
        assert say(container.service, "merci").attempts == 1
    finally:
        container.close()
