"""WhatsApp Cloud API webhooks: the signature, and batches of messages and status reports.

Meta adds fields often, so every model ignores what it does not know.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from application.inbound import Inbound, InvalidInboundError, PressedButton
from application.outbound import StatusReport
from application.phone import normalise_phone
from domain.values import MAX_TEXT_LENGTH
from infrastructure.channels.payloads import payload_error
from infrastructure.channels.whatsapp.kinds import parts_of

CHANNEL = "whatsapp"
SIGNATURE_PREFIX = "sha256="
WHATSAPP_OBJECT = "whatsapp_business_account"


def signature(body: bytes, app_secret: str) -> str:
    """What Meta puts in X-Hub-Signature-256: HMAC-SHA256 of the raw body with the app secret."""
    return SIGNATURE_PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, app_secret: str, given: str) -> bool:
    return hmac.compare_digest(signature(body, app_secret).encode(), given.strip().lower().encode())


class _Text(BaseModel):
    body: str


class _Reply(BaseModel):
    id: str
    title: str = ""


class _Interactive(BaseModel):
    type: str
    button_reply: _Reply | None = None
    list_reply: _Reply | None = None


class _TemplateButton(BaseModel):
    payload: str | None = None
    text: str = ""


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")  # media, locations...: see whatsapp_kinds

    sender: str = Field(alias="from")
    id: str
    type: str
    text: _Text | None = None
    interactive: _Interactive | None = None
    button: _TemplateButton | None = None


class _Error(BaseModel):
    code: int | None = None
    title: str = ""
    message: str = ""


# The last second a datetime can hold: a status stamped later is refused, not a crash.
_LAST_TIMESTAMP = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


class _Status(BaseModel):
    id: str
    status: str
    # Meta sends it as a string of seconds; pydantic converts.
    timestamp: int | None = Field(default=None, ge=0, le=_LAST_TIMESTAMP)
    errors: list[_Error] = []


class _Value(BaseModel):
    messages: list[_Message] = []
    statuses: list[_Status] = []


class _Change(BaseModel):
    field: str
    value: _Value


class _Entry(BaseModel):
    changes: list[_Change] = []


class _Notification(BaseModel):
    object: str
    entry: list[_Entry]


@dataclass(frozen=True)
class WhatsAppBatch:
    messages: list[Inbound]
    statuses: list[StatusReport]


def parse(body: bytes, received_at: datetime) -> WhatsAppBatch:
    """Every message and status report in a notification, all checked before any is handled."""
    try:
        notification = _Notification.model_validate_json(body)
    except ValidationError as error:
        raise payload_error("WhatsApp notification", error) from None
    messages: list[Inbound] = []
    statuses: list[StatusReport] = []
    if notification.object != WHATSAPP_OBJECT:
        return WhatsAppBatch(messages, statuses)  # another Meta product's webhook: not for the bot
    for entry in notification.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue  # account and template updates: nothing for the bot
            messages += [_inbound_of(message) for message in change.value.messages]
            statuses += [_report_of(status, received_at) for status in change.value.statuses]
    return WhatsAppBatch(messages, statuses)


def _inbound_of(message: _Message) -> Inbound:
    normalise_phone(message.sender)  # a bad sender fails the whole batch before any turn
    pressed = _pressed(message)
    text = _text_of(message) if pressed is None else None
    parts = parts_of(message.type, message.model_extra or {}) if pressed is None and text is None else None
    unsupported = None
    if pressed is None and text is None and parts is None:
        interactive = message.interactive
        unsupported = f"interactive.{interactive.type}" if interactive is not None else message.type
    if parts is not None:
        text = parts.caption
    return Inbound(
        channel=CHANNEL,
        message_id=message.id,
        sender=message.sender,
        text=text[:MAX_TEXT_LENGTH] if text is not None else None,
        button=pressed,
        unsupported=unsupported,
        reply_to={"to": message.sender},
        media=parts.media if parts is not None else (),
        other=parts.other if parts is not None else None,
    )


def _pressed(message: _Message) -> PressedButton | None:
    if message.type == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is not None and reply.id.strip():
            return PressedButton(reply.id, reply.title or reply.id)
    if message.type == "button" and message.button is not None and (message.button.payload or "").strip():
        payload = message.button.payload or ""
        return PressedButton(payload, message.button.text or payload)
    return None


def _text_of(message: _Message) -> str | None:
    if message.type == "text":
        if message.text is None or not message.text.body.strip():
            raise InvalidInboundError(f"text message {message.id} has no text")
        return message.text.body
    if message.type == "button" and message.button is not None and message.button.text.strip():
        return message.button.text  # a template button without a payload: its label is what was said
    return None


def _report_of(status: _Status, received_at: datetime) -> StatusReport:
    at = datetime.fromtimestamp(status.timestamp, UTC) if status.timestamp is not None else received_at
    errors = tuple(f"{e.code} {e.title or e.message}".strip() for e in status.errors)
    return StatusReport(CHANNEL, status.id, status.status, at, errors)
