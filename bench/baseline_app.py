"""The baseline design (bench/baseline.py) behind the same web stack as convo: FastAPI on uvicorn.

`BENCH_DATABASE_URL=... python -m uvicorn bench.baseline_app:app --workers 2 --http httptools
--loop uvloop`. It takes convo's generic webhook body and answers with a reply, as convo does; each
worker has its own pool, as convo's workers do.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from bench.baseline import turn

_subcontractors: dict[str, str] = {}
_pools: list[ConnectionPool[Any]] = []  # this worker's pool, opened with the app


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """One pool per worker; the tables are made by the benchmark before the server starts."""
    size = int(os.environ.get("BENCH_POOL_SIZE", "4"))
    _pools.append(ConnectionPool(os.environ["BENCH_DATABASE_URL"], min_size=size, max_size=size, open=True))
    yield
    _pools.pop().close()


app = FastAPI(lifespan=_lifespan)


class GenericMessage(BaseModel):
    message_id: str
    sender: str = Field(alias="from")
    text: str


def _connections() -> ConnectionPool[Any]:
    return _pools[0]


def _subcontractor_of(phone: str) -> str:
    found = _subcontractors.get(phone)
    if found is None:
        with _connections().connection() as connection:
            row = connection.execute("SELECT id FROM subcontractors WHERE phone = %s", (phone,)).fetchone()
        found = _subcontractors[phone] = str(row[0]) if row else ""
    return found


def _turn(message: GenericMessage) -> dict[str, Any]:
    subcontractor_id = _subcontractor_of(message.sender)
    with _connections().connection() as connection:
        reply = turn(connection, message.sender, subcontractor_id, message.message_id, message.text)
    return {"reply": reply}


@app.post("/webhooks/generic")
def webhook(message: GenericMessage) -> dict[str, Any]:
    # A plain `def`, as convo's webhook: FastAPI runs it in its thread pool.
    return _turn(message)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
