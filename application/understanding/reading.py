"""One message as the rules read it: its words once, and the sender's names it says, matched lazily."""

from __future__ import annotations

import re
from functools import cached_property

from application.ports import Catalogue, ClassifierContext, Site, Task
from application.understanding import phrases
from application.understanding.entities import Found, Named, acronym_of, find_site, find_task, name_words
from application.understanding.matching import find_all, has, without
from application.understanding.spelling import spelled_right
from application.understanding.statuses import FRACTION, STATUS_WORDS
from application.understanding.text import is_question, words_of

# Ordinals that are also articles: "the blocked one" is not "the first".
_ARTICLES = frozenset({"un", "une", "one"})
# A number said after these places something, or counts: it points at no item of a list.
_PLACE_WORDS = frozenset(
    {
        "level", "lvl", "niveau", "niv", "etage", "floor", "lot", "bat", "batiment", "building", "block",
        "bloc", "zone", "appart", "apartment", "flat", "logement", "logements", "chambre", "room", "salle",
        "cage", "escalier", "stair", "stairs", "staircase", "unit", "plot", "tranche", "phase", "ilot",
        "travee", "bay", "axe", "grid", "porte", "door", "a", "at", "vers", "avant", "before", "after",
        "apres", "jusqu", "until", "till", "depuis", "since", "sur", "of",
    }
)  # fmt: skip
# ...and a number or ordinal followed by these.
_MEASURE_WORDS = frozenset(
    {
        "etage", "etages", "floor", "floors", "jour", "jours", "day", "days", "semaine", "semaines", "week",
        "weeks", "mois", "month", "months", "h", "heure", "heures", "hour", "hours", "hrs", "min", "mins",
        "minutes", "m", "metres", "meters", "ml", "m2", "gars", "guys", "mecs", "ouvriers", "personnes",
        "people", "men", "lads", "sur", "of", "out", "pieces", "fois", "times", "x", "percent",
        "pourcent", "am", "pm", "euros", "boites", "boxes", "rouleaux", "rolls", "sacs", "bags", "palettes",
        "pallets", "plaques", "boards", "lengths", "longueurs",
    }
)  # fmt: skip
# "Le dernier de la liste", "2nd on the list": the list is the one on screen, and says no more.
OF_THE_LIST = ("de la liste", "sur la liste", "dans la liste", "on the list", "in the list", "of the list",
               "on the screen", "a l ecran", "de l ecran", "on screen")  # fmt: skip


# A word of status after a number points ("3 finis", "2 posées"); a plural noun counts things.
def _counted(following: str) -> bool:
    """ "J'ai fait 2 chambres", "fitted 2 doors": a number before a plural counts things."""
    return (
        len(following) > 3
        and following.endswith(("s", "x"))
        and following not in STATUS_WORDS
        and following not in _NO_PLURALS
    )


# Words that end like a plural and count nothing: "le 2 alors", "the 3rd thanks".
_NO_PLURALS = frozenset(
    {"alors", "apres", "puis", "plus", "moins", "toujours", "jamais", "sans", "dans", "sous", "vers", "chez",
     "thanks", "cheers", "please", "yes", "ouais", "mais", "thks", "thnks", "merci"}
)  # fmt: skip


# "R+2", "R-1": a level, however it is typed.
_LEVEL = re.compile(r"(?i)\br\s*[+-]\s*(\d+)")
_TELLING_WORD = 5  # letters from which a word of a task's name says where the work is


