"""`convo chat`: a terminal conversation with the bot, buttons shown as numbered choices."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from rich.console import Console

from application.inbound import Inbound, PressedButton
from application.service import ConversationService
from domain.values import Choice, Reply


class ServerRefusedError(RuntimeError):
    """The server answered a message with an error (a missing token, a bad phone number...)."""


class ChatTransport(Protocol):
    def send(self, message: dict[str, Any]) -> dict[str, Any]: ...


class InProcessTransport:
    """Runs the turn in this process, on the configured store."""

    def __init__(self, service: ConversationService) -> None:
        self._service = service

    def send(self, message: dict[str, Any]) -> dict[str, Any]:
        button = message.get("button")
        outcome = self._service.handle(
            Inbound(
                channel="generic",
                message_id=message["message_id"],
                sender=message["from"],
                text=message.get("text"),
                button=PressedButton(button["id"], button["title"]) if button else None,
            )
        )
        return {"session_id": outcome.session_id, "duplicate": outcome.duplicate, "reply": outcome.reply}


class HttpTransport:
    """Talks to a running server's generic webhook, with its bearer token."""

    def __init__(self, base_url: str, token: str | None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def send(self, message: dict[str, Any]) -> dict[str, Any]:
        response = self._client.post("/webhooks/generic", json=message)
        if response.status_code >= 400:
            body = response.json() if response.content else {}
            raise ServerRefusedError(f"{response.status_code}: {body.get('detail', response.text)}")
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._client.close()


class ChatSession:
    """Reads lines, sends them as text or, when a line is a choice's number, as its button."""

    def __init__(self, transport: ChatTransport, sender: str, console: Console) -> None:
        self._transport = transport
        self._sender = sender
        self._console = console
        self._choices: list[Choice] = []

    def run(self, read_line: Callable[[], str]) -> int:
        self._console.print(
            f"[dim]Chatting as {self._sender}. Type a message, a choice's number, or /quit.[/dim]"
        )
        turns = 0
        while True:
            try:
                line = read_line().strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            if not line:
                continue
            self.say(line)
            turns += 1
        return turns

    def say(self, line: str) -> Reply:
        message: dict[str, Any] = {"message_id": f"chat-{uuid.uuid4()}", "from": self._sender}
        if line.isdigit() and 1 <= int(line) <= len(self._choices):
            picked = self._choices[int(line) - 1]
            message["button"] = {"id": picked["id"], "title": picked["title"]}
            self._console.print(f"[cyan]> [{picked['title']}][/cyan]")
        else:
            message["text"] = line
        answer = self._transport.send(message)
        reply: Reply = answer["reply"]
        self._show(reply)
        return reply

    def _show(self, reply: Reply) -> None:
        self._console.print(f"[bold green]bot:[/bold green] {reply['text']}", highlight=False)
        self._choices = list(reply["choices"])
        for number, choice in enumerate(self._choices, start=1):
            description = choice.get("description", "")
            suffix = f" [dim]— {description}[/dim]" if description else ""
            self._console.print(f"  [bold]{number}[/bold]. {choice['title']}{suffix}", highlight=False)
