"""How a log follower learns the log has grown: PostgreSQL notifications, or polling."""

from __future__ import annotations

import logging
import threading

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)


class PollingWaker:
    """SQLite has no notifications: just wait for the poll interval."""

    def __init__(self) -> None:
        self._closed = threading.Event()

    def wait(self, timeout: float) -> None:
        self._closed.wait(timeout)

    def close(self) -> None:
        self._closed.set()


class PostgresWaker:
    """LISTENs on the channel the event store NOTIFYs on every insert.

    The timeout stays as a backstop: a notification can be missed while
    reconnecting, and then the next poll picks the new events up.
    """

    def __init__(self, conninfo: str, channel: str) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None
        self._closed = threading.Event()

    def _listening(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._closed.is_set():
            raise psycopg.InterfaceError("waker closed")
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self._conninfo, autocommit=True)
            self._connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
        return self._connection

    def wait(self, timeout: float) -> None:
        try:
            for _ in self._listening().notifies(timeout=timeout, stop_after=1):
                break
        except psycopg.Error:
            if self._closed.is_set():
                return
            log.warning("lost the notification connection; polling until it is back", exc_info=True)
            self._drop_connection()
            self._closed.wait(timeout)

    def close(self) -> None:
        self._closed.set()
        self._drop_connection()

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
