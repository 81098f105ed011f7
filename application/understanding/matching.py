"""Finding known phrases as whole words in normalised text; each group compiled once."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

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
        pattern = _BY_VALUE[phrases] = re.compile(rf"(?:^|(?<=\s))(?:{alternation(phrases)})(?=\s|$)")
    if len(_PATTERNS) < _MOST_GROUPS:
        _PATTERNS[id(phrases)] = (phrases, pattern)
    return pattern


def alternation(phrases: tuple[str, ...]) -> str:
    """A regular expression matching any of the phrases, the longest where several start alike.

    Written as a tree of their shared beginnings ("c est (?:fait|fini)"): the regular expression
    engine tries the alternatives of a plain "a|b|c" one after the other at every place in the
    text, a few hundred for the larger groups, where a tree follows the one branch that the next
    character allows. An optional continuation is tried before stopping, so where "c est fait"
    and "fait" could both match, the longer wins, as in an alternation sorted longest first.
    """
    tree: dict[str, Any] = {}
    for phrase in phrases:
        node = tree
        for character in phrase:
            node = node.setdefault(character, {})
        node[_END] = {}
    return _branches(tree)


_END = ""  # a phrase ends here: no character is empty


def _branches(node: dict[str, Any]) -> str:
    branches = [re.escape(character) + _branches(child) for character, child in node.items() if character]
    if not branches:
        return ""
    ends_here = _END in node
    if len(branches) == 1 and not ends_here:
        return branches[0]
    return "(?:" + "|".join(branches) + (")?" if ends_here else ")")


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
