"""Finding known phrases as whole words in normalised text; each group compiled once."""

from __future__ import annotations

import re
from typing import NamedTuple

_MOST_GROUPS = 1024  # groups built on the fly (a sum of two lists) would otherwise pile up

# Keyed by the group's identity: hashing a group of a few hundred phrases on every lookup cost
# more than the search. The group is kept with its pattern, so its id is never another's.
_PATTERNS: dict[int, tuple[tuple[str, ...], re.Pattern[str]]] = {}
_BY_VALUE: dict[tuple[str, ...], re.Pattern[str]] = {}


class Found(NamedTuple):
    phrase: str
    start: int  # character offsets in the normalised text
    end: int


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    entry = _PATTERNS.get(id(phrases))
    if entry is not None and entry[0] is phrases:
        return entry[1]
    pattern = _BY_VALUE.get(phrases)
    if pattern is None:
        # Longest first, so "c est fait" wins over "fait" where both match.
        ordered = sorted(phrases, key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in ordered)
        pattern = _BY_VALUE[phrases] = re.compile(rf"(?:^|(?<=\s))(?:{alternatives})(?=\s|$)")
    if len(_PATTERNS) < _MOST_GROUPS:
        _PATTERNS[id(phrases)] = (phrases, pattern)
    return pattern


def find_all(normalised: str, phrases: tuple[str, ...]) -> list[Found]:
    return [Found(m.group(0), m.start(), m.end()) for m in _pattern(phrases).finditer(normalised)]


def has(normalised: str, phrases: tuple[str, ...]) -> bool:
    # `has` and `without` run some forty times a classification: `_pattern`'s first lines,
    # repeated here, spare them a call when the group's pattern is known.
    entry = _PATTERNS.get(id(phrases))
    pattern = entry[1] if entry is not None and entry[0] is phrases else _pattern(phrases)
    return pattern.search(normalised) is not None


def without(normalised: str, phrases: tuple[str, ...]) -> str:
    """The text with these phrases taken out, whole words only ("hi" stays in "things")."""
    entry = _PATTERNS.get(id(phrases))
    pattern = entry[1] if entry is not None and entry[0] is phrases else _pattern(phrases)
    return pattern.sub(" ", normalised)


def only(normalised: str, phrases: tuple[str, ...], fillers: tuple[str, ...] = ()) -> bool:
    """The message says nothing but these phrases (and fillers): "ok merci 👍"."""
    rest = without(normalised, phrases)
    if fillers:
        rest = without(rest, fillers)
    return not rest.replace("?", " ").strip() and has(normalised, phrases)
