"""A turn that meets a conversation being erased waits for the erasure, whatever its retries allow."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from application.inbound import Inbound
from application.service import ConversationService, RetryPolicy, TurnConflictError
from infrastructure.in_memory import in_memory_service

KARIM = "+33600000001"


def erased_service(finished_after: int, retry: RetryPolicy) -> tuple[ConversationService, list[int]]:
    service = in_memory_service()
    service._retry = retry  # type: ignore[attr-defined]
    service.handle(Inbound(channel="generic", message_id="before", sender=KARIM, text="Bonjour"))
    conversation = service.store.conversation(KARIM)
    assert conversation is not None
    conversation.erase(at=datetime.now(UTC))
    service.store.save(conversation)
    asked: list[int] = []

    def finished(_id: UUID, _version: int, _contact: str) -> bool:
        asked.append(1)
        return len(asked) > finished_after

    service.erasure_finished = finished
    return service, asked


def test_a_slow_erasure_is_waited_for_beyond_the_retry_attempts() -> None:
    retry = RetryPolicy(max_attempts=3, max_delay=0.004, erasure_wait=5.0)
    service, asked = erased_service(finished_after=10, retry=retry)
    outcome = service.handle(Inbound(channel="generic", message_id="after", sender=KARIM, text="Bonjour"))
    assert len(asked) == 11  # ten waits, more than the three attempts a lost race gets
    assert not outcome.duplicate
    restarted = service.store.conversation(KARIM)
    assert restarted is not None and not restarted.erased


def test_an_erasure_that_never_finishes_gives_up_in_bounded_time() -> None:
    retry = RetryPolicy(max_attempts=3, max_delay=0.004, erasure_wait=0.05)
    service, _ = erased_service(finished_after=10_000, retry=retry)
    with pytest.raises(TurnConflictError, match="erasure"):
        service.handle(Inbound(channel="generic", message_id="after", sender=KARIM, text="Bonjour"))
