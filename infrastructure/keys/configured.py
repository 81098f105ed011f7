"""The master key and the id secret, as the settings and the database give them."""

from __future__ import annotations

import hashlib
import hmac
import logging
from uuid import UUID

from infrastructure.database import Database
from infrastructure.keys.master import DEVELOPMENT_MASTER_KEY, MasterKey, MasterKeyError, parse_master_key
from infrastructure.settings import Settings

log = logging.getLogger(__name__)

ID_SECRET = "conversation_ids"  # noqa: S105 (the name of a row, not a secret)
# Binds the wrapped id secret to its purpose, as a key id binds a data key.
_ID_SECRET_KEY_ID = UUID("0c6f6e76-6f00-4000-8000-69642d736563")
_PUBLIC_IDS = b""  # stored in place of a secret: ids stay derived as they were before keys


def master_key_of(settings: Settings) -> MasterKey:
    text = settings.master_key.get_secret_value() if settings.master_key else ""
    if not text:
        if settings.is_postgres:
            raise MasterKeyError(
                "CONVO_MASTER_KEY is not set: every person's data is sealed with keys it wraps. "
                "Make one with `convo new-master-key`, keep it out of the database (a secret store), "
                "and set it for every process of the service."
            )
        log.warning("CONVO_MASTER_KEY is not set: the development key protects this SQLite file")
        text = DEVELOPMENT_MASTER_KEY
    previous_text = settings.previous_master_keys.get_secret_value() if settings.previous_master_keys else ""
    previous = [parse_master_key(part) for part in previous_text.split(",") if part.strip()]
    return MasterKey(parse_master_key(text), previous)


def id_secret(database: Database, master: MasterKey, *, log_is_empty: bool) -> bytes | None:
    """The secret conversation and receipt ids are derived with: made once, kept wrapped.

    Made from the master key the first time, so every store of one deployment (and
    every test store) agrees; kept in the database, so rotating the master key
    never changes an id. A store that already held events when it was first
    started with keys keeps the public derivation (None): its conversations and
    receipts stay where they are, and exactly-once holds across the upgrade.
    """
    row = database.fetch_one("SELECT wrapped FROM service_secrets WHERE name = %s", (ID_SECRET,))
    if row is None:
        if log_is_empty:
            secret = hmac.new(master.current_key, b"convo conversation ids", hashlib.sha256).digest()
        else:
            secret = _PUBLIC_IDS
            log.warning(
                "this store holds events from before ids were keyed: it keeps public conversation ids "
                "(see README, Personal data)"
            )
        with database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO service_secrets (name, wrapped) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (ID_SECRET, master.wrap(_ID_SECRET_KEY_ID, secret)),
            )
        row = database.fetch_one("SELECT wrapped FROM service_secrets WHERE name = %s", (ID_SECRET,))
        assert row is not None
    secret = master.unwrap(_ID_SECRET_KEY_ID, bytes(row["wrapped"]))
    return None if secret == _PUBLIC_IDS else secret


def rewrap_secrets(database: Database, master: MasterKey) -> int:
    """Wraps the service's own secrets with the current master key; returns how many changed."""
    changed = 0
    for row in database.fetch_all("SELECT name, wrapped FROM service_secrets"):
        wrapped = bytes(row["wrapped"])
        if master.is_current(wrapped):
            continue
        secret = master.unwrap(_ID_SECRET_KEY_ID, wrapped)
        with database.transaction() as cursor:
            cursor.execute(
                "UPDATE service_secrets SET wrapped = %s WHERE name = %s",
                (master.wrap(_ID_SECRET_KEY_ID, secret), row["name"]),
            )
        changed += 1
    return changed
