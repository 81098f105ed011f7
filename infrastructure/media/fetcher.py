"""The media fetcher of a container, built like the delivery worker: `convo fetch-media`, or
inside `convo serve` wherever the delivery worker runs there."""

from __future__ import annotations

import threading

import httpx

from application.following import Waker
from application.media_fetching import FetchPolicy, MediaFetcher
from application.pausing import Pause
from infrastructure.bootstrap import Container
from infrastructure.leases import Lease
from infrastructure.media.references import SqlMediaReferences
from infrastructure.media.wiring import blob_store_for, downloader_for, media_sources, transcriber_for
from infrastructure.media.worker import NAME, MediaWorker
from infrastructure.projections.runner import BackgroundRun, ProjectionStatus
from infrastructure.projections.tracking import tracked_position


class _ClosingWorker(MediaWorker):
    """Closes its HTTP client with itself."""

    client: httpx.Client

    def run(self, waker: Waker, poll_seconds: float) -> None:
        try:
            super().run(waker, poll_seconds)
        finally:
            self.client.close()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.client.close()


def media_worker(container: Container, stop: threading.Event | None = None) -> MediaWorker:
    settings = container.settings
    stop = stop or threading.Event()
    client = httpx.Client(timeout=settings.media_fetch_timeout_seconds)
    downloader = downloader_for(settings, client)
    lease = Lease(container.database, NAME, settings.delivery_lease_seconds)
    pause = Pause(stop, lease.keep, every=settings.delivery_lease_seconds / 6)
    fetcher = MediaFetcher(
        container.store,
        container.service,
        media_sources(settings, client, downloader),
        blob_store_for(settings),
        SqlMediaReferences(container.database),
        transcriber=transcriber_for(settings, client),
        pause=pause,
        policy=FetchPolicy(
            max_attempts=settings.media_fetch_max_attempts,
            base_delay=settings.delivery_retry_seconds,
            max_delay=settings.delivery_max_retry_seconds,
        ),
        discard=downloader.discard,
    )
    worker = _ClosingWorker(
        container.store,
        container.database,
        fetcher,
        lease,
        stop=stop,
        batch_size=settings.delivery_batch_size,
        concurrency=settings.media_concurrency,
    )
    worker.client = client
    return worker


def fetch_media_in_background(container: Container) -> BackgroundRun:
    settings = container.settings
    return media_worker(container).start_in_background(container.waker(), settings.projection_poll_seconds)


def media_status(container: Container) -> ProjectionStatus:
    head = container.store.recorder.max_notification_id() or 0
    return ProjectionStatus(NAME, tracked_position(container.database, NAME), head)
