"""FastAPI dependencies: the container built by the composition root, and what hangs off it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.admission import TurnAdmission
from application.service import ConversationService
from infrastructure.bootstrap import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_service(container: Annotated[Container, Depends(get_container)]) -> ConversationService:
    return container.service


def get_admission(request: Request) -> TurnAdmission:
    admission: TurnAdmission = request.app.state.admission
    return admission


ContainerDep = Annotated[Container, Depends(get_container)]
ServiceDep = Annotated[ConversationService, Depends(get_service)]
AdmissionDep = Annotated[TurnAdmission, Depends(get_admission)]
