"""News that a trouble is over, or never was: "la fuite est réparée", "power's back", "rien de cassé".

These carry the very words of an incident ("fuite", "courant", "cassé"), so read
by those words they were filed as new problems. They are good news to
acknowledge, and nothing to write. Anything that still sounds wrong ("pas
encore réparé", "fixed but now the ceiling leaks", "est-ce réparé ?") is left to
the other rules.
"""

from __future__ import annotations

from application.ports import Intent
from application.understanding import phrases
from application.understanding.matching import find_all, has, without
from application.understanding.reading import Reading

# Said of a trouble: it is over.
OVER = (
    "repare", "reparee", "repares", "reparees", "regle", "reglee", "regles", "reglees", "resolu",
    "resolue", "resolus", "resolues", "remplace", "remplacee", "remplaces", "remplacees", "remarche",
    "refonctionne", "marche a nouveau", "marche de nouveau", "fonctionne a nouveau", "colmate",
    "colmatee", "fixed", "sorted", "solved", "resolved", "replaced", "works again", "working again",
    "patched",
)  # fmt: skip
# Not "bouché" nor "plugged": a drain that is is the trouble itself.
# Back: good news of what was cut ("le courant est revenu"), bad news of a trouble ("the leak is back").
_BACK = (
    "revenu", "revenue", "revenus", "retabli", "retablie", "remis", "remise", "de retour", "is back",
    "s back", "back on", "came back", "come back", "restored",
)  # fmt: skip
_SUPPLIES = (
    "courant", "jus", "electricite", "elec", "eau", "lumiere", "chauffage", "gaz", "reseau", "internet",
    "wifi", "power", "electricity", "water", "lights", "light", "heating", "gas", "network", "signal",
)  # fmt: skip
# Fixed or delivered, but not right: "replaced with the wrong size", "livré incomplet".
_NOT_RIGHT = (
    "wrong", "mauvais", "mauvaise", "mauvaises", "incomplet", "incomplete", "incomplets", "partiel",
    "partielle", "partial", "half", "moitie", "faulty", "defective", "defectueux", "defectueuse",
    "pas bon", "not right", "trop", "too", "manque", "manquent", "missing", "short", "abime", "abimee",
    "damaged", "raye", "rayee", "scratched", "de travers", "mal", "crooked", "badly", "wrong way",
    "a l envers", "upside down",
)  # fmt: skip
# What was missing is here now.
_HERE_NOW = (
    "arrive", "arrivee", "arrives", "arrivees", "est la", "sont la", "livre", "livree", "livres",
    "livrees", "recu", "recue", "recus", "recues", "on a l acces", "on a acces", "acces ok",
    "arrived", "delivered", "is here", "are here", "got access", "have access", "got the keys",
    "received", "turned up", "showed up",
)  # fmt: skip
# A trouble said to be absent: "plus de fuite", "no leaks", "rien de cassé".
_NONE_LEFT = (
    "plus de fuite", "plus de fuites", "pas de fuite", "aucune fuite", "plus aucune fuite",
    "plus aucun probleme", "plus aucun souci", "plus de souci", "plus de soucis", "no leak", "no leaks",
    "no more leak", "no more leaks", "rien de casse", "nothing broken", "nothing damaged",
    "pas de degat", "pas de degats", "aucun degat", "no damage", "aucun probleme", "aucun souci",
    "pas de probleme", "plus de probleme", "no issues", "no issue", "no problems", "no more problems",
    "all clear", "tout est rentre dans l ordre", "fuit pas", "fuit plus", "fuient pas", "fuient plus",
    "not leaking", "doesn t leak", "does not leak", "no longer leaking", "nothing missing",
    "rien ne manque", "manque rien", "all there", "tout est la", "everything s here",
    "everything is here", "rien a signaler", "nothing to report", "all quiet",
)  # fmt: skip
# Words of an incident said of something else: a meal, a break.
_IDIOMS = (
    "je suis en pause", "suis en pause", "on est en pause", "pause dej", "pause cafe", "pause clope",
    "je fais une pause", "on fait une pause", "petite pause", "on my break", "having a break",
    "casse la croute", "casser la croute", "casse une croute", "broke for lunch", "break for lunch",
    "on a break", "on break", "tea break", "lunch break", "smoko",
)  # fmt: skip
# A test of a trouble that went well: "test de fuite ok", "the flood test went fine".
_TESTS = (
    "test",
    "tests",
    "essai",
    "essais",
    "controle",
    "check",
    "inspection",
    "mise en eau",
    "pressure test",
)
_PASSED = (
    "ok", "passe", "passed", "pass", "bon", "bons", "concluant", "concluants", "valide", "valides",
    "reussi", "reussis", "fine", "good", "went well", "all good", "nickel", "conforme", "conformes",
)  # fmt: skip
# Safety kit put in place: "garde-corps posés", "guardrails up", "panneau danger installé".
_SAFETY = (
    "garde corps", "gardes corps", "guardrail", "guardrails", "guard rail", "guard rails", "panneau",
    "panneaux", "signage", "signs", "barriere", "barrieres", "barrier", "barriers", "filet", "filets",
    "netting", "balisage", "harness", "harnais", "extincteur", "extincteurs", "extinguisher",
)  # fmt: skip
_PUT_IN = (
    "pose", "posee", "poses", "posees", "installe", "installee", "installes", "installees", "mis en place",
    "mise en place", "monte", "montes", "up", "in", "installed", "fitted", "put up", "in place", "done",
)  # fmt: skip
# A cut that was meant: "coupure prévue demain", "power off for the tie-in, planned".
_CUTS = ("coupure", "coupe", "coupee", "power off", "shut off", "shutdown", "isolated", "off")
_PLANNED = (
    "prevu", "prevue", "planned", "planifie", "planifiee", "programme", "programmee", "scheduled",
    "normal", "expected", "on purpose", "expres", "pour bosser", "for the work",
)  # fmt: skip
# Said with any of these, the trouble is not over, or something else is wrong too.
_NOT_OVER = (
    "pas", "plus", "not", "never", "jamais", "toujours", "still", "encore", "yet", "mais", "but",
    "par contre", "however", "sauf", "except", "nouveau probleme", "new problem", "again", "re",
    "n est", "isn", "hasn", "haven", "wasn", "didn", "aren", "only", "que",
)  # fmt: skip
# After "arrivé", only these leave it plain news: "boards delivered wet" is a problem.
_AFTER_ARRIVAL = frozenset(
    {
        "now", "maintenant", "enfin", "finally", "ce", "matin", "this", "morning", "today", "aujourd",
        "hui", "merci", "thanks", "thx", "ok", "on", "site", "sur", "le", "chantier", "the", "a", "l",
        "heure", "time", "emoji_ok", "emoji_thanks", "emoji_smile", "cool", "super", "top", "nickel",
        "great", "good", "bon",
    }
)  # fmt: skip
_WORDS_OF_GOOD_NEWS = 8  # longer, it tells of more than good news: the other rules read it


