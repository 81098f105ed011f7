"""`POST /webhooks/telegram`: Bot API updates (messages and inline keyboard presses)."""

from __future__ import annotations

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.dependencies import admission_of, container_of, require_json
from api.model_response import ModelResponse
from api.signatures import require_signature
from infrastructure.channels.telegram import webhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class TelegramHandled(BaseModel):
    handled: bool  # False for updates the bot does not answer (edits, channel posts...)
    duplicate: bool = False


@router.post(
    "/telegram",
    response_model=TelegramHandled,
    summary="A Telegram update, carrying the webhook's secret token",
    responses={
        400: {"description": "Malformed JSON"},
        401: {"description": "No X-Telegram-Bot-Api-Secret-Token"},
        403: {"description": "Wrong secret token, or Telegram is not configured"},
        415: {"description": "The body is not JSON"},
        422: {"description": "Not a Telegram update; nothing was written"},
        503: {"description": "Database busy or unreachable; Telegram retries"},
    },
)
async def telegram_webhook(
    request: Request,
    x_telegram_bot_api_secret_token: str | None = Header(default=None),
) -> Response:
    container, admission = container_of(request), admission_of(request)
    settings = container.settings
    require_signature(
        channel="Telegram",
        setting="CONVO_TELEGRAM_SECRET_TOKEN",
        header="X-Telegram-Bot-Api-Secret-Token",
        secret=settings.telegram_secret_token,
        given=x_telegram_bot_api_secret_token,
        insecure=settings.insecure_webhooks,
        matches=webhook.is_authentic,
    )
    await require_json(request)
    inbound = webhook.parse(await request.body())
    if inbound is None:
        return ModelResponse(TelegramHandled(handled=False))
    # Guarded above: mypy cannot carry the narrowing into the closure.
    message = inbound

    def turn() -> Response:
        with admission.slot():
            outcome = container.service.handle(message)
        return ModelResponse(TelegramHandled(handled=True, duplicate=outcome.duplicate))

    # Answered once the turn is committed; the reply goes out through the delivery worker.
    return await run_in_threadpool(turn)
