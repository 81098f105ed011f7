"""The message right after a status was written: taken back ("undo", "wrong one sorry", "annule"),
or said of another task too ("and the risers", "le parking aussi").

Right after a write, these words are about it: they were answered with a nod
("undo that" → 👍) or filed as a problem ("wrong one sorry"), and the task kept
the status the person meant to take back. The status it had before is offered,
yes or no, never written at once: "annule" may also mean the next thing.
"""

from __future__ import annotations

from application.ports import Intent
from application.understanding import phrases
from application.understanding.matching import has, only
from application.understanding.reading import Reading

TAKEN_BACK = (
    "undo", "undo that", "undo it", "reverse that", "reverse it", "revert", "revert it", "put it back",
    "change it back", "set it back", "take it back", "take that back", "cancel that", "cancel it", "cancel",
    "wrong one", "wrong task", "wrong job", "wrong button", "pressed the wrong", "hit the wrong",
    "not that one", "not that task", "my mistake", "by mistake", "mistake", "my bad", "not done actually",
    "not finished actually", "annule", "annuler", "annule ca", "annule le", "annule la", "annule tout",
    "defais", "defaire", "retour arriere", "remets", "remet", "remettre", "remets comme avant",
    "remet comme avant", "je me suis trompe", "je me suis trompee", "je me suis gourre", "gourre",
    "trompe", "erreur", "par erreur", "mauvais bouton", "mauvaise tache", "pas celle la", "pas celui la",
    "pas la bonne", "pas le bon", "c est pas la bonne", "c est pas le bon", "j ai appuye trop vite",
    "appuye trop vite", "pas fait expres",
)  # fmt: skip
_AROUND = (
    *sorted(phrases.FILLER), "oops", "oups", "whoops", "sorry", "desole", "desolee", "dsl", "pardon", "non",
    "no", "nah", "ah", "oh", "merde", "shit", "damn", "please", "pls", "stp", "svp", "that", "ca", "it",
    "the", "last", "dernier", "derniere", "one", "mate", "chef", "en fait", "actually", "i", "j ai",
    "sorry mate", "lol", "mdr",
)  # fmt: skip


def taken_back(reading: Reading) -> Intent | None:
    """The status before the last write, offered back, when the message only takes that write back."""
    change = reading.context.last_change
    if not change or not has(reading.normalised, TAKEN_BACK):
        return None
    if not only(reading.normalised, TAKEN_BACK, _AROUND):
        return None  # "annule le rdv de demain", "wrong one delivered": about something else
    arguments = {"task_id": change["task_id"], "status": change["previous_status"]}
    return Intent("set_status", arguments, 0.8, certain=False)


_TOO = ("too", "as well", "also", "and", "aussi", "et", "pareil", "idem", "egalement", "pour", "the same")


def that_one_too(reading: Reading) -> Intent | None:
    """The status just written, offered for another task named with "too": "partitions too"."""
    change = reading.context.last_change
    if not change or not has(reading.normalised, _TOO):
        return None  # the names are read only then: reading them may ask the directory
    task = reading.task
    if task is None or task == change["task_id"]:
        return None
    naming = reading.task_found.words | reading.site_found.words
    said = [w for w in reading.words if w not in naming and w not in phrases.FILLER and not has(w, _TOO)]
    if said:
        return None  # "and the risers are blocked": something else said of them
    return Intent("set_status", {"task_id": task, "status": change["status"]}, 0.8, certain=False)
