"""Photos (videos, documents) that go with a problem report, as the turn passes them along.

A photo is known by our media id from the moment its message is recorded, long
before its bytes are fetched: the report carries the id, and the log says which
blob (SHA-256) the id became once `MediaStored` is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Attachment:
    media_id: str
    kind: str
    mime_type: str = ""


def encoded(attachments: Iterable[Attachment]) -> str:
    """For a yes/no question's action (a dict of strings) that files the report next turn."""
    return ";".join(f"{a.media_id}|{a.kind}|{a.mime_type}" for a in attachments)


def decoded(text: str) -> tuple[Attachment, ...]:
    found = []
    for item in text.split(";"):
        media_id, _, rest = item.partition("|")
        kind, _, mime_type = rest.partition("|")
        if media_id:
            found.append(Attachment(media_id, kind or "image", mime_type))
    return tuple(found)


def as_payload(attachments: Sequence[Attachment]) -> list[dict[str, str]]:
    return [{"media_id": a.media_id, "kind": a.kind, "mime_type": a.mime_type} for a in attachments]


def from_payload(items: Sequence[Any] | None) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(str(i["media_id"]), str(i.get("kind", "image")), str(i.get("mime_type", "")))
        for i in items or ()
    )
