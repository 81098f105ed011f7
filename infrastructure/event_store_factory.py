"""The event store library's PostgreSQL factory, with a pool that keeps to the primary.

The library builds its pool from separate POSTGRES_HOST, POSTGRES_PORT…
settings, which drop every other part of the URL: `target_session_attrs`
among them, so on a cluster its connections landed on whichever node answered
first, standby or not. This factory gives the pool the whole URL as libpq
parameters instead (POSTGRES_CONNINFO), and a PrimaryPool's behaviour across
a failover (unless it only reads); everything else is the library's.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import ConnectionPool, PostgresFactory
from eventsourcing.utils import Environment, EnvType, strtobool
from psycopg.rows import dict_row

from infrastructure.primary import PrimaryPool

CONNINFO = "POSTGRES_CONNINFO"
# "n" for a store that only reads, from a standby: its pool may stay there.
FOR_WRITES = "POSTGRES_FOR_WRITES"


class ConvoPostgresFactory(PostgresFactory):
    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        conninfo = self.env.get(CONNINFO)
        if not conninfo:
            return  # built from the library's own settings: its pool as it made it
        library_pool = self.datastore.pool
        # The library's pool is not opened yet (it opens on first use): nothing to close.
        options: dict[str, Any] = {
            "kwargs": {"row_factory": dict_row},
            "connection_class": library_pool.connection_class,
            "min_size": library_pool.min_size,
            "max_size": library_pool.max_size,
            "timeout": library_pool.timeout,
            "max_waiting": library_pool.max_waiting,
            "max_lifetime": library_pool.max_lifetime,
            "configure": self.datastore.after_connect_func(),
            "open": False,
            "name": "convo-events",
        }
        pool: ConnectionPool[Any]
        if strtobool(self.env.get(FOR_WRITES) or "y"):
            pool = PrimaryPool(conninfo, **options)
        else:
            pool = ConnectionPool(conninfo, check=ConnectionPool.check_connection, **options)
        self.datastore.pool = pool
