"""Fixtures: real SQLite files and real PostgreSQL databases, built like production."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from infrastructure.bootstrap import Container, build, migrate
from infrastructure.keys.master import DEVELOPMENT_MASTER_KEY
from infrastructure.settings import Settings
from tests import postgres
from tests.generic_webhook import GENERIC_TOKEN
from tests.ha import figures
from tests.throwaway_postgres import (
    ThrowawayServer,
    ThrowawayServerError,
    throwaway_problem,
    throwaway_server,
)

# Every process a test starts, and every Settings a test builds, seals with the
# development key unless the test says otherwise (PostgreSQL requires one).
os.environ.setdefault("CONVO_MASTER_KEY", DEVELOPMENT_MASTER_KEY)


class FakeClock:
    """An injected clock that only moves when a test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def postgres_server() -> None:
    problem = postgres.server_problem()
    if problem is None:
        return
    if postgres.REQUIRED:
        pytest.fail(f"PostgreSQL is required here: {problem}")
    pytest.skip(problem)


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayServer]:
    """A PostgreSQL server of the test's own (tests/throwaway_postgres.py), which it may stop and
    start; skipped with the reason when none can be made here (fatal under CONVO_TEST_REQUIRE_POSTGRES)."""
    problem = throwaway_problem()
    if problem is not None:
        _cannot_run_postgres(problem)
    # Only making and starting it may skip: a failure inside the test is the test's.
    owned = ExitStack()
    try:
        server = owned.enter_context(throwaway_server())
    except ThrowawayServerError as error:
        _cannot_run_postgres(f"no throwaway PostgreSQL server: {error}")
    with owned:
        yield server


def _cannot_run_postgres(reason: str) -> None:
    if postgres.REQUIRED:
        pytest.fail(f"PostgreSQL is required here: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres_url(postgres_server: None) -> Iterator[str]:
    with postgres.scratch_database() as url:
        yield url


def sqlite_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'convo.db'}", demo_data=True, **overrides)


def postgres_settings(url: str, **overrides: object) -> Settings:
    settings = Settings(database_url=url, demo_data=True, **overrides)
    migrate(settings)
    return settings


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return sqlite_settings(tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    return postgres_settings(url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(settings: Settings, clock: FakeClock) -> Iterator[Container]:
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    # As deployed: the generic webhook takes only its client's token (tests/generic_webhook.py).
    container.settings = container.settings.model_copy(
        update={"generic_webhook_token": SecretStr(GENERIC_TOKEN)}
    )
    with TestClient(create_app(container)) as test_client:
        yield test_client


API_TOKEN = "s3cret-token"
API_AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def audited(container: Container) -> Container:
    """The container with the token the audit, analytics and subjects endpoints take."""
    container.settings = container.settings.model_copy(update={"api_token": SecretStr(API_TOKEN)})
    return container


# `make test` runs on two workers (pytest-xdist), each given whole modules: a module's
# fixtures are made once. The `ha` tests share one three-node cluster, so all of them go
# to the same worker; and what they measured comes back to be printed at the end.


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneClusterScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/ha" if nodeid.startswith("tests/ha/") else super()._split_scope(nodeid)

    return OneClusterScheduling(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)  # only on an xdist worker
    if output is not None:
        output["failover_figures"] = list(figures.LINES)


def pytest_testnodedown(node: object, error: object) -> None:
    figures.LINES.extend(getattr(node, "workeroutput", {}).get("failover_figures", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if figures.LINES:
        terminalreporter.section("failover figures")
        for line in figures.LINES:
            terminalreporter.write_line(line)
