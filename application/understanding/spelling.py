"""Misspelt words read as the words they mean: "startd", "finsihed", "fuitte", "chantirs", "retrad".

Only words of five letters or more, only when nearly the same and starting with the same letter: a
name or an unknown word is left alone. Towards the words that decide a write or a problem, as the
ratio of the two allows; towards the words of questions, lists and courtesies (which write
nothing), one letter left out, added or two swapped ("tahces", "secnod"), or, in a long word, wrong.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from application.understanding import phrases
from application.understanding.text import spelled_out

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


@functools.cache
def _keywords() -> tuple[frozenset[str], list[str]]:
    """Every word of every phrase the rules know ("monté" is a word of its own, not "montre"
    misspelt); and, of those, the words of what people ask and say that writes nothing
    ("chantiers", "retard", "second")."""
    groups = [
        phrases.SITE_WORDS, phrases.TASK_WORDS, phrases.OVERDUE, phrases.DUE_THIS_WEEK,
        phrases.WHERE_EXPECTED, phrases.WHAT_TO_DO, phrases.RESET, phrases.THANKS, phrases.LAST_WORDS,
        *(group for _, group in phrases.COMMANDS), *phrases.ORDINALS.values(),
    ]  # fmt: skip
    every = [group for _, group in phrases.STATUSES + phrases.WEAK_STATUSES] + [phrases.FILLER]
    words = {w for group in groups for phrase in group for w in phrase.split()}
    lexicon_words, writes = _lexicon()
    known = lexicon_words | words | {w for group in every for phrase in group for w in phrase.split()}
    return known, sorted(w for w in words if len(w) >= _SHORTEST and w.isalpha() and w not in writes)


def lexicon() -> frozenset[str]:
    """Every word the rules' phrases are made of."""
    return _lexicon()[0]


def spelled_right(normalised: str, names: Callable[[], frozenset[str]]) -> str:
    """The message with its misspelt status and incident words put right; the words of the
    person's own names ("classes", not "casses") are never touched. The names are asked for only
    when a word would change (most messages have none: no directory read for them)."""
    words = normalised.split(" ")
    if all(corrected(word) == word and not _maybe_glued(word) for word in words):
        return normalised
    protected = names()
    words = [_unglued(word, protected) for word in words]
    return " ".join(word if _starts_a_name(word, protected) else corrected(word, protected) for word in words)


_GLUED = re.compile(r"^(?:l|d|j|qu)([aeiouyh]\w{2,})$")


def _maybe_glued(word: str) -> bool:
    """ "Lecole", "deau", "lalarme": an elision typed without its apostrophe, perhaps."""
    return _GLUED.match(word) is not None and word not in _keywords()[0]


def _unglued(word: str, names: frozenset[str]) -> str:
    """ "lecole" -> "l ecole" when "ecole" is a word of the person's names, or a word often elided
    ("eau", "elec"), and "lecole" is no word the rules know ("quand" is not "qu and")."""
    glued = _GLUED.match(word)
    if glued is None or word in names or word in _keywords()[0]:
        return word
    rest = glued.group(1)
    if rest in names or rest in _ELIDED:
        return f"{word[: len(word) - len(rest)]} {rest}"
    return word


# Words often met after an elision, that no name may hold.
_ELIDED = frozenset(
    {
        "eau",
        "elec",
        "electricite",
        "ecole",
        "alarme",
        "essai",
        "essais",
        "acces",
        "entree",
        "eclairage",
        "hotel",
    }
)


def _starts_a_name(word: str, names: frozenset[str]) -> bool:
    """ "install" is the start of "installation", typed no further: not a misspelt "installé"."""
    return any(name.startswith(word) for name in names)


_STRETCHED = re.compile(r"(\w)\1{2,}")


def _unstretched(word: str) -> str | None:
    """ "Finiiii", "okkkk", "cooool": a letter held down, read as the word it stretches."""
    every, _ = _keywords()
    for squeezed in (_STRETCHED.sub(r"\1", word), _STRETCHED.sub(r"\1\1", word)):
        spelled = spelled_out(squeezed)
        if len(spelled) >= 2 and all(w in every for w in spelled.split()):
            return spelled
    return None


@functools.lru_cache(maxsize=65536)  # the same words come back, typos and all: look each up once
def corrected(word: str, names: frozenset[str] = frozenset()) -> str:
    if _STRETCHED.search(word) and word not in names:
        unstretched = _unstretched(word)
        if unstretched is not None:
            return unstretched
    if len(word) < _SHORTEST or not word.isalpha() or word in names:
        return word
    _, targets = _lexicon()
    every, keywords = _keywords()
    if word in every:
        return word  # a word of the rules' own: "commands" is help, not "commande" misspelt
    found = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=_NEAR)
    if found is not None and found[0][0] == word[0]:
        return str(found[0])
    swapped = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=1)
    if swapped is not None and swapped[0][0] == word[0] and sorted(swapped[0]) == sorted(word):
        return str(swapped[0])  # two letters swapped in a short word: "blokced"
    near = process.extractOne(word, keywords, scorer=OSA.distance, score_cutoff=1)
    if near is not None and near[0][0] == word[0] and _slip(word, str(near[0])):
        return str(near[0])
    return word


_SUBSTITUTED = 8  # letters from which one letter typed for another is a slip, not another word


def _slip(typed: str, meant: str) -> bool:
    """A letter doubled, left out or two swapped ("tahces"); one typed for another only in a long
    word: "regard" is a word of its own, not "retard" misspelt."""
    if len(typed) != len(meant) or len(typed) >= _SUBSTITUTED:
        return True
    return sorted(typed) == sorted(meant)
