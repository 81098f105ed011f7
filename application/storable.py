"""Text as every store can keep it: PostgreSQL `text` refuses NUL, and UTF-8 cannot encode
half of a surrogate pair. Both reach us only by mistake or malice, never from a person typing."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_in(text: str) -> str | None:
    """What in `text` no store can keep, in words; None when it can all be kept."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "an unpaired surrogate"


def storable(text: str) -> str:
    """`text` without NUL characters, and with unpaired surrogates replaced by U+FFFD."""
    if _UNSTORABLE.search(text) is None:
        return text
    return re.sub("[\ud800-\udfff]", "\ufffd", text.replace("\x00", ""))
