"""Projection status, and rebuilds started over HTTP."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from api.auth import require_token
from api.dependencies import ContainerDep
from application.world import DIRECTORY_CHANGES
from infrastructure.bootstrap import Container
from infrastructure.media.fetcher import media_status
from infrastructure.projections.rebuild import rebuild
from infrastructure.projections.registry import UnknownProjectionError, projection_named

router = APIRouter(prefix="/projections", tags=["projections"], dependencies=[Depends(require_token)])


@dataclass
class RebuildJob:
    name: str
    state: str = "running"
    position: int = 0
    head: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    error: str | None = None

    def run(self, container: Container) -> None:
        def progress(position: int, head: int) -> None:
            self.position, self.head = position, head

        try:
            self.position = rebuild(
                container.database,
                container.store,
                projection_named(self.name),
                batch_size=container.settings.projection_batch_size,
                progress=progress,
            )
            self.state = "done"
        except Exception as error:
            self.state, self.error = "failed", str(error)
        finally:
            self.finished = time.time()


class RebuildJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, RebuildJob] = {}
        self._lock = threading.Lock()

    def start(self, name: str, container: Container) -> RebuildJob:
        with self._lock:
            running = self._jobs.get(name)
            if running is not None and running.state == "running":
                return running
            job = self._jobs[name] = RebuildJob(name)
        threading.Thread(target=job.run, args=(container,), name=f"rebuild-{name}", daemon=True).start()
        return job

    def get(self, name: str) -> RebuildJob | None:
        return self._jobs.get(name)


async def get_jobs(request: Request) -> RebuildJobs:
    jobs: RebuildJobs = request.app.state.rebuild_jobs
    return jobs


JobsDep = Annotated[RebuildJobs, Depends(get_jobs)]


@router.get(
    "",
    summary="Each projection's position, the log's head and the lag; the same for delivery "
    "and for applying directory changes",
)
def status(container: ContainerDep, jobs: JobsDep) -> dict[str, Any]:
    items = []
    changes = None
    for s in container.projections.status():
        if s.name == DIRECTORY_CHANGES:
            changes = {"position": s.position, "head": s.head, "lag": s.lag}
            continue
        job = jobs.get(s.name)
        items.append(
            {
                "name": s.name,
                "position": s.position,
                "head": s.head,
                "lag": s.lag,
                "rebuild": vars(job) if job else None,
            }
        )
    delivery = container.delivery_status()
    media = media_status(container)
    return {
        "items": items,
        "delivery": {"position": delivery.position, "head": delivery.head, "lag": delivery.lag},
        "media": {"position": media.position, "head": media.head, "lag": media.lag},
        DIRECTORY_CHANGES: changes,
    }


@router.post("/{name}/rebuild", status_code=202, summary="Replay the log into a fresh copy and swap it in")
def start_rebuild(name: str, container: ContainerDep, jobs: JobsDep) -> dict[str, Any]:
    try:
        projection_named(name)
    except UnknownProjectionError as error:
        raise HTTPException(404, str(error)) from None
    return vars(jobs.start(name, container))
