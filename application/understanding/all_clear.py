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
from application.understanding.matching import find_all, has
from application.understanding.reading import Reading

# Said of a trouble: it is over.
_OVER = (
    "repare", "reparee", "repares", "reparees", "regle", "reglee", "regles", "reglees", "resolu",
    "resolue", "resolus", "resolues", "remplace", "remplacee", "remplaces", "remplacees", "remarche",
    "refonctionne", "marche a nouveau", "marche de nouveau", "fonctionne a nouveau", "bouche", "colmate",
    "colmatee", "fixed", "sorted", "solved", "resolved", "replaced", "works again", "working again",
    "patched", "plugged",
)  # fmt: skip
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
    "damaged", "raye", "rayee", "scratched",
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
    "all clear", "tout est rentre dans l ordre",
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
    for group in (_NONE_LEFT, _OVER, _BACK, _HERE_NOW):
        rest = _without(rest, group)
    if has(rest, _NOT_OVER) or has(rest, _NOT_RIGHT):
        return None
    if has(normalised, _NONE_LEFT):
        return Intent("small_talk", {"kind": "ack"}, 0.85)
    over = has(normalised, _OVER) or (has(normalised, _BACK) and has(normalised, _SUPPLIES))
    if not (over or _arrived_and_nothing_more(reading)):
        return None
    if reading.task is not None or reading.context.focus.get("task_id"):
        return None  # "fuite du R+1 réparée" may report that task's work: the status rules read it
    return Intent("small_talk", {"kind": "ack"}, 0.85)


def _without(normalised: str, group: tuple[str, ...]) -> str:
    for found in reversed(find_all(normalised, group)):
        normalised = normalised[: found.start] + " " + normalised[found.end :]
    return normalised


def _arrived_and_nothing_more(reading: Reading) -> bool:
    """ "Le matériel est arrivé", "got access now": what was missing is here, and nothing is said
    of what state it came in ("arrivée cassée", "delivered wet", "livré incomplet")."""
    found = find_all(reading.normalised, _HERE_NOW)
    if not found or reading.says(phrases.INCIDENTS):
        return False
    after = reading.normalised[found[-1].end :].split()
    return all(word in _AFTER_ARRIVAL for word in after)
