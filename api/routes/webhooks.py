"""Chat webhooks: each channel maps its payload onto the same turn."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.dependencies import admission_of, container_of
from api.model_response import ModelResponse
from api.schemas import GenericMessageIn, TurnOut
from api.webhook_token import BEARER_SECURITY, TokenFirstRoute
from application.inbound import Inbound, PressedButton

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=TokenFirstRoute)


@router.post(
    "/generic",
    response_model=TurnOut,
    openapi_extra={"security": BEARER_SECURITY},  # TokenFirstRoute checks it
    summary="A message or button press in the channel-neutral format, with the bearer token",
    responses={
        400: {"description": "Malformed JSON"},
        401: {"description": "No bearer token; nothing was read"},
        403: {"description": "Wrong token, or CONVO_GENERIC_WEBHOOK_TOKEN is not set"},
        415: {"description": "The body is not JSON"},
        422: {"description": "Missing or invalid fields; nothing was written"},
        503: {"description": "Database busy or unreachable; retry after `Retry-After`"},
    },
)
def generic_webhook(message: GenericMessageIn, request: Request) -> Response:
    # A plain `def`: FastAPI runs it in its thread pool, where the synchronous
    # event store and the per-conversation lock belong.
    inbound = Inbound(
        channel="generic",
        message_id=message.message_id,
        sender=message.sender,
        text=message.text,
        button=PressedButton(message.button.id, message.button.title) if message.button else None,
    )
    with admission_of(request).slot():
        outcome = container_of(request).service.handle(inbound)
    return ModelResponse(TurnOut.of(outcome))
