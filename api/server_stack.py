"""The HTTP server stack `convo serve` runs: uvicorn with httptools' parser on uvloop's event loop.

Chosen by `python -m bench.workers_latency`. On a kept-alive connection each response is written
in pieces; with Nagle's algorithm on, the last piece waits for the client's delayed ACK, about
40 ms on Linux. asyncio turns Nagle off only for connections accepted on a listener that says it is
TCP, which the socket uvicorn binds for `--workers N` does not say in some releases (0.30 among
them): every request paid 40 ms there and not with one worker. uvloop turns it off on every TCP
connection it accepts, whoever bound the listener, and httptools parses requests in C. Both are
named, not left to uvicorn's "auto", so a missing one fails at start instead of quietly bringing
the stall back.
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict

HTTP_PARSER: Final = "httptools"
EVENT_LOOP: Final = "uvloop"


class ServerStack(TypedDict):
    http: Literal["httptools"]
    loop: Literal["uvloop"]


def server_stack() -> ServerStack:
    """uvicorn's options for the stack, as `convo serve` passes them."""
    return {"http": HTTP_PARSER, "loop": EVENT_LOOP}
