"""`POST /webhooks/twilio`: Twilio's WhatsApp and SMS messages, answered with TwiML."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.dependencies import admission_of, container_of
from api.signatures import require_signature
from infrastructure.channels.twilio import webhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post(
    "/twilio",
    summary="A Twilio message (form-encoded, signed); the reply is TwiML",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "TwiML with the reply"},
        401: {"description": "No X-Twilio-Signature"},
        403: {"description": "Wrong signature, or Twilio is not configured"},
        415: {"description": "Not form-encoded"},
    },
)
async def twilio_webhook(
    request: Request,
    x_twilio_signature: str | None = Header(default=None),
) -> Response:
    container, admission = container_of(request), admission_of(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise HTTPException(415, f"expected application/x-www-form-urlencoded, got {media_type or 'none'}")
    body = await request.body()
    try:
        params = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body), errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the body is not a valid form") from None
    settings = container.settings
    url = settings.twilio_webhook_url or str(request.url)
    require_signature(
        channel="Twilio",
        setting="CONVO_TWILIO_AUTH_TOKEN",
        header="X-Twilio-Signature",
        secret=settings.twilio_auth_token,
        given=x_twilio_signature,
        insecure=settings.insecure_webhooks,
        matches=lambda token, given: webhook.is_signed(url, params, token, given),
    )
    inbound = webhook.inbound_of(params)

    def turn() -> str:
        with admission.slot():
            return webhook.twiml(container.service.handle(inbound).reply)

    # The turn is synchronous (the event store is): run it off the event loop.
    return Response(await run_in_threadpool(turn), media_type="application/xml")
