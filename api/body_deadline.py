"""A request's body must arrive within CONVO_REQUEST_BODY_TIMEOUT_SECONDS, or it is answered 408.

The whole body is read here, before the application sees the request: a client that announces
more than it sends, or trickles it a byte at a time, holds no turn slot and no database
connection while it dawdles, only this coroutine, and other requests go on meanwhile.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_JSON
from infrastructure.settings import Settings

DEFAULTS = Settings.model_construct()


class RequestBodyDeadline:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        try:
            async with asyncio.timeout(_seconds(scope)):
                while True:
                    message = await receive()
                    received.append(message)
                    if message["type"] != "http.request" or not message.get("more_body", False):
                        break
        except TimeoutError:
            await _too_slow(scope, send)
            return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)


def _seconds(scope: Scope) -> float:
    # The settings live with the container, which the app builds at start-up.
    container = getattr(scope["app"].state, "container", None)
    settings = container.settings if container is not None else DEFAULTS
    seconds: float = settings.request_body_timeout_seconds
    return seconds


async def _too_slow(scope: Scope, send: Send) -> None:
    seconds = _seconds(scope)
    body = json.dumps(
        {
            "type": "/problems/request-timeout",
            "title": "Request timeout",
            "status": 408,
            "detail": f"the request body did not arrive within {seconds:g} s",
            "instance": scope["path"],
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        # The rest of the body may still come: the connection cannot carry another request.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 408, "headers": headers})
    await send({"type": "http.response.body", "body": body})
