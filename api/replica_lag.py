"""Answers read from a standby say how far behind the primary they may be.

With CONVO_READ_DATABASE_URL set, the audit trail, analytics and the console are
read from a standby: each of their answers carries `Replica-Lag-Seconds`, that standby's
replay lag when it answered (0 when it is caught up, or when the reads landed
on the primary).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.bootstrap import Container
from infrastructure.database_errors import DatabaseUnavailableError
from infrastructure.standby import Standby

log = logging.getLogger(__name__)

HEADER = "Replica-Lag-Seconds"
# The reads that go to the standby: the audit trail, analytics and the console's pages.
READ_PATHS = ("/conversations/", "/events", "/analytics/", "/console")


class ReplicaLagHeader:
    """Plain ASGI, so that every other request (webhooks above all) passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        standby = _standby_reads(scope)
        if standby is None:
            await self.app(scope, receive, send)
            return

        async def send_with_lag(message: Message) -> None:
            if message["type"] == "http.response.start":
                try:
                    lag = await run_in_threadpool(standby.lag_seconds)
                except DatabaseUnavailableError:
                    log.warning("the standby's replay lag could not be read", exc_info=True)
                    lag = None
                if lag is not None:
                    MutableHeaders(scope=message).append(HEADER, f"{lag:.3f}")
            await send(message)

        await self.app(scope, receive, send_with_lag)


def _standby_reads(scope: Scope) -> Standby | None:
    if scope["type"] != "http" or not str(scope["path"]).startswith(READ_PATHS):
        return None
    container: Container | None = getattr(scope["app"].state, "container", None)
    if container is None or container.standby is None or not container.standby.serves_reads:
        return None
    return container.standby
