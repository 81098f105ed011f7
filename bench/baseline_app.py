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
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from bench.baseline import INSERT_MESSAGES, LAST_MESSAGES, SITES, UPSERT_SESSION

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
    with _connections().connection() as connection, connection.transaction():
        session = connection.execute(UPSERT_SESSION, (message.sender,), prepare=True).fetchone()
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
                message.message_id,
                Jsonb({"text": message.text}),
                session_id,
                Jsonb(tool),
                session_id,
                Jsonb(reply),
            ),
            prepare=True,
        )
    return {"reply": reply}


@app.post("/webhooks/generic")
def webhook(message: GenericMessage) -> dict[str, Any]:
    # A plain `def`, as convo's webhook: FastAPI runs it in its thread pool.
    return _turn(message)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
