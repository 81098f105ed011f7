"""Twilio (WhatsApp and SMS): form-encoded webhooks, signed; replies as TwiML in the response."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from xml.sax.saxutils import escape

from application.inbound import Inbound, InvalidInboundError, PressedButton
from domain.values import Reply, cut
from infrastructure.channels.twilio.kinds import location_of, media_of

CHANNEL = "twilio"
MAX_MESSAGE = 1600  # Twilio's limit for one message body


def signature(url: str, params: Sequence[tuple[str, str]], auth_token: str) -> str:
    """What Twilio puts in X-Twilio-Signature: base64 HMAC-SHA1 of the URL then the
    POST parameters sorted by name, each name followed by its value, no separators."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_signed(url: str, params: Sequence[tuple[str, str]], auth_token: str, given: str) -> bool:
    return hmac.compare_digest(signature(url, params, auth_token).encode(), given.encode())


def inbound_of(params: Sequence[tuple[str, str]]) -> Inbound:
    """A Twilio message as the turn's inbound: a quick-reply press, text, or media it cannot read."""
    fields = dict(params)
    message_id, sender = fields.get("MessageSid", ""), fields.get("From", "")
    if not message_id or not sender:
        raise InvalidInboundError("a Twilio message needs MessageSid and From")
    payload = fields.get("ButtonPayload", "").strip()
    if payload:
        button = PressedButton(payload, fields.get("ButtonText", payload))
        return Inbound(channel=CHANNEL, message_id=message_id, sender=sender, button=button)
    body = fields.get("Body", "")
    media = media_of(fields)
    if media:
        caption = body[:4096] if body.strip() else None
        return Inbound(channel=CHANNEL, message_id=message_id, sender=sender, text=caption, media=media)
    location = location_of(fields)
    if location is not None:
        return Inbound(channel=CHANNEL, message_id=message_id, sender=sender, other=location)
    if body.strip():
        return Inbound(channel=CHANNEL, message_id=message_id, sender=sender, text=body[:4096])
    return Inbound(channel=CHANNEL, message_id=message_id, sender=sender, unsupported="empty")


def twiml(reply: Reply) -> str:
    """The reply as TwiML; choices become a numbered list the user answers by number.
    A turn that answers nothing (a reaction...) is an empty response: Twilio sends no message."""
    if not reply["text"] and not reply["choices"]:
        return '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    lines = [reply["text"]]
    if reply["choices"]:
        lines.append("")
        lines += [f"{number}. {choice['title']}" for number, choice in enumerate(reply["choices"], start=1)]
    text = cut("\n".join(lines), MAX_MESSAGE)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(text)}</Message></Response>'
