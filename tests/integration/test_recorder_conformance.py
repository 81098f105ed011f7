"""The eventsourcing library's own conformance tests for an application recorder, run against
the recorder convo writes with (one function call per insert, group commit), on PostgreSQL."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from application.event_store import ConversationStore
from infrastructure.bootstrap import migrate
from infrastructure.persistence import event_store_env
from infrastructure.recorders import ConvoPostgresRecorder
from tests import postgres
from tests.conftest import postgres_settings

pytestmark = pytest.mark.postgres


class TestConvoRecorderConforms(ApplicationRecorderTestCase[ConvoPostgresRecorder]):
    # Timings printed by the library, not conformance: benchmarks live in bench/.
    test_performance = None  # type: ignore[assignment]
    test_concurrent_throughput = None  # type: ignore[assignment]

    def setUp(self) -> None:
        problem = postgres.server_problem()
        if problem is not None:
            if postgres.REQUIRED:
                pytest.fail(f"PostgreSQL is required here: {problem}")
            pytest.skip(problem)
        self._owned = ExitStack()
        settings = postgres_settings(self._owned.enter_context(postgres.scratch_database()))
        migrate(settings)  # the tables and the insert function, as in production
        self._store = ConversationStore(event_store_env(settings))
        self._owned.callback(self._store.close)
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self._owned.close()

    def create_recorder(self) -> ConvoPostgresRecorder:
        recorder: Any = self._store.recorder
        assert isinstance(recorder, ConvoPostgresRecorder)
        return recorder
