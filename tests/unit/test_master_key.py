"""The master key: required outside development, wrapping bound to key ids, rotation."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr

from infrastructure.keys.configured import master_key_of
from infrastructure.keys.master import (
    DEVELOPMENT_MASTER_KEY,
    MasterKey,
    MasterKeyError,
    new_master_key,
    parse_master_key,
)
from infrastructure.settings import Settings


def test_postgres_without_a_master_key_is_a_clear_start_up_error() -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", master_key=None)
    with pytest.raises(MasterKeyError, match="CONVO_MASTER_KEY is not set"):
        master_key_of(settings)


def test_sqlite_without_a_master_key_uses_the_development_key(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", master_key=None)
    assert master_key_of(settings).current_key == parse_master_key(DEVELOPMENT_MASTER_KEY)


@pytest.mark.parametrize("bad", ["short", "bm90IDMyIGJ5dGVz", "!!!"])
def test_a_malformed_master_key_is_refused(bad: str) -> None:
    with pytest.raises(MasterKeyError):
        parse_master_key(bad)


def test_a_wrapped_key_opens_only_with_its_key_id_and_a_known_master() -> None:
    master = MasterKey(parse_master_key(new_master_key()))
    key_id, data_key = uuid4(), b"k" * 32
    wrapped = master.wrap(key_id, data_key)
    assert master.unwrap(key_id, wrapped) == data_key
    with pytest.raises(InvalidTag):
        master.unwrap(uuid4(), wrapped)  # moved to another key's row: refused
    other = MasterKey(parse_master_key(new_master_key()))
    with pytest.raises(MasterKeyError, match="not configured"):
        other.unwrap(key_id, wrapped)


def test_after_a_rotation_the_previous_key_still_opens_until_rewrapped() -> None:
    old, new = parse_master_key(new_master_key()), parse_master_key(new_master_key())
    key_id = uuid4()
    wrapped = MasterKey(old).wrap(key_id, b"d" * 32)
    rotating = MasterKey(new, previous=[old])
    assert not rotating.is_current(wrapped)
    rewrapped = rotating.wrap(key_id, rotating.unwrap(key_id, wrapped))
    assert rotating.is_current(rewrapped) and MasterKey(new).unwrap(key_id, rewrapped) == b"d" * 32


def test_settings_take_previous_keys_comma_separated() -> None:
    old, new = new_master_key(), new_master_key()
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none",
        master_key=SecretStr(new),
        previous_master_keys=SecretStr(f"{old}, "),
    )
    key_id = uuid4()
    wrapped = MasterKey(parse_master_key(old)).wrap(key_id, b"x" * 32)
    assert master_key_of(settings).unwrap(key_id, wrapped) == b"x" * 32
