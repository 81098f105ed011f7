"""Structured log lines: JSON or human-readable, masked personal data, and a context per request.

Every line carries the fields bound to its context (the request id of the
HTTP request that caused it, the conversation a delivery is for...), so
one grep finds everything a request or a turn caused. Phone numbers and
message texts are personal data: masked unless a setting allows them.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson

from infrastructure.settings import Settings

_context: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "convo_log_context", default=None
)

# A phone number or another long run of digits (a Telegram id), possibly URL-encoded;
# not a part of a word, an id or a uuid.
_NUMBER = re.compile(r"(?<![\w.%-])(\+|%2[Bb])?(\d{8,15})(?![\w-])")
PHONE_FIELDS = frozenset({"sender", "contact", "phone", "to", "chat_id"})
TEXT_FIELDS = frozenset({"text"})
# Fields that never hold personal data: not searched for phone numbers (it costs time on every line).
SAFE_FIELDS = frozenset(
    {"request_id", "event", "channel", "outcome", "conversation_id", "session_id", "latency_ms", "retries",
     "attempts", "status", "method", "http_version", "level", "logger", "time", "button"}
)  # fmt: skip
_RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ACCESS_LOGGER = "uvicorn.access"


def bind(**fields: Any) -> contextvars.Token[Mapping[str, Any] | None]:
    """Adds fields to every line logged from this context on (and the threads it starts work in)."""
    return _context.set({**(_context.get() or {}), **fields})


def reset(token: contextvars.Token[Mapping[str, Any] | None]) -> None:
    _context.reset(token)


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    token = bind(**fields)
    try:
        yield
    finally:
        _context.reset(token)


def context() -> Mapping[str, Any]:
    return _context.get() or {}


def mask_phone(value: str) -> str:
    """`+33600000001` -> `+336•••••001`: enough to tell numbers apart, not to call one."""
    return _NUMBER.sub(_masked_number, value)


def _masked_number(match: re.Match[str]) -> str:
    prefix, digits = match.group(1) or "", match.group(2)
    return prefix + digits[:3] + "•" * (len(digits) - 6) + digits[-3:]


def mask_text(value: str) -> str:
    return f"••• ({len(value)} characters)"


class Masking:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def field(self, name: str, value: Any) -> Any:
        if not self.enabled or not isinstance(value, str) or name in SAFE_FIELDS:
            return value
        if name in TEXT_FIELDS:
            return mask_text(value)
        return mask_phone(value)  # phone-shaped runs in any string: paths, reasons, ids

    def message(self, value: str) -> str:
        return mask_phone(value) if self.enabled else value


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """What a line says beyond its message: the context's fields, then the call's `extra`."""
    fields = dict(_context.get() or {})
    fields.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
    if record.name == _ACCESS_LOGGER and isinstance(record.args, tuple) and len(record.args) == 5:
        client, method, path, version, status = record.args
        fields.update(client=client, method=method, path=path, http_version=version, status=status)
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then every field."""

    def __init__(self, masked: bool = True) -> None:
        super().__init__()
        self._masking = Masking(masked)

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": self._masking.message(record.getMessage()),
        }
        for name, value in fields_of(record).items():
            line[name] = self._masking.field(name, value)
        if record.exc_info:
            line["exception"] = self._masking.message(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """For reading by eye: `time level logger: message key=value ...`."""

    def __init__(self, masked: bool = True) -> None:
        super().__init__()
        self._masking = Masking(masked)

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        fields = " ".join(
            f"{name}={self._masking.field(name, value)}" for name, value in fields_of(record).items()
        )
        line = f"{when} {record.levelname:<7} {record.name}: {self._masking.message(record.getMessage())}"
        if fields:
            line += f"  {fields}"
        if record.exc_info:
            line += "\n" + self._masking.message(self.formatException(record.exc_info))
        return line


def formatter(settings: Settings) -> logging.Formatter:
    masked = not settings.log_personal_data
    return JsonFormatter(masked) if settings.log_format == "json" else TextFormatter(masked)


def configure(settings: Settings, stream: Any = None) -> None:
    """Routes every logger (ours, the library's, uvicorn's) through one handler on stderr."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's `log_config`: its own lines and its access log in the service's format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "convo": {
                "()": f"{__name__}.{'JsonFormatter' if settings.log_format == 'json' else 'TextFormatter'}",
                "masked": not settings.log_personal_data,
            }
        },
        "handlers": {
            "convo": {"class": "logging.StreamHandler", "formatter": "convo", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["convo"], "level": settings.log_level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
        },
    }
