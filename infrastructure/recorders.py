"""The library's PostgreSQL recorder, reading notifications the fast way.

Followers (projections, rebuilds) read millions of notifications. The library
builds each one from a dict row in text format; this subclass asks for binary
tuples and builds the same Notification objects for about a third less work.
It is chosen through the library's own APPLICATION_RECORDER_TOPIC setting.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier


class FollowingPostgresRecorder(PostgresApplicationRecorder):
    def _select_statement(self, *, start: bool, inclusive: bool, stop: bool, topics: bool) -> Composed:
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{}"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        conditions = []
        if start:
            conditions.append(SQL("notification_id >= %s") if inclusive else SQL("notification_id > %s"))
        if stop:
            conditions.append(SQL("notification_id <= %s"))
        if topics:
            conditions.append(SQL("topic = ANY(%s)"))
        if conditions:
            statement += SQL(" WHERE ") + SQL(" AND ").join(conditions)
        return statement + SQL(" ORDER BY notification_id LIMIT %s")

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        statement = self._select_statement(
            start=start is not None, inclusive=inclusive_of_start, stop=stop is not None, topics=bool(topics)
        )
        params: list[object] = [p for p in (start, stop) if p is not None]
        if topics:
            params.append(list(topics))
        params.append(limit)
        with self.datastore.get_connection() as connection:
            cursor = connection.cursor(row_factory=tuple_row, binary=True)
            cursor.execute(statement, params, prepare=True)
            rows = cursor.fetchall()
        new = object.__new__
        notifications = []
        for notification_id, originator_id, version, topic, state in rows:
            # Frozen dataclass: fill its __dict__ directly, as the library does for events.
            notification = new(Notification)
            object.__setattr__(
                notification,
                "__dict__",
                {
                    "originator_id": originator_id,
                    "originator_version": version,
                    "topic": topic,
                    "state": state,
                    "id": notification_id,
                },
            )
            notifications.append(notification)
        return notifications
