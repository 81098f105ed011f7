"""Rule-based intent classification for French and English, aware of the session."""

from __future__ import annotations

import re
import unicodedata

from application.ports import ClassifierContext, Intent

_ORDINALS = {
    1: ("premier", "premiere", "first", "1er", "1re", "1st", "un", "une", "one"),
    2: ("deuxieme", "second", "seconde", "2e", "2eme", "2nd", "deux", "two"),
    3: ("troisieme", "third", "3e", "3eme", "3rd", "trois", "three"),
    4: ("quatrieme", "fourth", "4e", "4eme", "4th", "quatre", "four"),
    5: ("cinquieme", "fifth", "5e", "5eme", "5th", "cinq", "five"),
    6: ("sixieme", "sixth", "6e", "6eme", "6th", "six"),
    7: ("septieme", "seventh", "7e", "7eme", "7th", "sept", "seven"),
    8: ("huitieme", "eighth", "8e", "8eme", "8th", "huit", "eight"),
    9: ("neuvieme", "ninth", "9e", "9eme", "9th", "neuf", "nine"),
    10: ("dixieme", "tenth", "10e", "10eme", "10th", "dix", "ten"),
}
_LAST_WORDS = ("dernier", "derniere", "last")
_FILLER = {
    "le",
    "la",
    "les",
    "l",
    "the",
    "un",
    "une",
    "a",
    "an",
    "numero",
    "num",
    "no",
    "n",
    "number",
    "choix",
    "option",
    "one",
    "celui",
    "celle",
    "ci",
    "de",
    "du",
    "des",
    "d",
    "please",
    "svp",
    "stp",
    "merci",
    "thanks",
    "je",
    "veux",
    "voir",
    "i",
    "want",
    "to",
    "see",
    "show",
    "me",
    "mon",
    "ma",
    "mes",
    "my",
    "sur",
    "on",
    "pour",
    "for",
    "chantier",
    "site",
    "tache",
    "task",
    "residence",
}

_PHRASES: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("reset", {}, ("reset", "recommencer", "nouvelle session", "start over", "restart", "reinitialiser")),
    ("help", {}, ("aide", "help", "au secours", "comment ca marche", "how does it work")),
    ("menu", {}, ("menu", "accueil", "home", "retour", "back", "start")),
    (
        "greet",
        {},
        (
            "bonjour",
            "salut",
            "hello",
            "hi",
            "hey",
            "coucou",
            "bonsoir",
            "good morning",
            "good afternoon",
            "good evening",
            "yo",
            "allo",
        ),
    ),
]
_STATUS_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    ("in_progress", ("en cours", "commence", "demarre", "started", "in progress", "working on it", "begun")),
    ("blocked", ("bloque", "bloquee", "blocked", "stuck", "impossible")),
    ("todo", ("a faire", "to do", "todo", "reouvrir", "reopen", "pas fait", "not done")),
    (
        "done",
        (
            "termine",
            "terminee",
            "fini",
            "finie",
            "fait",
            "c est fait",
            "done",
            "finished",
            "complete",
            "completed",
            "marquer termine",
            "mark done",
        ),
    ),
]
_PROBLEM_WORDS = (
    "probleme",
    "souci",
    "signaler",
    "incident",
    "anomalie",
    "malfacon",
    "problem",
    "issue",
    "report",
    "defect",
)
_TASK_WORDS = ("taches", "tache", "tasks", "task", "travaux", "to do list", "mes taches", "my tasks")
_SITE_WORDS = (
    "chantiers",
    "chantier",
    "sites",
    "site",
    "projets",
    "projet",
    "projects",
    "project",
    "mes chantiers",
    "my sites",
)


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Le 2ème !" -> "le 2eme"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w?]+", " ", plain).split())


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _has_phrase(normalised: str, phrases: tuple[str, ...]) -> str | None:
    """The first of `phrases` (in their order) found as whole words in the text."""
    pattern = _PATTERNS.get(phrases)
    if pattern is None:
        # One compiled alternation per phrase group, built once: every text turn asks.
        alternatives = "|".join(f"(?P<p{i}>{re.escape(p)})" for i, p in enumerate(phrases))
        pattern = _PATTERNS[phrases] = re.compile(rf"(?:^|(?<=\s))(?:{alternatives})(?=\s|$)")
    found = [m.lastgroup for m in pattern.finditer(normalised) if m.lastgroup]
    if not found:
        return None
    return phrases[min(int(group[1:]) for group in found)]