class Reading:
    """One message, read once: its normalised words, and the sender's names matched lazily."""

    def __init__(self, text: str, normalised: str, context: ClassifierContext) -> None:
        self.text = text
        self.normalised = normalised
        self.context = context
        self.words = words_of(normalised)
        self.question = is_question(text, normalised)

    def spell_checked(self) -> Reading:
        """The same message with misspelt status and incident words put right ("startd")."""
        right = spelled_right(self.normalised, lambda: name_words(self.catalogue))
        if right == self.normalised:
            return self
        checked = Reading(self.text, right, self.context)
        checked.__dict__["catalogue"] = self.catalogue  # already read: read once
        return checked

    @cached_property
    def catalogue(self) -> Catalogue:
        catalogue = self.context.catalogue()
        if catalogue.sites or catalogue.tasks:
            return catalogue
        # Without the directory at hand, what is on screen is what can be named.
        listing = self.context.listing
        sites = [
            Site(cid.removeprefix("project."), title, "", "")
            for cid, title in listing
            if cid.startswith("project.")
        ]
        tasks = [
            Task(cid.removeprefix("task."), self.context.focus.get("project_id", ""), title, "todo", None, "")
            for cid, title in listing
            if cid.startswith("task.")
        ]
        return Catalogue(sites=sites, tasks=tasks)

    @cached_property
    def telling_words(self) -> list[str]:
        """The words that say something: longer than two letters, not fillers."""
        return [w for w in self.words if len(w) > 2 and w not in phrases.FILLER]

    @cached_property
    def site_found(self) -> Found:
        return find_site(self.normalised, self.text, self.catalogue)

    @cached_property
    def task_found(self) -> Found:
        """Among the tasks of the site named or in focus first, then among all the sender's."""
        site = self.site or self.context.focus.get("project_id")
        if site:
            found = find_task(self.normalised, self.text, self.catalogue, site)
            if found.named is not None and (self.site or not self._better_elsewhere(found.named)):
                return found
        return self.any_task_found

    def _better_elsewhere(self, here: Named) -> bool:
        """The message names another site's task by more of its words: "éclairage led plateaux" is not
        "Éclairage parking" of the site in focus."""
        elsewhere = self.any_task_found.named
        return elsewhere is not None and here.words < elsewhere.words and elsewhere.score > here.score

    @cached_property
    def any_task_found(self) -> Found:
        """Among all the sender's tasks."""
        return find_task(self.normalised, self.text, self.catalogue)

    @cached_property
    def site(self) -> str | None:
        named = self.site_found.named
        if named is None:
            return None
        # "Sanitaires logements" is a task's name, not "les logements" (a site): the task wins, also
        # when the word fits both as well.
        elsewhere = self.any_task_found.named
        if elsewhere is not None and named.words <= elsewhere.words and elsewhere.score >= named.score:
            task = self.catalogue.task(elsewhere.id)
            if task is not None and task.project_id != named.id:
                return None
        return named.id

    @cached_property
    def task(self) -> str | None:
        named = self.task_found.named
        if named is None:
            return None
        task = self.catalogue.task(named.id)
        if task is None:
            return None
        site = self.site
        if site is not None and task.project_id != site:
            return None  # the site named and the task named disagree: better to ask
        focus_site = self.context.focus.get("project_id")
        # A word that happens to fit a task on another site does not move the focus away.
        elsewhere = self.context.focus.get("task_id") and focus_site and task.project_id != focus_site
        if elsewhere and named.score < 1.5 and site is None:
            return None
        return named.id

    @property
    def problem_site(self) -> str | None:
        """Where a problem described is: the site named; else, with none in focus, that of the work named."""
        if self.site or self.context.focus.get("project_id"):
            return self.site
        return self.site_of_work

    @cached_property
    def site_of_work(self) -> str | None:
        """The site a problem is on when the message names none but names work only one site has:
        "fuite au plafond du préau", "water through the ceiling on level 3" (two tasks, one site).
        Only from a word that says what the work is, not one an incident also uses ("eau")."""
        found = self.task_found
        ids = (found.named.id,) if found.named is not None else found.candidates
        tasks = [task for task_id in ids if (task := self.catalogue.task(task_id)) is not None]
        initials = {acronym for task in tasks if (acronym := acronym_of(task.title))}
        if not any(
            (len(word) >= _TELLING_WORD or word in initials) and not has(word, phrases.INCIDENTS)
            for word in found.words
        ):
            return None
        sites = {task.project_id for task in tasks}
        return sites.pop() if len(sites) == 1 else None

    def says(self, group: tuple[str, ...]) -> bool:
        """One of these phrases is in the message, other than as part of a name said in it:
        "fire stopping" names a task, "fire in the risers" reports a fire."""
        found = find_all(self.normalised, group)
        if not found:
            return False
        naming = self.site_found.words | self.task_found.words
        if not naming:
            return True
        within_names = _runs_of(self.normalised, naming)
        return any(not any(a <= f.start and f.end <= b for a, b in within_names) for f in found)

    def entities(self) -> dict[str, str]:
        named = {"project_id": self.site, "task_id": self.task}
        return {key: value for key, value in named.items() if value}

    def listed_position(self, articles: bool = True) -> tuple[str, str] | None:
        """The item of the list on screen a number or ordinal in the message points at; without
        `articles`, "un", "une" and "one" are not "the first" ("the blocked one")."""
        listing = self.context.listing
        if not listing:
            return None
        said = _position_said(self.normalised, len(listing))
        if said is not None:
            return listing[said - 1]
        words = words_of(without(self.normalised, OF_THE_LIST))
        levels = set(_LEVEL.findall(self.text)) | {n for pair in FRACTION.findall(self.text) for n in pair}
        pointed: list[int] = []
        for index, word in enumerate(words):
            position = None
            before = words[index - 1] if index else ""
            after = words[index + 1] if index + 1 < len(words) else ""
            placed = before in _PLACE_WORDS or before.removesuffix("s") in _PLACE_WORDS
            if placed or after in _MEASURE_WORDS or _counted(after) or word in levels:
                continue  # "level 3 done", "R+2 fini", "2ème étage", "on est 3 sur site": no position
            if word.isdigit():
                position = int(word)
            elif word in phrases.LAST_WORDS:
                position = len(listing)
            elif articles or word not in _ARTICLES:
                position = next((n for n, names in phrases.ORDINALS.items() if word in names), None)
            if position is not None and 1 <= position <= len(listing) and position not in pointed:
                pointed.append(position)
        if len(pointed) > 1 and _CORRECTED & set(words):
            return listing[pointed[-1] - 1]  # "le 2 euh non le 4", "1 sorry I mean 2": the last, put right
        return listing[pointed[0] - 1] if pointed else None


_CORRECTED = frozenset(
    {"non", "no", "nope", "nah", "sorry", "plutot", "mean", "meant", "actually", "pardon", "oups", "oops",
     "instead", "finalement", "wait", "attends"}
)  # fmt: skip


def _runs_of(normalised: str, naming: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of two or more words in a row that named something."""
    spans: list[tuple[int, int]] = []
    start, count, offset = -1, 0, 0
    for word in [*normalised.split(" "), ""]:
        if word and word in naming:
            start, count = (offset, count + 1) if count == 0 else (start, count + 1)
        else:
            if count >= 2:
                spans.append((start, offset - 1))
            count = 0
        offset += len(word) + 1
    return spans


def _position_said(normalised: str, length: int) -> int | None:
    """ "L'avant-dernier", "top one": a position said in words, 1-based."""
    # The middle of an odd-length list only: of four, "celle du milieu" could be either.
    where = {
        "before_last": length - 1,
        "last": length,
        "first": 1,
        "middle": (length + 1) // 2 if length % 2 else 0,
    }
    for name, group in phrases.POSITION_PHRASES.items():
        if has(normalised, group) and 1 <= where[name] <= length:
            return where[name]
    return None
