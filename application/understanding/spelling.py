"""Misspelt status and incident words read as the words they mean: "startd", "finsihed", "fuitte".

Only words of five letters or more, only towards the words that decide a write or a problem, only
when nearly the same and starting with the same letter: a name or an unknown word is left alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from rapidfuzz import fuzz, process

from application.understanding import phrases

_SHORTEST = 5
_NEAR = 87  # rapidfuzz ratio: one letter left out, doubled or swapped in a word of six or more


@functools.cache
def _lexicon() -> tuple[frozenset[str], list[str]]:
    groups = [group for _, group in phrases.STATUSES] + [phrases.INCIDENTS, phrases.PROBLEM_WORDS]
    targets = sorted(
        {w for group in groups for phrase in group for w in phrase.split() if len(w) >= _SHORTEST}
    )
    known = {
        w
        for value in vars(phrases).values()
        if isinstance(value, tuple)
        for p in value
        for w in str(p).split()
    }
    return frozenset(known) | frozenset(targets), targets


def lexicon() -> frozenset[str]:
    """Every word the rules' phrases are made of."""
    return _lexicon()[0]


def spelled_right(normalised: str, names: Callable[[], frozenset[str]]) -> str:
    """The message with its misspelt status and incident words put right; the words of the
    person's own names ("classes", not "casses") are never touched. The names are asked for only
    when a word would change (most messages have none: no directory read for them)."""
    words = normalised.split(" ")
    if all(corrected(word) == word for word in words):
        return normalised
    protected = names()
    return " ".join(word if _starts_a_name(word, protected) else corrected(word, protected) for word in words)


def _starts_a_name(word: str, names: frozenset[str]) -> bool:
    """ "install" is the start of "installation", typed no further: not a misspelt "installé"."""
    return any(name.startswith(word) for name in names)


def corrected(word: str, names: frozenset[str] = frozenset()) -> str:
    if len(word) < _SHORTEST or not word.isalpha() or word in names:
        return word
    known, targets = _lexicon()
    if word in known:
        return word
    found = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=_NEAR)
    if found is None or found[0][0] != word[0]:
        return word
    return str(found[0])
