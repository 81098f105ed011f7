"""Bodies that never arrive, over real sockets to `convo serve`: each is cut with a 408 after
CONVO_REQUEST_BODY_TIMEOUT_SECONDS, while webhooks on the same worker are answered meanwhile,
though that worker has a single database connection and a single turn slot."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.generic_webhook import GENERIC_AUTH, GENERIC_TOKEN
from tests.postgres import scratch_database
from tests.servers import prepare_postgres, serving
from tests.turns import KARIM

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BODY_TIMEOUT = 1.0
ANNOUNCED = b'{"message_id": "never", "from": "+33600000001", "text": "Bonjour"}'


@pytest.fixture(scope="module")
def served(postgres_server: None) -> Iterator[tuple[str, int]]:
    """One server for both cases: starting one costs more than either case."""
    with scratch_database() as url:
        yield from _served(url)


def _served(postgres_url: str) -> Iterator[tuple[str, int]]:
    env = {
        **os.environ,
        "CONVO_DATABASE_URL": postgres_url,
        "CONVO_GENERIC_WEBHOOK_TOKEN": GENERIC_TOKEN,
        "CONVO_REQUEST_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
        # Were a stalled request to take the one connection or the one slot, turns would get 503s.
        "CONVO_POOL_SIZE": "1",
        "CONVO_POOL_MAX_OVERFLOW": "0",
        "CONVO_BUSY_WAIT_SECONDS": "0.2",
        "CONVO_LOG_LEVEL": "warning",
    }
    prepare_postgres(env)
    with serving(env, workers=1) as base:
        yield base, int(base.rsplit(":", 1)[1])


def stalled_post(port: int, body: bytes, trickle: bool) -> tuple[bytes, float]:
    """Announces the whole body and sends a part of it (all at once, or a byte every 0.1 s);
    returns the server's answer and how long after the headers it came."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        head = (
            f"POST /webhooks/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {GENERIC_TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        connection.sendall(head.encode())
        sent_at = time.monotonic()
        if trickle:
            connection.setblocking(False)
            answer = b""
            for byte in body:
                try:
                    connection.sendall(bytes([byte]))
                    answer += connection.recv(4096)
                except BlockingIOError:
                    pass  # nothing to read yet
                except OSError:
                    break  # the server closed it
                if answer:
                    break
                time.sleep(0.1)
            connection.setblocking(True)
        else:
            connection.sendall(body[: len(body) // 2])
            answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer, time.monotonic() - sent_at


@pytest.mark.parametrize("trickle", [False, True], ids=["short body", "trickle"])
def test_a_body_that_never_arrives_is_cut_and_starves_nothing(served: tuple[str, int], trickle: bool) -> None:
    base, port = served
    results: list[tuple[bytes, float]] = []
    stalled = [
        threading.Thread(target=lambda: results.append(stalled_post(port, ANNOUNCED * 20, trickle)))
        for _ in range(3)
    ]
    for thread in stalled:
        thread.start()
    time.sleep(0.2)
    with httpx.Client(timeout=5) as client:
        answered = [
            client.post(
                f"{base}/webhooks/generic",
                json={"message_id": f"meanwhile-{trickle}-{n}", "from": KARIM, "text": "Bonjour"},
                headers=GENERIC_AUTH,
            ).status_code
            for n in range(3)
        ]
    for thread in stalled:
        thread.join(10)

    assert answered == [200, 200, 200]
    assert len(results) == 3
    for answer, seconds in results:
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"did not arrive within 1 s" in answer
        assert BODY_TIMEOUT - 0.05 <= seconds < BODY_TIMEOUT + 1.0, seconds
