"""Real database failures on demand: triggers that refuse chosen writes, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from uuid import UUID

from infrastructure.bootstrap import Container

EVENTS = "convo_events"
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION convo_test_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'forced failure: the test refuses this write';
END
$$ LANGUAGE plpgsql
"""


@contextmanager
def refusing(container: Container, table: str, condition_sqlite: str, condition_pg: str) -> Iterator[None]:
    """While the block runs, the database refuses inserts or updates of `table` rows matching
    the condition (on NEW), with an error of its own, as a failing disk or a bad row would."""
    database = container.database
    name = f"convo_test_refuse_{table}"
    event = "INSERT" if table == EVENTS else "UPDATE"
    if table == EVENTS and not container.settings.is_postgres:
        table = "stored_events"  # the library's name for the table on SQLite
    with database.transaction() as cursor:
        if container.settings.is_postgres:
            cursor.execute(_PG_FUNCTION)
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                f"WHEN ({condition_pg}) EXECUTE FUNCTION convo_test_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition_sqlite} "
                "BEGIN SELECT RAISE(ABORT, 'forced failure: the test refuses this write'); END"
            )
    try:
        yield
    finally:
        with database.transaction() as cursor:
            on_table = f" ON {table}" if container.settings.is_postgres else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}")


def refusing_events_of(container: Container, aggregate_id: UUID) -> AbstractContextManager[None]:
    """No event of this aggregate can be recorded."""
    return refusing(
        container,
        EVENTS,
        f"NEW.originator_id = '{aggregate_id.hex}'",
        f"NEW.originator_id = '{aggregate_id}'::uuid",
    )


def refusing_position_of(container: Container, consumer: str) -> AbstractContextManager[None]:
    """The consumer's position in projection_tracking cannot move."""
    return refusing(container, "projection_tracking", f"NEW.name = '{consumer}'", f"NEW.name = '{consumer}'")
