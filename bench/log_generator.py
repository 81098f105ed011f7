"""Fills an event store fast with realistic conversations, for benchmarks.

Turns go through the real pipeline and aggregates; only the site directory is
an in-memory stand-in, and saves are batched, so a million events take a
minute rather than an hour of webhook calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from application.actions import Actions
from application.event_store import ConversationStore
from application.inbound import Inbound, PressedButton
from application.pipeline import TurnPipeline
from application.ports import DirectoryChange, Site, Subcontractor, Task
from application.understanding.understander import Understanding
from domain.conversation import Conversation
from domain.values import Reply

SITES = [Site(f"P-{n}", f"Chantier {n}", "Lyon", f"{n} rue de la Paix") for n in range(4)]
TASKS = {
    site.id: [
        Task(f"T-{site.id}-{k}", site.id, f"Tâche {k}", "todo", date(2026, 12, 1), "") for k in range(4)
    ]
    for site in SITES
}


class InMemoryDirectory:
    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        return Subcontractor(f"S-{phone}", phone, "Bench User", "Bench SARL", "fr")

    def find_subcontractor_by_telegram(self, telegram_user_id: str) -> Subcontractor | None:
        return None

    def sites_of(self, subcontractor_id: str) -> list[Site]:
        return SITES

    def site_of(self, subcontractor_id: str, project_id: str) -> Site | None:
        return next((s for s in SITES if s.id == project_id), None)

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        site = self.site_of(subcontractor_id, project_id)
        return (site, TASKS[project_id]) if site else None

    def task_of(self, subcontractor_id: str, task_id: str) -> Task | None:
        return next((t for tasks in TASKS.values() for t in tasks if t.id == task_id), None)

    def task_names_of(self, subcontractor_id: str) -> list[Task]:
        return self.tasks_of(subcontractor_id)

    def tasks_of(self, subcontractor_id: str) -> list[Task]:
        return [t for tasks in TASKS.values() for t in tasks]

    def apply_change(self, change: DirectoryChange) -> bool:
        return True

    def ping(self) -> None:
        pass

    def close(self) -> None:
        pass


class ConversationGenerator:
    def __init__(self, seed: int = 1) -> None:
        self._pipeline = TurnPipeline(Actions(InMemoryDirectory()), Understanding(), timedelta(minutes=60))
        self._directory = InMemoryDirectory()
        self._rng = random.Random(seed)
        self._messages = 0

    def play(
        self, conversation: Conversation | None, contact: str, turns: int, start: datetime
    ) -> Conversation:
        """Plays `turns` turns on the conversation (started if None); events stay pending."""
        at = start
        reply: Reply | None = None
        subcontractor = self._directory.find_subcontractor(contact)
        for _ in range(turns):
            self._messages += 1
            message_id = f"bench-{self._messages}"
            at += timedelta(minutes=self._rng.choice([1, 2, 5, 90]))
            if conversation is None:
                conversation = Conversation(
                    contact=contact, subcontractor_id=subcontractor.id if subcontractor else None,
                    language="fr", message_id=message_id, at=at,
                )  # fmt: skip
            if reply and reply["choices"] and self._rng.random() < 0.6:
                choice = self._rng.choice(reply["choices"])
                inbound = Inbound(
                    "bench", message_id, contact, button=PressedButton(choice["id"], choice["title"])
                )
            else:
                text = self._rng.choice(["Bonjour", "mes chantiers", "2", "aide", "c'est fait", "blabla"])
                inbound = Inbound("bench", message_id, contact, text=text)
            reply = self._pipeline.play(conversation, inbound, subcontractor, at)
        assert conversation is not None
        return conversation


def fill(
    store: ConversationStore,
    *,
    events: int,
    turns_per_conversation: int = 12,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes at least `events` events across many conversations; returns how many."""
    generator = ConversationGenerator()
    written = 0
    number = 0
    start = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    while written < events:
        batch = []
        for _ in range(200):
            number += 1
            batch.append(generator.play(None, f"+3368{number:07d}", turns_per_conversation, start))
        written += sum(len(c.pending_events) for c in batch)
        store.save(*batch)
        if progress:
            progress(written)
    return written


def grow(store: ConversationStore, contact: str, *, events: int) -> Conversation:
    """One conversation with at least `events` events, saved every few hundred."""
    generator = ConversationGenerator(seed=7)
    conversation: Conversation | None = None
    at = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    while conversation is None or conversation.version < events:
        remaining = events - (conversation.version if conversation else 0)
        conversation = generator.play(conversation, contact, max(1, min(50, remaining // 5)), at)
        at += timedelta(days=1)
        store.save(conversation)
    return conversation
