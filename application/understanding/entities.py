"""Which of the sender's own sites and tasks a message names, typos and all (rapidfuzz)."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import sys
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from application.ports import Catalogue
from application.understanding import phrases
from application.understanding.spelling import lexicon
from application.understanding.text import normalise

_STOP = frozenset({
    "les", "des", "du", "de", "la", "le", "et", "au", "aux", "en", "sur", "the", "of", "on", "and", "for",
    "bat", "bis", "rue",
    # Words of every sentence, never of a name said in passing ("mais" is not "Maison de santé").
    "mais", "pour", "avec", "dans", "sans", "plus", "tres", "pas", "que", "qui", "quoi", "mon", "mes",
    "ton", "tes", "son", "ses", "chez", "but", "with", "from", "into", "this", "that", "what", "when",
    "then", "there", "here", "just", "still", "also", "aussi", "encore", "deja",
})  # fmt: skip
# What people call a kind of site, mapped to words its name carries.
_KINDS = {
    "ecole": "scolaire", "school": "scolaire", "college": "scolaire", "classes": "scolaire",
    "offices": "bureaux", "office": "bureaux", "bureau": "bureaux", "hotel": "hotel", "hostel": "hotel",
    "clinique": "sante", "clinic": "sante", "medical": "sante", "hopital": "sante", "hospital": "sante",
    "ecoles": "scolaire", "schools": "scolaire", "logements": "residence",
    "immeuble": "residence", "flats": "residence", "apartments": "residence", "creche": "creche",
    "nursery": "creche", "ecoquartier": "quartier", "quay": "quai",
}  # fmt: skip
# What every site has, or the trades around it, said with a word of a name: "the site office" is
# the cabin on this site, not the site "Bureaux …"; "le bureau de contrôle" inspects, "le groupe
# électrogène" is a generator, "le local chaudière" a room of any building.
_COMMON_NOUNS = re.compile(
    r"\b(?:site offices?|site cabins?|bureaux? (?:de|du) chantier|base vie|cabanes? de chantier"
    r"|bureaux? de controle|groupes? electrogenes?|local chaudiere)\b"
)
_ENGLISH_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
MATCH = 80  # rapidfuzz ratio from which a word counts as the name's (a typo or two)
# Two words typed as one are long: the same ratio lets a whole other word in ("partitions please").
_JOINED_MATCH = 90
_PREFIX = 4  # letters from which the start of a name's word names it
_CUT_SHORT = 5  # letters from which the start of a long word of a name names it, however long the word
_DISTRICT_ALONE_WORDS = 4
_SHORT = 4  # letters up to which a word must be spelled as in the name: "sauté" is not "santé"
# Words that report work ("posées", "installed") name a task only when spelled as in its name
# ("pose chaudière"), and then say less than its other words.
_REPORTING = frozenset(
    phrase for _, group in phrases.STATUSES + phrases.WEAK_STATUSES for phrase in group if " " not in phrase
)


# Words that decide a write or a problem never name anything by their start ("fini" is not
# "finitions" typed short); other words the rules know may ("stop" for "stopping").
_DECIDING = frozenset(
    word
    for group in [g for _, g in phrases.STATUSES + phrases.WEAK_STATUSES]
    + [phrases.INCIDENTS, phrases.PROBLEM_WORDS, phrases.NEGATIONS]
    for phrase in group
    for word in phrase.split()
)


@dataclass(frozen=True)
class Named:
    id: str
    score: float  # how much of what identifies it the message carries
    words: frozenset[str] = frozenset()  # the message's words that named it
    reach: float = 0.0  # the same as score, counting shared words in full: "partitions" fits two


@functools.lru_cache(maxsize=16384)
def as_said(name: str) -> str:
    """A name, city or address normalised once: they come back with every message."""
    return normalise(name)


def _tokens(text: str) -> list[str]:
    return _message_words(normalise(text))


@functools.lru_cache(maxsize=16384)
def acronym_of(name: str) -> str | None:
    """ "Pompe à chaleur" -> "pac", as people on site call it; only for names of three words or more."""
    words = [w for w in normalise(name).split() if w.isalpha()]
    return "".join(w[0] for w in words) if len(words) >= 3 else None


class Vocabulary:
    """The words of some names -> the ids whose name carries each; read once per person."""

    __slots__ = ("_sorted", "keys", "owners")

    def __init__(self, words: dict[str, set[str]]) -> None:
        # Kept for thousands of people: a tuple is a fifth of a set's size, and the words of names
        # ("pose", "tableaux", "level") are shared between people rather than copied for each.
        self.owners = {sys.intern(word): tuple(sorted(ids)) for word, ids in words.items()}
        self.keys = list(self.owners)
        self._sorted = sorted(self.keys)

    def __contains__(self, word: str) -> bool:
        return word in self.owners

    def __getitem__(self, word: str) -> tuple[str, ...]:
        return self.owners[word]

    def __bool__(self) -> bool:
        return bool(self.owners)

    def starting_with(self, start: str) -> list[str]:
        """The words that start so, in the names' order: a search in sorted words, not a scan."""
        found = []
        index = bisect.bisect_left(self._sorted, start)
        while index < len(self._sorted) and self._sorted[index].startswith(start):
            found.append(self._sorted[index])
            index += 1
        return sorted(found, key=self.keys.index) if len(found) > 1 else found


