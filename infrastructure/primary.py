"""Connections that follow the PostgreSQL primary across a failover.

On a cluster (three nodes under Patroni), the URL names every node and libpq
picks the one asked for: `read-write` for anything that writes. During a
failover no node takes writes for some seconds. These pools then:

- never lend a connection that finds itself on a standby (checked before each
  loan, free) or that sat idle long enough to have died unnoticed (an empty
  query first); a connection that breaks, in that check or in use, drops its
  idle siblings with it: they were on the same server, so a pool cannot settle
  on a standby or keep dead connections;
- try to reach the new primary every `RECONNECT_SECONDS` while requests wait,
  instead of psycopg_pool's back-off (1 s, doubling), which left writes stopped
  long after the new primary was up;
- while no primary answers, make callers wait at most `LOST_WAIT_SECONDS` and
  raise PrimaryUnavailableError (a 503), which the event store library does not
  retry: its ten retries of a pool wait would hold each request for 20 s.

On a single server all of this costs one empty query per connection borrowed
after `PING_AFTER_IDLE_SECONDS` idle: under load, none. A connection used a
moment ago that fails anyway fails its query with an OperationalError: the
event store and the directory's reads try again on a fresh connection, a
directory write answers 503 and the provider retries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from eventsourcing.postgres import ConnectionPool
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import PoolTimeout

from infrastructure.database_errors import PoolExhaustedError, PrimaryUnavailableError

log = logging.getLogger(__name__)

CT = TypeVar("CT", bound=psycopg.Connection[Any])

READ_WRITE = "read-write"
PREFER_STANDBY = "prefer-standby"
# Per host tried: an unreachable node must not hold a connection attempt for long.
# Settings override both (CONVO_CONNECT_TIMEOUT_SECONDS, CONVO_STATEMENT_TIMEOUT_SECONDS).
CONNECT_TIMEOUT_SECONDS = 2
NO_STATEMENT_TIMEOUT = 0.0
# A dead peer that sent no reset (a lost machine, a cut network) is noticed in ~20 s.
KEEPALIVES = {"keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "3", "keepalives_count": "3"}
# A failed connection attempt is tried once more after this, then given up: the next
# waiting request starts a new one. Attempts stay this far apart while no primary answers.
RECONNECT_SECONDS = 0.5
# While no primary answers, a request waits this long for one to appear, then gets its 503.
LOST_WAIT_SECONDS = 1.0
# A request waiting for a connection looks this often whether the primary was lost meanwhile:
# one that started waiting just before the loss then leaves with the others, not a pool wait later.
LOSS_CHECK_SECONDS = 0.25
# A connection given back less than this ago worked then: lent again without an empty query.
# Pinging every loan cost a round trip per query, about a third of a turn's time.
PING_AFTER_IDLE_SECONDS = 1.0


@dataclass(frozen=True)
class Bounds:
    """How long a connection attempt and a statement may take (0: no limit on statements)."""

    connect_seconds: int = CONNECT_TIMEOUT_SECONDS
    statement_seconds: float = NO_STATEMENT_TIMEOUT


def _conninfo(url: str, bounds: Bounds, **imposed: str) -> str:
    """The URL as libpq parameters (every one kept: sslmode, application_name…), with
    bounded connection attempts and statements unless it says otherwise, and `imposed` on top."""
    params: dict[str, Any] = {**KEEPALIVES, "connect_timeout": str(bounds.connect_seconds)}
    params.update(conninfo_to_dict(url))
    if bounds.statement_seconds > 0:
        # The server cancels a longer statement itself: no connection stays held by a stuck query.
        limit = f"-c statement_timeout={round(bounds.statement_seconds * 1000)}"
        params["options"] = f"{params['options']} {limit}" if params.get("options") else limit
    params.update(imposed)
    return make_conninfo("", **params)


def writer_conninfo(url: str, bounds: Bounds = Bounds()) -> str:
    """For the event store, the directory, leases, tracking, the waker and migrations: the primary,
    whatever the URL asks for."""
    return _conninfo(url, bounds, target_session_attrs=READ_WRITE)


def reader_conninfo(url: str, target: str | None = None, bounds: Bounds = Bounds()) -> str:
    """For reads that may be a moment stale: `target`, else the node kind the URL asks for,
    else a standby if one answers."""
    asked = target or conninfo_to_dict(url).get("target_session_attrs") or PREFER_STANDBY
    return _conninfo(url, bounds, target_session_attrs=str(asked))


def host_count(url: str) -> int:
    """How many nodes the URL names: more than one is a cluster."""
    return len(str(conninfo_to_dict(url).get("host") or "").split(","))


def on_standby(connection: psycopg.Connection[Any]) -> bool:
    # PostgreSQL 14+ reports in_hot_standby with every change: no round trip.
    return connection.info.parameter_status("in_hot_standby") == "on"


class StandbyConnectionError(psycopg.OperationalError):
    """A connection meant for writes is on a standby."""


def ensure_primary(connection: psycopg.Connection[Any]) -> None:
    """Before lending a connection: alive (one empty query, the library's pre-ping), and on the primary."""
    ConnectionPool.check_connection(connection)
    if on_standby(connection):
        connection.close()  # closed, the pool replaces it instead of lending it again
        raise StandbyConnectionError("connection is on a standby")


class PrimaryPool(ConnectionPool[CT]):
    """A pool of connections to the primary (see the module's docstring)."""

    def __init__(
        self,
        conninfo: str,
        *,
        configure: Callable[[CT], None] | None = None,
        **options: Any,
    ) -> None:
        self._lost_since: float | None = None
        self._state = threading.Lock()
        self._returned_at: dict[int, float] = {}  # by id() of a connection in the pool

        def configured(connection: CT) -> None:
            if configure is not None:
                configure(connection)
            self._reached()

        # No reset callback: with one, psycopg_pool hands every returned connection to a
        # worker thread, a cost on each query; the check before each loan is enough.
        super().__init__(
            conninfo,
            configure=configured,
            check=self._check,
            reconnect_timeout=RECONNECT_SECONDS,
            reconnect_failed=lambda _pool: self._lost(),
            **options,
        )

    @property
    def primary_lost(self) -> bool:
        return self._lost_since is not None

    def getconn(self, timeout: float | None = None) -> CT:
        wait = self.timeout if timeout is None else timeout
        started = time.monotonic()
        while True:
            waited = time.monotonic() - started
            # Still ask while lost: a waiting request is what makes the pool try to connect again.
            limit = min(wait, LOST_WAIT_SECONDS) if self.primary_lost else wait
            try:
                return super().getconn(max(0.0, min(limit - waited, LOSS_CHECK_SECONDS)))
            except PoolTimeout as error:
                if time.monotonic() - started < limit - 0.001:
                    continue
                if self.primary_lost:
                    raise PrimaryUnavailableError(
                        "no PostgreSQL primary takes writes at the moment"
                    ) from error
                # Not a driver error: the event store library would retry it ten times, a pool wait each.
                raise PoolExhaustedError(f"no PostgreSQL connection free within {wait:g} s") from error

    def putconn(self, conn: CT) -> None:
        broken = conn.broken
        if not broken:
            self._returned_at[id(conn)] = time.monotonic()
        super().putconn(conn)
        if broken:
            # What broke it in use (a failover, a restart) broke its idle siblings too.
            self.drain()

    def _check(self, connection: CT) -> None:
        returned_at = self._returned_at.pop(id(connection), None)
        recent = returned_at is not None and time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS
        if recent and not on_standby(connection):
            return
        try:
            ensure_primary(connection)
        except psycopg.Error:
            # What broke this one (a failover, a restart) broke its idle siblings too:
            # replace them all now rather than finding them out one loan at a time.
            self.drain()
            raise

    def _reached(self) -> None:
        with self._state:
            lost_since, self._lost_since = self._lost_since, None
        if lost_since is not None:
            log.warning("PostgreSQL primary reached again after %.1f s", time.monotonic() - lost_since)

    def _lost(self) -> None:
        with self._state:
            first = self._lost_since is None
            if first:
                self._lost_since = time.monotonic()
        if first:
            log.warning("no PostgreSQL primary answers; retrying every %.1f s", RECONNECT_SECONDS)
