"""Why a provider's JSON payload was refused, in one sentence."""

from __future__ import annotations

from pydantic import ValidationError

from application.inbound import InvalidInboundError, MalformedPayloadError


def payload_error(what: str, error: ValidationError) -> InvalidInboundError:
    """Malformed JSON (truncated...) apart from JSON of the wrong shape: 400 and 422."""
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return MalformedPayloadError(f"the body is not valid JSON: {first['msg']}")
    where = ".".join(str(part) for part in first["loc"])
    return InvalidInboundError(
        f"not a {what}: {where}: {first['msg']}" if where else f"not a {what}: {first['msg']}"
    )
