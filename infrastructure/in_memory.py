"""A whole turn service in memory: the event store in plain Python objects and the demo directory.

What understanding is measured on, a case at a time on fresh state, and what
turns can be tested with when no database is the point.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.actions import Actions
from application.event_store import ConversationStore
from application.pipeline import TurnPipeline
from application.ports import Clock, IntentClassifier
from application.service import ConversationService
from application.understanding.model import trained_model
from application.understanding.understander import Understanding
from infrastructure.memory_directory import InMemorySiteDirectory

# The day the corpus's questions about work ("what is overdue") are asked on.
CORPUS_DAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def in_memory_service(
    classifier: IntentClassifier | None = None, clock: Clock = lambda: CORPUS_DAY
) -> ConversationService:
    store = ConversationStore({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    directory = InMemorySiteDirectory()
    pipeline = TurnPipeline(
        Actions(directory), classifier or Understanding(trained_model()), idle_timeout=timedelta(hours=1)
    )
    return ConversationService(store, directory, pipeline, clock)