def _vocabularies(names: dict[str, str]) -> tuple[Vocabulary, Vocabulary]:
    return _vocabularies_of(tuple(sorted(names.items())))


# One person's names change rarely, and reading them is most of the cost (about 1 ms for twenty
# names). Bounded by the people a worker keeps conversations for: an entry is a few KiB.
@functools.lru_cache(maxsize=2048)
def _vocabularies_of(names: tuple[tuple[str, str], ...]) -> tuple[Vocabulary, Vocabulary]:
    """word -> the ids whose name carries it; and the same for two words written as one
    ("part dieu" -> "partdieu"), which people type either way."""
    single: dict[str, set[str]] = defaultdict(set)
    joined: dict[str, set[str]] = defaultdict(set)
    for item_id, name in names:
        words = _tokens(name)
        for word in words:
            single[word].add(item_id)
        acronym = acronym_of(name)
        if acronym:
            single[acronym].add(item_id)
        for first, second in itertools.pairwise(words):
            joined[first + second].add(item_id)
    return Vocabulary(single), Vocabulary(joined)


def _matches(typed: str, vocabulary: Vocabulary, cutoff: int, prefixes: bool) -> list[tuple[str, str, float]]:
    """(the word looked up, the name's word it fits, how well), the typed word's own first."""
    found: list[tuple[str, str, float]] = []
    for word in dict.fromkeys((typed, _KINDS.get(typed, typed))):
        # A number ("on 3"), a word the rules know ("sauté") or a short one names something only as
        # spelled there.
        hits: list[tuple[str, float]]
        if _is_level(word) or word in lexicon() or len(word) <= _SHORT:
            hits = [(word, 100.0)] if word in vocabulary else []
            if not hits and word.endswith("s") and word[:-1] in vocabulary and len(word) > 3:
                hits = [(word[:-1], 100.0)]  # "les leds": the plural of a short word of the name
        else:
            keys = vocabulary.keys
            extracted = process.extract(word, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
            hits = [(key, ratio) for key, ratio, _ in extracted]
        found.extend((word, key, ratio) for key, ratio in hits)
        if word.isdigit() or word in _DECIDING or any(ratio == 100 for _, ratio in hits):
            continue
        if prefixes and len(word) >= _PREFIX:  # "villeur", "fire stop", "baie": typed no further
            fitted = {key for key, _ in hits}
            # Cut short on site, plural and all: "inters" for "interrupteurs", "élec" for "électriques".
            stem = word[:-1] if word.endswith("s") and len(word) > _CUT_SHORT else word
            found.extend(
                (word, key, 90.0)
                for key in vocabulary.starting_with(stem)
                if key not in fitted
                and (
                    (key.startswith(word) and len(word) * 2 >= len(key))
                    or (len(stem) >= _CUT_SHORT and key.startswith(stem))
                )
            )
    return found


def _best(message_words: list[str], names: dict[str, str]) -> list[Named]:
    single, joined = _vocabularies(names)
    if not single or not message_words:
        return []
    scores: dict[str, float] = defaultdict(float)
    reach: dict[str, float] = defaultdict(float)
    naming: dict[str, set[str]] = defaultdict(set)
    pairs = [a + b for a, b in itertools.pairwise(message_words)]
    pair_words = {a + b: (a, b) for a, b in itertools.pairwise(message_words)}
    seen: set[str] = set()
    lookups = ((message_words, single, MATCH, True), (message_words, joined, 95, False),
               (pairs, joined, _JOINED_MATCH, False))  # fmt: skip
    for words, vocabulary, cutoff, prefixes in lookups:
        for typed in words:
            # What a kind of place is called ("logements") may be its name's own word too.
            for word, key, ratio in _matches(typed, vocabulary, cutoff, prefixes):
                # People misspell the middle of words, rarely the first letter: "reprises" is not "prises".
                if key in seen or key[0] != word[0]:
                    continue
                weight = 0.5 if word.isdigit() and len(word) < 5 else 1.0  # a postcode names a site
                if word in _REPORTING:
                    if ratio < 100:
                        continue
                    weight = 0.5
                seen.add(key)
                owners = vocabulary[key]
                for owner in owners:
                    # A word many names share says less than one only this name has.
                    scores[owner] += weight * (ratio / 100) / len(owners)
                    reach[owner] += weight * (ratio / 100)
                    naming[owner].update(pair_words.get(typed, (typed,)))
    ranked = (
        Named(item_id, score, frozenset(naming[item_id]), reach[item_id]) for item_id, score in scores.items()
    )
    return sorted(ranked, key=lambda n: -n.score)


@dataclass(frozen=True)
class Found:
    """The one name the message means, or the few it could mean."""

    named: Named | None
    candidates: tuple[str, ...] = ()
    candidate_words: frozenset[str] = frozenset()  # the words that named the candidates

    @property
    def words(self) -> frozenset[str]:
        return self.named.words if self.named is not None else self.candidate_words


def _unique(ranked: list[Named], floor: float) -> Found:
    # A word several names share still names each of them ("partitions": which one?).
    fitting = [n for n in ranked if n.reach >= floor]
    if not fitting:
        return Found(None)
    if len(fitting) > 1 and fitting[1].score >= fitting[0].score * 0.8:
        # Two names fit about as well: better to ask than to guess.
        close = [n for n in fitting if n.score >= fitting[0].score * 0.8]
        return Found(None, tuple(n.id for n in close), frozenset().union(*(n.words for n in close)))
    return Found(fitting[0])


def name_words(catalogue: Catalogue) -> frozenset[str]:
    """Every word of the person's site and task names, cities and streets, as normalised."""
    names = [f"{s.name} {s.city} {_street(s.address)}" for s in catalogue.sites]
    names += [t.title for t in catalogue.tasks]
    return _words_of_names(tuple(names))


@functools.lru_cache(maxsize=4096)
def _words_of_names(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word for name in names for word in normalise(name).split())


def find_site(normalised: str, raw: str, catalogue: Catalogue) -> Found:
    by_id = _by_id(raw, {s.id for s in catalogue.sites})
    if by_id:
        return Found(Named(by_id, 9.0, frozenset(normalise(by_id).split())))
    names = {s.id: f"{s.name} {s.city} {_street(s.address)}" for s in catalogue.sites}
    by_name = _unique(_best(_message_words(normalised), names), floor=0.8)
    for site in catalogue.sites:
        # "lyon 7" for Lyon 7e: a city written in full, arrondissement and all; or "le 7ème".
        city = as_said(site.city)
        if not any(c.isdigit() for c in city):
            continue
        written = re.escape(city.rstrip("e"))
        district = re.escape(city.split()[-1].rstrip("e"))
        # The district alone only in a short message: "au 2e dans la cage d'escalier" is a floor.
        short = len(normalised.split()) <= _DISTRICT_ALONE_WORDS
        if re.search(rf"(?:^|\s){written}e?(?:\s|$)", normalised) or (
            short
            and re.search(
                rf"(?:^|\s)(?<!au ){district}(?:e|eme|er|ieme)(?: arrondissement)?(?:\s|$)", normalised
            )
        ):
            if by_name.named is not None and by_name.named.id != site.id:
                # "3e étage à Rambaud", or two places said at once: which one?
                return Found(None, (site.id, by_name.named.id), frozenset(city.split()) | by_name.words)
            return Found(Named(site.id, 2.0, frozenset(city.split())))
    return by_name


# What any street is ("placo" is not "place Léon Sublet"): its name says which.
_STREET_KINDS = frozenset(
    {"place", "rue", "avenue", "av", "boulevard", "bd", "chemin", "allee", "impasse", "route", "cours",
     "road", "street", "lane"}
)  # fmt: skip


def _street(address: str) -> str:
    """The words of an address people say ("Léon Sublet", "69100"), not its house number nor
    the kind of street."""
    return " ".join(
        w for w in as_said(address).split() if (not w.isdigit() or len(w) == 5) and w not in _STREET_KINDS
    )


def find_task(normalised: str, raw: str, catalogue: Catalogue, project_id: str | None = None) -> Found:
    """A task named in the message; among a site's tasks when the site is known."""
    tasks = [t for t in catalogue.tasks if project_id is None or t.project_id == project_id]
    by_id = _by_id(raw, {t.id for t in tasks})
    if by_id:
        return Found(Named(by_id, 9.0, frozenset(normalise(by_id).split())))
    names = {t.id: t.title for t in tasks}
    return _unique(_best(_message_words(normalised), names), floor=0.8)


def _by_id(raw: str, ids: set[str]) -> str | None:
    """An id typed as shown ("T-CON-82"): only the sender's own."""
    for typed in re.findall(r"\b[A-Za-z]-[A-Za-z]+-\d+\b", raw):
        wanted = str(typed).upper()
        if wanted in ids:
            return wanted
    return None


def _message_words(normalised: str) -> list[str]:
    # A number tells "Partitions level 3" from "Bedroom partitions L1"; other short words say little.
    said = _ENGLISH_ORDINAL.sub(r"\1", _COMMON_NOUNS.sub(" ", normalised))  # "3rd floor": level 3
    return [w for w in said.split() if (len(w) >= 3 or _is_level(w)) and w not in _STOP]


def _is_level(word: str) -> bool:
    """ "3", "L1", "r2": a number, or a level as written on site."""
    return word.isdigit() or (len(word) == 2 and word[0].isalpha() and word[1].isdigit())
