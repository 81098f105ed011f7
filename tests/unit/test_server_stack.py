"""The server stack `convo serve` runs turns Nagle's algorithm off on every connection it accepts.

With Nagle on, each response on a kept-alive connection waits ~40 ms for the client's delayed ACK
(bench/workers_latency.py measures it). The listener here is bound as uvicorn binds it for
`--workers N`, and also as some uvicorn releases did (without saying it is TCP), where asyncio's
own loop leaves Nagle on: the stack must not depend on which release is installed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest
import uvicorn

from api.server_stack import server_stack


def _config(**stack: str) -> uvicorn.Config:
    options = {**server_stack(), **stack}
    return uvicorn.Config("api.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2, **options)  # type: ignore[arg-type]


def _listener_as_uvicorn_binds(config: uvicorn.Config) -> socket.socket:
    return config.bind_socket()


def _listener_without_its_protocol(_config: uvicorn.Config) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto left at 0
    listener.bind(("127.0.0.1", 0))
    return listener


def _nodelay_of_accepted_connection(config: uvicorn.Config, listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of a connection accepted on `listener` by the config's loop."""
    accepted: asyncio.Future[int]

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def serve_one() -> int:
        nonlocal accepted
        accepted = asyncio.get_running_loop().create_future()
        server = await asyncio.get_running_loop().create_server(Report, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            try:
                return await asyncio.wait_for(accepted, timeout=10)
            finally:
                writer.close()

    loop_factory = config.get_loop_factory()
    assert loop_factory is not None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(serve_one())


def test_convo_serve_names_httptools_and_uvloop() -> None:
    config = _config()
    config.load()  # imports the named protocol, as a worker does at start
    assert config.http_protocol_class.__module__ == "uvicorn.protocols.http.httptools_impl"
    loop_factory = config.get_loop_factory()
    assert loop_factory is not None
    loop = loop_factory()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()


@pytest.mark.parametrize("bind", [_listener_as_uvicorn_binds, _listener_without_its_protocol])
def test_every_accepted_connection_has_nagle_off(bind: Callable[[uvicorn.Config], socket.socket]) -> None:
    config = _config()
    with bind(config) as listener:
        assert _nodelay_of_accepted_connection(config, listener) != 0


def test_asyncio_alone_leaves_nagle_on_behind_a_listener_without_its_protocol() -> None:
    # Why the loop is named: the default loop depends on how the listener was made.
    config = _config(loop="asyncio")
    with _listener_without_its_protocol(config) as listener:
        assert _nodelay_of_accepted_connection(config, listener) == 0