class RuleBasedClassifier:
    """Keyword and position rules; the session context resolves "2" and names."""

    def classify(self, text: str, context: ClassifierContext) -> Intent:
        normalised = normalise(text)
        if not normalised:
            return Intent("unknown", {}, 0.0)
        command = self._command(normalised)
        if context.awaiting == "problem_description" and command is None:
            return Intent("describe_problem", {"description": " ".join(text.split())}, 0.9)
        if command is not None:
            return command
        for finder in (self._by_position, self._status, self._problem, self._by_name):
            intent = finder(normalised, text, context)
            if intent is not None:
                return intent
        if _has_phrase(normalised, _TASK_WORDS):
            return Intent("list_tasks", {}, 0.7)
        if _has_phrase(normalised, _SITE_WORDS):
            return Intent("list_sites", {}, 0.7)
        return Intent("unknown", {}, 0.0)

    @staticmethod
    def _command(normalised: str) -> Intent | None:
        if normalised == "?":
            return Intent("help", {}, 1.0)
        words = normalised.split()
        for name, arguments, phrases in _PHRASES:
            # Commands are short messages; "bonjour, le chantier X est bloqué" is not a greeting.
            if len(words) <= 4 and _has_phrase(normalised, phrases):
                return Intent(name, dict(arguments), 1.0)
        return None

    @staticmethod
    def _by_position(normalised: str, _: str, context: ClassifierContext) -> Intent | None:
        if not context.listing:
            return None
        words = [w for w in normalised.split() if w not in _FILLER] or normalised.split()[:1]
        if len(words) > 2:
            return None
        position: int | None = None
        for word in words:
            if word.isdigit():
                position = int(word)
            elif word in _LAST_WORDS:
                position = len(context.listing)
            else:
                position = next((n for n, names in _ORDINALS.items() if word in names), position)
        if position is None or not 1 <= position <= len(context.listing):
            return None
        choice_id, title = context.listing[position - 1]
        return Intent("select", {"choice_id": choice_id, "title": title, "by": "position"}, 0.9)

    @staticmethod
    def _status(normalised: str, _text: str, _context: ClassifierContext) -> Intent | None:
        for status, phrases in _STATUS_PHRASES:
            if _has_phrase(normalised, phrases):
                return Intent("set_status", {"status": status}, 0.7)
        return None

    @staticmethod
    def _problem(normalised: str, text: str, _context: ClassifierContext) -> Intent | None:
        keyword = _has_phrase(normalised, _PROBLEM_WORDS)
        if keyword is None:
            return None
        # Whatever follows "problème :" is the description, in the user's own words.
        match = re.search(r"[:\-–]\s*(.+)$", text.strip())
        description = match.group(1).strip() if match else ""
        if not description:
            rest = normalised.split(keyword, 1)[1].strip()
            description = text.strip() if len(rest.split()) >= 3 else ""
        arguments = {"description": description} if description else {}
        return Intent("report_problem", arguments, 0.7)

    @staticmethod
    def _by_name(normalised: str, _: str, context: ClassifierContext) -> Intent | None:
        wanted = {w for w in normalised.split() if w not in _FILLER and len(w) > 1}
        if not wanted or not context.listing:
            return None
        scored: list[tuple[float, str, str]] = []
        for choice_id, title in context.listing:
            words = set(normalise(title).split())
            overlap = len(wanted & words)
            if overlap:
                scored.append((overlap / len(wanted), choice_id, title))
        scored.sort(reverse=True)
        if not scored or scored[0][0] < 0.5:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None  # ambiguous: better to ask than to guess a site
        best_id, best_title = scored[0][1], scored[0][2]
        return Intent("select", {"choice_id": best_id, "title": best_title, "by": "name"}, 0.8)
