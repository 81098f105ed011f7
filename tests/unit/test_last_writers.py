"""The board of last writers is shared by real processes through its file, and only a hint."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from uuid import uuid4

from api.running import LAST_WRITERS_FILE, _remove_boards_of_dead_servers, workers_share_last_writers
from infrastructure.last_writers import SLOTS, SharedLastWriters, make_board


def _write_from_another_process(board: Path, conversation_hex: str, version: int) -> None:
    from uuid import UUID

    SharedLastWriters(board).wrote(UUID(conversation_hex), version)


def test_a_write_of_another_process_makes_this_ones_copy_not_the_last(tmp_path: Path) -> None:
    board = tmp_path / "board"
    make_board(board)
    here = SharedLastWriters(board)
    conversation = uuid4()
    assert not here.wrote_last(conversation, 3)  # nobody wrote it yet
    here.wrote(conversation, 3)
    assert here.wrote_last(conversation, 3)
    assert not here.wrote_last(conversation, 2)  # an older copy is not the last write

    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_write_from_another_process, args=(board, conversation.hex, 4))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0

    assert not here.wrote_last(conversation, 3)
    assert not here.wrote_last(conversation, 4)  # the other process's write, not this one's


def test_conversations_sharing_a_slot_only_ever_say_read_first(tmp_path: Path) -> None:
    board = tmp_path / "board"
    make_board(board)
    here = SharedLastWriters(board, writer=1)
    first = uuid4()
    # Another id falling on the same slot.
    second = type(first)(int=(first.int + SLOTS) % (1 << 128))
    here.wrote(first, 7)
    here.wrote(second, 7)
    assert here.wrote_last(second, 7)
    assert not here.wrote_last(first, 7)  # pushed out: read first, never wrongly trusted


def test_serve_with_several_workers_makes_the_board_and_removes_it_after() -> None:
    with workers_share_last_writers(1):
        assert LAST_WRITERS_FILE not in os.environ
    with workers_share_last_writers(2):
        board = Path(os.environ[LAST_WRITERS_FILE])
        assert board.stat().st_size > 0
        SharedLastWriters(board).wrote(uuid4(), 1)
    assert LAST_WRITERS_FILE not in os.environ
    assert not board.exists()


def test_a_board_left_by_a_server_killed_outright_is_removed_by_the_next(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    gone = context.Process(target=os.getpid)
    gone.start()
    gone.join(timeout=60)
    assert gone.pid is not None
    left_behind = tmp_path / f"convo-last-writers-{gone.pid}-abc"
    make_board(left_behind)
    ours = tmp_path / f"convo-last-writers-{os.getpid()}-def"
    make_board(ours)

    _remove_boards_of_dead_servers(tmp_path)

    assert not left_behind.exists()
    assert ours.exists()  # a running server's board stays
