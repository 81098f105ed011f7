"""The composition root: builds the whole object graph from settings.

The service, the command line and the tests all build it here, with other settings.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from application.actions import Actions
from application.analytics import AnalyticsReader
from application.audit import AuditTrail
from application.delivery import DeliveryPolicy
from application.event_log.store_log import StoreEventLog
from application.event_store import ConversationStore
from application.following import Waker
from application.pausing import Pause
from application.pipeline import TurnPipeline
from application.ports import Clock, SiteDirectory
from application.service import ConversationService, RetryPolicy
from application.understanding.model import trained_model
from application.understanding.understander import Understanding
from domain.identity import use_id_secret
from infrastructure.analytics_queries import SqlAnalytics
from infrastructure.channels.outbound import outbound_channels
from infrastructure.database import Database
from infrastructure.delivery import NAME as DELIVERY
from infrastructure.delivery import DeliveryWorker
from infrastructure.demo_data import load_demo_data
from infrastructure.directory_cache import SubcontractorCache
from infrastructure.event_queries import event_queries_for
from infrastructure.keys.configured import id_secret, master_key_of
from infrastructure.keys.sql_keyring import MAX_CACHED_KEYS, SqlKeyring
from infrastructure.last_writers import SharedLastWriters
from infrastructure.leases import Lease
from infrastructure.media.kinds import message_kinds_for
from infrastructure.media.wiring import blob_store_for
from infrastructure.migrations import discover, migrate_postgres, migrate_sqlite
from infrastructure.model_endpoint import OpenAICompatibleModel, RemoteSettings
from infrastructure.observed import ObservedDeliverer, ObservedService, Telemetry, measured
from infrastructure.persistence import (
    EVENTS_CHANNEL,
    event_store_env,
    migration_conninfo,
    open_database,
    postgres_conninfo,
)
from infrastructure.projections.runner import BackgroundRun, ProjectionRunner, ProjectionStatus
from infrastructure.projections.tracking import tracked_position
from infrastructure.settings import Settings
from infrastructure.sql_directory import SqlSiteDirectory
from infrastructure.standby import Standby, standby_for
from infrastructure.subjects.erasure import Eraser, erasure_finished
from infrastructure.subjects.export import export_subject
from infrastructure.subjects.retention import Retention
from infrastructure.wakers import PollingWaker, PostgresWaker

log = logging.getLogger(__name__)


class SchemaNotReadyError(RuntimeError):
    """The PostgreSQL schema is behind the code: `convo migrate` has not been run."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    database: Database
    store: ConversationStore
    directory: SqlSiteDirectory
    service: ConversationService
    audit: AuditTrail
    analytics: AnalyticsReader
    projections: ProjectionRunner
    keyring: SqlKeyring | None = None
    clock: Clock = utc_now
    standby: Standby | None = None
    telemetry: Telemetry = field(default_factory=Telemetry)
    _http: list[httpx.Client] = field(default_factory=list)

    @property
    def read_database(self) -> Database:
        """The service's tables for reads that may be a moment stale (analytics, the console):
        a standby's when CONVO_READ_DATABASE_URL points there, else the primary's."""
        if self.standby is not None and self.standby.database is not None:
            return self.standby.database
        return self.database

    def waker(self) -> Waker:
        """Wakes a follower when events are recorded (PostgreSQL) or on each poll (SQLite)."""
        settings = self.settings
        if settings.is_postgres:
            return PostgresWaker(postgres_conninfo(settings), EVENTS_CHANNEL)
        return PollingWaker()

    def follow_in_background(self) -> BackgroundRun:
        """Keeps the projections caught up from a background thread."""
        return self.projections.start_in_background(self.waker(), self.settings.projection_poll_seconds)

    def delivery_worker(self, stop: threading.Event | None = None) -> DeliveryWorker:
        """A worker sending the replies of WhatsApp and Telegram conversations."""
        settings = self.settings
        stop = stop or threading.Event()
        client = httpx.Client(timeout=settings.delivery_timeout_seconds)
        self._http.append(client)
        policy = DeliveryPolicy(
            max_attempts=settings.delivery_max_attempts,
            base_delay=settings.delivery_retry_seconds,
            max_delay=settings.delivery_max_retry_seconds,
            max_throttled_seconds=settings.delivery_max_throttled_seconds,
        )
        lease = Lease(self.database, DELIVERY, settings.delivery_lease_seconds)
        # Back-offs and pacing wait alike: renewing the lease, and ending at once on a stop.
        pause = Pause(stop, lease.keep, every=settings.delivery_lease_seconds / 6)
        channels = measured(outbound_channels(settings, client, pause), self.telemetry)
        deliverer = ObservedDeliverer(self.store, channels, self.clock, policy, pause)
        return DeliveryWorker(
            self.store,
            self.database,
            deliverer,
            lease,
            stop=stop,
            batch_size=settings.delivery_batch_size,
            concurrency=settings.delivery_concurrency,
        )

    def delivery_status(self) -> ProjectionStatus:
        """How far the delivery worker got in the log (0 before it ever ran)."""
        head = self.store.recorder.max_notification_id() or 0
        return ProjectionStatus(DELIVERY, tracked_position(self.database, DELIVERY), head)

    def deliver_in_background(self) -> BackgroundRun:
        return self.delivery_worker().start_in_background(self.waker(), self.settings.projection_poll_seconds)

    def eraser(self) -> Eraser:
        """Erases one person's data (GDPR): their keys destroyed, their rows gone."""
        return Eraser(
            self.store,
            self.database,
            self._keys(),
            blob_store_for(self.settings),
            self.clock,
            self._subcontractor_of,
        )

    def subject_export(self, phone: str) -> dict[str, Any]:
        """Everything held about one person, opened with their keys (GDPR right of access)."""
        return export_subject(
            phone, self.store, self.audit, self.database, self._subcontractor_of, self.clock()
        )

    def retention(self) -> Retention:
        settings = self.settings
        return Retention(
            self.database,
            self._keys(),
            self.store,
            self.clock,
            settings.retention_days,
            timedelta(minutes=settings.idle_timeout_minutes),
        )

    def _keys(self) -> SqlKeyring:
        if self.keyring is None:
            raise RuntimeError("this container was built without a keyring")
        return self.keyring

    def _subcontractor_of(self, contact: str) -> str | None:
        found = self.directory.find_subcontractor(contact)
        return found.id if found is not None else None

    def close(self) -> None:
        for client in self._http:
            client.close()
        self.store.close()
        self.directory.close()
        if self.standby is not None:
            self.standby.close()


