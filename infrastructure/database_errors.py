"""Why the database could not serve a request: its own errors, apart from the drivers' ones."""

from __future__ import annotations


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer in time (or at all); retry later."""


class PrimaryUnavailableError(DatabaseUnavailableError):
    """No PostgreSQL node takes writes right now (a failover is under way); retry later.

    Not a driver error on purpose: the event store library retries those ten times.
    """


class PoolExhaustedError(DatabaseUnavailableError):
    """Every pooled connection stayed busy for the whole pool wait; retry later.

    Not a driver error on purpose, like PrimaryUnavailableError.
    """
