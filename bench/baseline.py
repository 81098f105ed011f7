"""The design a team would build instead of convo, done right with plain psycopg.

One mutable session row per subcontractor (a unique partial index keeps one
active session each), and a messages table. Per turn, in one transaction on a
pooled connection: upsert the active session, read its last 20 messages, read
the subcontractor's sites (the query convo's site listing runs), and insert the
user's message, the tool's output and the reply in one statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from bench.chat import Chat

TABLES = (
    "CREATE TABLE IF NOT EXISTS bench_baseline_sessions ("
    "id bigserial PRIMARY KEY, phone text NOT NULL, status text NOT NULL, "
    "started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), "
    "turns integer NOT NULL DEFAULT 0)",
    "CREATE UNIQUE INDEX IF NOT EXISTS bench_baseline_sessions_active "
    "ON bench_baseline_sessions (phone) WHERE status = 'active'",
    "CREATE TABLE IF NOT EXISTS bench_baseline_messages ("
    "id bigserial PRIMARY KEY, session_id bigint NOT NULL REFERENCES bench_baseline_sessions (id), "
    "provider_message_id text UNIQUE, role text NOT NULL, content jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX IF NOT EXISTS bench_baseline_messages_session "
    "ON bench_baseline_messages (session_id, id DESC)",
)
UPSERT_SESSION = (
    "INSERT INTO bench_baseline_sessions (phone, status) VALUES (%s, 'active') "
    "ON CONFLICT (phone) WHERE status = 'active' "
    "DO UPDATE SET updated_at = now(), turns = bench_baseline_sessions.turns + 1 RETURNING id"
)
LAST_MESSAGES = (
    "SELECT role, content FROM bench_baseline_messages WHERE session_id = %s ORDER BY id DESC LIMIT 20"
)
# SqlSiteDirectory.sites_of, word for word.
SITES = (
    "SELECT p.id, p.name, p.city, p.address FROM projects p "
    "JOIN assignments a ON a.project_id = p.id "
    "WHERE a.subcontractor_id = %s ORDER BY p.name, p.id"
)
INSERT_MESSAGES = (
    "INSERT INTO bench_baseline_messages (session_id, provider_message_id, role, content) "
    "VALUES (%s, %s, 'user', %s), (%s, NULL, 'tool', %s), (%s, NULL, 'bot', %s)"
)


class Baseline:
    """Turns of the baseline design, on a pool of `connections` connections."""

    def __init__(
        self, database_url: str, connections: int, subcontractor_ids: Mapping[str, str], tag: str
    ) -> None:
        self._pool: ConnectionPool[Any] = ConnectionPool(
            database_url, min_size=connections, max_size=connections, open=True, name="bench-baseline"
        )
        self._ids = subcontractor_ids
        self._tag = tag  # keeps provider message ids apart from other players'
        self._chats: dict[str, Chat] = {}
        with self._pool.connection() as connection:
            for statement in TABLES:
                connection.execute(statement)

    def turn(self, phone: str) -> None:
        chat = self._chats.get(phone) or self._chats.setdefault(phone, Chat(phone, self._tag))
        inbound = chat.next_inbound()
        said = inbound.button.title if inbound.button is not None else inbound.text or ""
        with self._pool.connection() as connection:
            turn(connection, phone, self._ids[phone], inbound.message_id, said)

    def play(self, _thread: int, phones: Sequence[str]) -> None:
        for phone in phones:
            self.turn(phone)

    def close(self) -> None:
        self._pool.close()


def turn(
    connection: Connection[Any], phone: str, subcontractor_id: str, message_id: str, said: str
) -> dict[str, Any]:
    """One turn of the baseline design, in one transaction: its reply."""
    with connection.transaction():
        session = connection.execute(UPSERT_SESSION, (phone,), prepare=True).fetchone()
        assert session is not None
        session_id = session[0]
        connection.execute(LAST_MESSAGES, (session_id,), prepare=True).fetchall()
        sites = connection.execute(SITES, (subcontractor_id,), prepare=True).fetchall()
        columns = ("id", "name", "city", "address")
        tool = {"tool": "list_sites", "sites": [dict(zip(columns, s, strict=True)) for s in sites]}
        reply = {
            "text": "Vos chantiers :",
            "choices": [{"id": f"project.{s[0]}", "title": s[1]} for s in sites],
        }
        connection.execute(
            INSERT_MESSAGES,
            (
                session_id,
                message_id,
                Jsonb({"text": said}),
                session_id,
                Jsonb(tool),
                session_id,
                Jsonb(reply),
            ),
            prepare=True,
        )
    return reply
