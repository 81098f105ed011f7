"""Webhooks from several threads, each message with its own id, every answer recorded.

Half the threads are the demo subcontractors on the generic webhook (whose answer
carries the reply and `duplicate`); the other half are WhatsApp messages, each from
a number of its own, so that the reply the delivery worker sends to that number
is the reply to that message and nothing else.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from infrastructure.channels.whatsapp.webhook import signature
from tests.ha.deployment import GENERIC_TOKEN, Deployment
from tests.provider_payloads import APP_SECRET, wa_text, whatsapp_notification
from tests.turns import JAMES, KARIM, SOPHIE

TIMEOUT = 15.0  # the client's patience: an answer slower than this is a hang
TEXTS = ("Bonjour", "mes chantiers", "aide", "menu")


@dataclass(frozen=True)
class Message:
    kind: str  # "generic" or "whatsapp"
    message_id: str
    sender: str  # a phone number (generic) or a wa_id (WhatsApp)
    text: str


@dataclass(frozen=True)
class Answer:
    message: Message
    status: int  # 0: no answer at all (timeout, refused connection)
    started: float  # time.monotonic()
    ended: float
    retry_after: str | None
    body: dict[str, Any] | None
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300


def send(client: httpx.Client, base: str, message: Message) -> Answer:
    started = time.monotonic()
    try:
        if message.kind == "generic":
            response = client.post(
                f"{base}/webhooks/generic",
                json={"message_id": message.message_id, "from": message.sender, "text": message.text},
                headers={"Authorization": f"Bearer {GENERIC_TOKEN}"},
            )
        else:
            raw = json.dumps(
                whatsapp_notification([wa_text(message.message_id, message.text, sender=message.sender)])
            ).encode()
            response = client.post(
                f"{base}/webhooks/whatsapp",
                content=raw,
                headers={
                    "content-type": "application/json",
                    "X-Hub-Signature-256": signature(raw, APP_SECRET),
                },
            )
    except httpx.HTTPError as error:
        return Answer(message, 0, started, time.monotonic(), None, None, f"{type(error).__name__}: {error}")
    try:
        body = response.json()
    except ValueError:
        body = None
    return Answer(
        message, response.status_code, started, time.monotonic(), response.headers.get("retry-after"), body
    )


class Load:
    """Runs from `start()` to `stop()`; `answers` grows as they come."""

    def __init__(self, deployment: Deployment, name: str, series: int, threads: int = 6) -> None:
        """`series` (1-9) keeps this load's WhatsApp numbers apart from another's."""
        self._deployment = deployment
        self._name = name
        self._series = series
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.answers: list[Answer] = []
        self.started = 0.0
        self.stopped = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(TIMEOUT + 5)
        self.stopped = time.monotonic()

    def acknowledged_since(self, moment: float) -> list[Answer]:
        """Acknowledged answers to requests sent after `moment`."""
        with self._lock:
            return [a for a in self.answers if a.acknowledged and a.started >= moment]

    def _messages(self, n: int) -> Iterable[Message]:
        texts = itertools.cycle(TEXTS)
        for i in itertools.count(1):
            message_id = f"{self._name}-{n}-{i}"
            if n % 2 == 0:
                yield Message("generic", message_id, (KARIM, SOPHIE, JAMES)[n // 2 % 3], next(texts))
            else:
                # A number of its own for every message: a French mobile, 336 + series + thread + counter.
                yield Message("whatsapp", f"wamid.{message_id}", f"336{self._series}{n}{i:06d}", "Bonjour")

    def _run(self, n: int) -> None:
        servers = self._deployment.servers
        with httpx.Client(timeout=TIMEOUT) as client:
            for i, message in enumerate(self._messages(n)):
                if self._stop.is_set():
                    return
                answer = send(client, servers[(n + i) % len(servers)], message)
                with self._lock:
                    self.answers.append(answer)
                if not answer.acknowledged:
                    time.sleep(0.05)  # as a provider would, a moment before the next one


def redeliver(deployment: Deployment, answers: list[Answer], threads: int = 6) -> list[Answer]:
    """Every message again, once each, as providers do for days; one answer per message, same order."""
    messages = [a.message for a in answers]
    results: list[Answer | None] = [None] * len(messages)
    servers = deployment.servers

    def work(n: int) -> None:
        with httpx.Client(timeout=TIMEOUT) as client:
            for i in range(n, len(messages), threads):
                results[i] = send(client, servers[i % len(servers)], messages[i])

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [r for r in results if r is not None]