def all_clear(reading: Reading) -> Intent | None:
    normalised = reading.normalised
    if reading.question or len(reading.words) > _WORDS_OF_GOOD_NEWS:
        return None
    # What is left once the good news is taken out must not take it back: "pas réparé",
    # "fixed but…" ("works again" is good news, "leaking again" is not).
    rest = normalised
    for group in (_NONE_LEFT, OVER, _BACK, _HERE_NOW, _IDIOMS, _PASSED, _PUT_IN, _PLANNED):
        rest = without(rest, group)
    if has(rest, _NOT_OVER) or has(rest, _NOT_RIGHT):
        return None
    if has(normalised, _NONE_LEFT) or has(normalised, _IDIOMS):
        return _acknowledged()
    over = (
        has(normalised, OVER)
        or (has(normalised, _BACK) and has(normalised, _SUPPLIES))
        or (has(normalised, _TESTS) and has(normalised, _PASSED))
        or (has(normalised, _SAFETY) and has(normalised, _PUT_IN))
        or (has(normalised, _CUTS) and has(normalised, _PLANNED))
        or _arrived_and_nothing_more(reading)
    )
    if not over:
        return None
    if (reading.task is not None or reading.context.focus.get("task_id")) and not has(
        normalised, phrases.PROBLEM_WORDS
    ):
        # "fuite du R+1 réparée", "essais d'étanchéité ok": that task's work, for the status rules;
        # "the issue was fixed" is still of the trouble.
        return None
    return _acknowledged()


def _acknowledged() -> Intent:
    return Intent("small_talk", {"kind": "ack"}, 0.85)


def _arrived_and_nothing_more(reading: Reading) -> bool:
    """ "Le matériel est arrivé", "got access now": what was missing is here, and nothing is said
    of what state it came in ("arrivée cassée", "delivered wet", "livré incomplet")."""
    found = find_all(reading.normalised, _HERE_NOW)
    if not found or reading.says(phrases.INCIDENTS):
        return False
    after = reading.normalised[found[-1].end :].split()
    return all(word in _AFTER_ARRIVAL for word in after)
