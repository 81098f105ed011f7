"""A turn starts from this process's cached conversation without reading the log, and
still never acts on a copy another process has moved on: two containers on one database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from application.written_elsewhere import QUIET_READS
from domain.identity import conversation_id_for
from infrastructure.bootstrap import Container, build
from infrastructure.last_writers import SharedLastWriters, make_board
from infrastructure.settings import Settings
from tests.conftest import FakeClock
from tests.turns import KARIM, recorded, say


@pytest.fixture
def other(settings: Settings, clock: FakeClock) -> Iterator[Container]:
    """A second worker process's view: its own caches, the same database."""
    built = build(settings.model_copy(update={"demo_data": False}), clock=clock)
    yield built
    built.close()


class _Reads:
    """Counts the reads of a conversation's newer events a container's store sends."""

    def __init__(self, container: Container) -> None:
        self.count = 0
        recorder: Any = container.store.recorder
        select_events: Callable[..., Any] = recorder.select_events

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return select_events(*args, **kwargs)

        recorder.select_events = counted


def _replayed_behind() -> float:
    return REGISTRY.get_sample_value("convo_turns_replayed_behind_total", {"channel": "generic"}) or 0.0


def test_a_turn_of_a_conversation_this_process_wrote_last_reads_no_events(container: Container) -> None:
    say(container.service, "Bonjour")
    reads = _Reads(container)
    sites = say(container.service, "mes chantiers")
    first = say(container.service, "1")
    assert reads.count == 0
    assert sites.reply["choices"][0]["title"] in first.reply["text"]
    versions = [event.originator_version for event in recorded(container)]
    assert versions == list(range(1, len(versions) + 1))


def test_a_copy_another_process_moved_on_is_read_and_the_turn_played_again(
    container: Container, other: Container
) -> None:
    say(container.service, "Bonjour")
    # The other worker lists the sites: this process's copy does not know that list.
    listed = say(other.service, "mes chantiers")
    first_site = listed.reply["choices"][0]["title"]
    replayed_before = _replayed_behind()

    picked = say(container.service, "1")

    # "1" is read against the list the other worker showed, which only a fresh copy knows.
    assert first_site in picked.reply["text"]
    assert not picked.duplicate
    assert picked.attempts == 1  # no race was lost: only a copy was behind
    assert container.service.conflicts == 0
    assert picked.replayed_behind == 1
    assert _replayed_behind() == replayed_before + 1  # what operators see on /metrics
    assert conversation_id_for(KARIM) in container.store.written_elsewhere
    events = recorded(container)
    versions = [event.originator_version for event in events]
    assert versions == list(range(1, len(versions) + 1))
    assert sum(type(e).__name__ == "MessageReceived" for e in events) == 3


def test_a_conversation_written_elsewhere_is_read_first_until_reads_find_nothing_new(
    container: Container, other: Container
) -> None:
    say(container.service, "Bonjour")
    say(other.service, "aide")
    say(container.service, "mes chantiers")  # found behind: noted as written elsewhere
    reads = _Reads(container)
    for _ in range(QUIET_READS):
        say(container.service, "aide")
    assert reads.count == QUIET_READS
    assert conversation_id_for(KARIM) not in container.store.written_elsewhere
    say(container.service, "aide")
    assert reads.count == QUIET_READS  # its own again: taken from the cache


def test_a_redelivery_to_a_process_whose_copy_is_behind_answers_the_first_reply(
    container: Container, other: Container
) -> None:
    say(container.service, "Bonjour")
    first = say(other.service, "mes chantiers", message_id="wamid.twice")
    before = len(recorded(container))

    again = say(container.service, "mes chantiers", message_id="wamid.twice")

    assert again.duplicate
    assert again.reply == first.reply
    assert len(recorded(container)) == before


def test_workers_sharing_a_board_read_only_what_another_wrote_last(
    container: Container, other: Container, tmp_path: Path
) -> None:
    make_board(tmp_path / "board")
    container.store.last_writers = SharedLastWriters(tmp_path / "board", writer=1)
    other.store.last_writers = SharedLastWriters(tmp_path / "board", writer=2)
    say(container.service, "Bonjour")
    listed = say(other.service, "mes chantiers")
    reads = _Reads(container)

    picked = say(container.service, "1")  # the board names the other worker: read first
    assert reads.count == 1
    assert listed.reply["choices"][0]["title"] in picked.reply["text"]
    assert conversation_id_for(KARIM) not in container.store.written_elsewhere  # nothing was behind

    say(container.service, "aide")  # this worker wrote last: from its cache
    assert reads.count == 1
