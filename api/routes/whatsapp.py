"""`/webhooks/whatsapp`: Meta's verification handshake, and signed batches of messages and statuses."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.dependencies import ContainerDep, admission_of, container_of, require_json
from api.model_response import ModelResponse
from api.signatures import require_signature
from application.batch import handle_batch
from application.delivery import record_status
from application.inbound import Inbound
from infrastructure.channels.whatsapp import webhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WhatsAppHandled(BaseModel):
    messages: int  # messages in the batch, each handled once (redeliveries included)
    statuses_recorded: int  # status reports about messages we sent, not recorded before


@router.get(
    "/whatsapp",
    summary="Meta's webhook verification: answers the challenge when the verify token matches",
    response_class=PlainTextResponse,
    responses={403: {"description": "Wrong mode or verify token, or no verify token configured"}},
)
def verify_whatsapp(
    container: ContainerDep,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    verify_token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge")] = "",
) -> PlainTextResponse:
    configured = container.settings.whatsapp_verify_token
    verified = (
        configured is not None
        and mode == "subscribe"
        and bool(challenge)
        and hmac.compare_digest(configured.get_secret_value().encode(), verify_token.encode())
    )
    if not verified:
        raise HTTPException(403, "verification refused: wrong hub.mode or hub.verify_token")
    return PlainTextResponse(challenge)


@router.post(
    "/whatsapp",
    response_model=WhatsAppHandled,
    summary="A WhatsApp Cloud API notification (signed): messages and status reports",
    responses={
        400: {"description": "Malformed JSON"},
        401: {"description": "No X-Hub-Signature-256"},
        403: {"description": "Wrong signature, or WhatsApp is not configured"},
        415: {"description": "The body is not JSON"},
        422: {"description": "Not a WhatsApp notification; nothing was written"},
        503: {"description": "Database busy or unreachable; Meta retries"},
    },
)
async def whatsapp_webhook(
    request: Request,
    x_hub_signature_256: str | None = Header(default=None),
) -> Response:
    container, admission = container_of(request), admission_of(request)
    body = await request.body()
    settings = container.settings
    # The signature covers the raw bytes, and is checked before anything is parsed.
    require_signature(
        channel="WhatsApp",
        setting="CONVO_WHATSAPP_APP_SECRET",
        header="X-Hub-Signature-256",
        secret=settings.whatsapp_app_secret,
        given=x_hub_signature_256,
        insecure=settings.insecure_webhooks,
        matches=lambda secret, given: webhook.is_signed(body, secret, given),
    )
    await require_json(request)
    batch = webhook.parse(body, container.clock())

    def turn(inbound: Inbound) -> None:
        with admission.slot():
            container.service.handle(inbound)

    def handle() -> Response:
        # A retried batch: what was handled before is answered by its receipt, read at once.
        earlier = container.service.earlier_outcomes(batch.messages) if len(batch.messages) > 1 else {}
        fresh = [inbound for inbound in batch.messages if inbound.message_id not in earlier]
        # Each turn still takes a turn slot: a big batch shares them with other requests.
        handle_batch(fresh, turn, settings.batch_threads)
        recorded = sum(record_status(container.store, report) for report in batch.statuses)
        return ModelResponse(WhatsAppHandled(messages=len(batch.messages), statuses_recorded=recorded))

    # Answered once the turns are committed; replies go out through the delivery worker.
    return await run_in_threadpool(handle)