def migrate(settings: Settings) -> list[str]:
    """Brings the configured database's schema up to date; returns what was applied."""
    if settings.is_postgres:
        applied = migrate_postgres(migration_conninfo(settings), settings.migrations_dir / "postgresql")
    else:
        applied = migrate_sqlite(settings.sqlite_path, settings.migrations_dir / "sqlite")
    return [m.label for m in applied]


def check_schema(database: Database, settings: Settings) -> None:
    expected = discover(settings.migrations_dir / database.dialect)
    try:
        row = database.fetch_one("SELECT max(version) AS version FROM schema_migrations")
    except Exception as error:  # the ledger itself is missing
        raise SchemaNotReadyError("the database has no schema yet: run `convo migrate`") from error
    current = int(row["version"] or 0) if row else 0
    if expected and current < expected[-1].version:
        raise SchemaNotReadyError(
            f"the database schema is at {current:04d}, the code needs "
            f"{expected[-1].label}: run `convo migrate`"
        )


def understanding(settings: Settings) -> Understanding:
    """Rules and the local model; a remote model too when one is configured."""
    remote = None
    if settings.model_url and settings.model_name:
        key = settings.model_api_key.get_secret_value() if settings.model_api_key else None
        remote = OpenAICompatibleModel(
            RemoteSettings(settings.model_url, settings.model_name, key, settings.model_timeout_seconds)
        )
    return Understanding(trained_model(), remote, sure=settings.model_below_confidence)


def build(settings: Settings | None = None, clock: Clock = utc_now, *, sealed: bool = True) -> Container:
    """`sealed=False` stores personal values in clear: only benchmarks' baselines ask for it."""
    settings = settings or Settings()
    if not settings.is_postgres:
        # The embedded default needs no set-up step: it migrates its own file.
        migrate(settings)
    database = open_database(settings)
    try:
        check_schema(database, settings)
        if settings.load_demo_data:
            loaded = load_demo_data(database)
            if loaded.inserted:
                log.info("demo directory loaded: %s rows", loaded.inserted)
    except BaseException:
        database.close()
        raise
    try:
        master = master_key_of(settings)
    except BaseException:
        database.close()
        raise
    # The keys of the people whose conversations this worker keeps, not twice as many: a person
    # whose conversation is read from the log again has a key or two read with it.
    kept = settings.aggregate_cache_size or MAX_CACHED_KEYS
    keyring = SqlKeyring(database, master, clock, settings.key_cache_seconds, max_cached=kept)
    store = ConversationStore(
        event_store_env(settings),
        snapshot_interval=settings.snapshot_interval,
        keyring=keyring if sealed else None,
    )
    if settings.last_writers_file is not None:
        store.last_writers = SharedLastWriters(settings.last_writers_file)
    try:
        log_is_empty = not store.recorder.max_notification_id()
        use_id_secret(id_secret(database, master, log_is_empty=log_is_empty))
    except BaseException:
        store.close()
        database.close()
        raise
    directory = SqlSiteDirectory(database)
    turn_directory: SiteDirectory = (
        SubcontractorCache(directory, settings.directory_cache_seconds)
        if settings.directory_cache_seconds > 0
        else directory
    )
    actions = Actions(turn_directory)
    pipeline = TurnPipeline(
        actions,
        understanding(settings),
        idle_timeout=timedelta(minutes=settings.idle_timeout_minutes),
        listing_max_age=timedelta(minutes=settings.listing_max_age_minutes),
        kinds=message_kinds_for(settings, actions, store, database),
    )
    telemetry = Telemetry(metrics_enabled=settings.metrics_enabled)
    store.observers.append(telemetry.recorded)
    service = ObservedService(
        store,
        turn_directory,
        pipeline,
        clock,
        RetryPolicy(max_attempts=settings.turn_max_attempts),
        telemetry=telemetry,
    )
    if sealed:
        cached = turn_directory if isinstance(turn_directory, SubcontractorCache) else None
        service.erasure_finished = erasure_finished(
            database, keyring, cached.forget_number if cached is not None else lambda _contact: None
        )
    standby = standby_for(settings, keyring)
    if standby is not None:
        service.fallback_receipts = standby.receipt
    # Reads that may be a moment stale go to a standby when the settings say so.
    read_store = standby.store if standby is not None and standby.serves_reads else store
    return Container(
        settings=settings,
        database=database,
        store=store,
        directory=directory,
        service=service,
        audit=AuditTrail(read_store, StoreEventLog(read_store, event_queries_for(read_store.recorder))),
        analytics=SqlAnalytics(standby.database if standby and standby.database else database),
        projections=ProjectionRunner(database, store, batch_size=settings.projection_batch_size),
        keyring=keyring,
        clock=clock,
        standby=standby,
        telemetry=telemetry,
    )
