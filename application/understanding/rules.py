"""The deterministic layer: commands, positions, statuses, problems, questions, small talk, names.

Fast and predictable. It answers only when a phrase it knows is there; the
local model reads what it does not.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from application.ports import Intent
from application.understanding import phrases
from application.understanding.all_clear import OVER, all_clear
from application.understanding.entities import as_said
from application.understanding.matching import find_all, has, only, without
from application.understanding.reading import OF_THE_LIST, Reading
from application.understanding.statuses import FRACTION, STATUS_WORDS, StatusReading, read_status
from application.understanding.taking_back import taken_back, that_one_too
from application.understanding.text import words_of

_SMALL_TALK_FILLERS = (
    "beaucoup", "bien", "a", "vous", "toi", "you", "very", "much", "so", "a lot", "mate", "boss", "chef",
    "les gars", "guys", "et", "and", "pour", "for", "l info", "the info", "tout", "all", "de", "aussi",
    "too", "again", "encore", "ah", "oh", "bah", "ben", "alors", "well", "then", "merci",
    "demain", "tomorrow", "plus tard", "later", "aujourd hui", "today", "ce soir", "tonight", "je",
    "i am", "we are", "bonsoir",
)  # fmt: skip
_EVENING = (
    "bonne soiree",
    "bonne nuit",
    "bonsoir",
    "good night",
    "good evening",
    "night night",
    "gn",
    "nighty",
)
_THANKS_OR_FILLERS = _SMALL_TALK_FILLERS + phrases.THANKS
_SMALL_TALK = phrases.THANKS + phrases.ACKNOWLEDGEMENTS + phrases.BYE
# Said of a task, these sound like "done" without saying it.
_SOUNDS_DONE = ("ok", "c est bon", "bon", "nickel", "sorted", "emoji_ok", "good to go", "tout bon", "fine",
                "ready", "pret", "prete", "ca y est", "voila", "sorted out", "good")  # fmt: skip
# A name said with at most this many other words is a choice; more, and the message says something.
_WORDS_BESIDES_A_NAME = 1
# What a problem report must say besides "problème" and where, to be a description.
_WORDS_OF_A_DESCRIPTION = 2
# A report of work not done with more than this many words besides the name is about something else.
_WORDS_AROUND_A_REPORT = 3
# A status said with more words than this that name nothing known is asked, not written.
_WORDS_BESIDES_A_STATUS = 1
# A status with no task named or in focus and this many other words is about something else.
_WORDS_ABOUT_SOMETHING_ELSE = 2


_COURTESIES = phrases.THANKS + phrases.ACKNOWLEDGEMENTS + phrases.BYE
_LIST_WORDS = ("list", "liste", "lister", "show me the jobs", "the jobs", "les travaux", "le boulot",
               "remaining", "outstanding", "left to do", "reste a faire", "restant", "restantes",
               "restants")  # fmt: skip
# "The blocked one", "celle qui est en cours": a task of the list on screen, pointed at by its status.
_POINTERS = frozenset(
    {"one", "ones", "celle", "celui", "celles", "ceux", "that", "those", "la", "le", "les", "the"}
)  # "la bloquée", "the blocked one"
_RELATIVE = frozenset({"qui", "est", "sont", "that", "is", "are", "s", "which", "en", "still"})

Rule = Callable[[Reading], Intent | None]
_WORDS_OF_A_LIST = 8  # "what jobs are going at the hotel"; longer, it tells of something (the model reads it)


def by_rules(reading: Reading) -> Intent | None:
    """The first rule that recognises the message decides; None when none does."""
    for rule in _RULES:
        intent = rule(reading)
        if intent is not None:
            return intent
    return None


def _confirmation(reading: Reading) -> Intent | None:
    if len(reading.words) > 6:
        return None
    if reading.context.pending is None:
        return _unasked_answer(reading)
    corrected = _another_status_instead(reading, reading.context.pending) or _another_task_instead(
        reading, reading.context.pending
    )
    if corrected is not None:
        return corrected
    said_no_first = reading.words[:1] in (["non"], ["no"])
    if reading.context.pending.get("kind") == "report_problem_site":
        said_no_first = False  # asked which site: "no power at the hotel" answers, it does not decline
    if only(reading.normalised, phrases.NO, _SMALL_TALK_FILLERS) or said_no_first:
        return Intent("confirm_no", {}, 1.0)
    if only(reading.normalised, phrases.YES, _THANKS_OR_FILLERS):
        return Intent("confirm_yes", {}, 1.0)
    return None


def _chosen(reading: Reading, choice_id: str, arguments: dict[str, str], confidence: float) -> Intent:
    """A choice; a task chosen after "c'est fini" asked which task gets that status, confirmed."""
    status = reading.context.status_awaiting_task
    # A position names nothing: the names are not read for it (reading them may ask the directory).
    entities = {} if arguments.get("by") == "position" else reading.entities()
    if status and choice_id.startswith("task."):
        wanted = {"task_id": choice_id.removeprefix("task."), "status": status}
        return Intent("set_status", wanted, confidence, certain=False, entities=entities)
    return Intent("select", arguments, confidence, entities=entities)


def _another_status_instead(reading: Reading, pending: dict[str, str]) -> Intent | None:
    """ "Non, en cours plutôt", "no it's blocked" to "mark it done?": no, and the status meant,
    offered in its place."""
    if pending.get("kind") != "set_status" or reading.words[:1] not in (["non"], ["no"], ["nan"], ["nah"]):
        return None
    said = read_status(" ".join(reading.words[1:]), False)
    if said is None or said.asserted is None or said.asserted == pending.get("status"):
        return None
    arguments = {"task_id": pending["task_id"], "status": said.asserted}
    return Intent("set_status", arguments, 0.8, certain=False)


def _another_task_instead(reading: Reading, pending: dict[str, str]) -> Intent | None:
    """ "Non les tableaux", "no the ceiling grid" to "mark the partitions done?": that status, offered
    for the task named instead."""
    if pending.get("kind") != "set_status" or reading.words[:1] not in (["non"], ["no"], ["nan"], ["nah"]):
        return None
    task = reading.task
    if task is None or task == pending.get("task_id") or not _name_alone(reading):
        return None
    return Intent("set_status", {"task_id": task, "status": pending["status"]}, 0.8, certain=False)


def _unasked_answer(reading: Reading) -> Intent | None:
    # A "non" or a "yep" when nothing was asked (a confirmation already answered, or
    # lapsed): the person is only answering; reading more into it would ask about a write.
    if reading.context.awaiting is not None:
        return None
    if only(reading.normalised, phrases.BARE_ANSWERS, _SMALL_TALK_FILLERS):
        return Intent("small_talk", {"kind": "ack"}, 0.95)
    return None


def _command(reading: Reading) -> Intent | None:
    if reading.normalised == "?" or reading.words in (["quoi"], ["what"], ["quoi", "?"], ["what", "?"]):
        return Intent("help", {}, 1.0)  # "quoi ?": what the bot says was not understood
    if set(reading.normalised.replace(" ", "")) == {"?"} or reading.words in (["huh"], ["hein"], ["eh"]):
        return Intent("unknown", {}, 0.9)  # "???", "hein ?": puzzled, not a problem ("huh" was one)
    if reading.words in (["oublie"], ["oublies"], ["oublie", "ca"], ["oublie", "tout"]):
        return Intent("reset", {}, 0.9)  # "forget it"; "j'ai oublié mes clés" is something else
    if reading.words in (["re"], ["oi"], ["oi", "bot"], ["re", "bonjour"]):
        return Intent("greet", {}, 1.0)  # "re": hello again; only alone, it is a word of many others
    said = [w for w in reading.words if w not in phrases.FILLER]  # "s il te plait" is no more said
    if len(said) <= 7 and (has(reading.normalised, phrases.RESET) or _drops_it(reading)):
        return Intent("reset", {}, 1.0)
    understood = only(reading.normalised, _COURTESIES, _SMALL_TALK_FILLERS)  # "ok je vois comment ça marche"
    if has(reading.normalised, phrases.HOW_TO) and not understood:
        return Intent("help", {}, 0.9)
    if _stuck_with_the_bot(reading):
        return Intent("help", {}, 0.85)
    if len(words_of(without(reading.normalised, phrases.GREETING_COURTESIES))) > 4:
        return None  # "bonjour, le chantier X est bloqué" is not a greeting; "hey how's it going" is
    for name, command_phrases in phrases.COMMANDS:
        if has(reading.normalised, command_phrases):
            rest = without(reading.normalised, command_phrases)  # whole words: "hi" is in "things"
            if name == "greet" and _says_more(rest):
                return None  # "bjr c fait pr les prises": the greeting is not the point
            if name == "menu" and has(reading.normalised, _SIGNING_OFF):
                return None  # "home time": they leave
            if name == "menu" and (has(rest, phrases.SITE_WORDS) or has(rest, phrases.TASK_WORDS)):
                return None  # "back to my sites": that list, not the menu
            if name == "menu" and read_status(reading.normalised, reading.question) is not None:
                return None  # "back to todo", "back on it": a status
            if name == "menu" and only(reading.normalised, _COURTESIES, _SMALL_TALK_FILLERS):
                return None  # "merci du retour": thanks for the answer
            if name == "menu" and _SAID_TO_BE_BACK.search(reading.normalised):
                return None  # "the leak is back", "le courant est de retour": news, not a way back
            return Intent(name, {}, 1.0)
    return None


_SAID_TO_BE_BACK = re.compile(r"\b(?:is|s|are|was|were|came|come|comes|coming|est|sont|de) (?:back|retour)\b")
# Said before "laisse tomber", "forget it", they leave it the first thing said.
_LEADING = frozenset(
    {"non", "no", "nah", "bon", "ok", "ah", "oh", "euh", "actually", "en", "fait", "finalement"}
)


def _stuck_with_the_bot(reading: Reading) -> bool:
    """ "Ça marche pas ton truc", "ça bug", "j'y arrive pas": help, not a problem on a site."""
    normalised = reading.normalised
    if len(reading.words) > _WORDS_OF_A_LIST:
        return False
    said_of_the_bot = has(normalised, phrases.THE_BOT) and has(normalised, phrases.NOT_WORKING)
    stuck = not said_of_the_bot and has(normalised, phrases.STUCK) and not reading.context.focus
    if not (said_of_the_bot or stuck):
        return False  # the names are read only then: reading them may ask the directory
    if reading.site or reading.task:
        return False
    return said_of_the_bot or not reading.says(phrases.INCIDENTS)


def _drops_it(reading: Reading) -> bool:
    """ "Laisse tomber", "non annule", "nah forget it": what was going on is dropped."""
    words = reading.words
    start = 0
    while start < len(words) - 1 and words[start] in _LEADING:
        start += 1
    rest = " ".join(words[start:])
    found = next((f for f in find_all(rest, phrases.RESET_FIRST) if f.start == 0), None)
    if found is None:
        return False
    # "Annule le rendez-vous de demain" is about something else.
    return len([w for w in rest[found.end :].split() if len(w) > 2 and w not in phrases.FILLER]) <= 1


def _says_more(rest: str) -> bool:
    # "Wesh gros", "mornin 👋", "hey how's it going": who it is said to, emojis and asking after
    # them say nothing more.
    rest = without(rest, phrases.GREETING_COURTESIES)
    said = [word for word in rest.split() if word not in phrases.VOCATIVES and not word.startswith("emoji_")]
    return any(len(word) > 2 and word not in phrases.FILLER for word in said)


# Said instead of a description: nothing to report after all, a slip of the finger, or "wait".
_NOTHING_TO_DESCRIBE = (
    "non", "no", "nan", "nah", "nope", "non rien", "rien", "nothing", "none", "oups", "oops", "whoops",
    "mauvais bouton", "wrong button", "pas fait expres", "my bad", "mistake", "erreur", "par erreur",
    "by mistake", "je me suis trompe", "je me suis trompee", "trompe", "c est bon", "finalement c est bon",
    "en fait c est bon", "all good", "never mind", "nevermind", "ignore that", "ignore", "no problem",
    "pas de probleme", "pas de souci", "rien a signaler", "nothing to report", "mauvaise manip",
    "mauvaise manipulation", "fausse alerte", "false alarm", "c est regle", "sorted", "it s fine",
    "its fine", "c est rien", "laisse", "cancel", "forget it", "sorry", "desole", "desolee", "dsl",
    "j ai trouve", "c est reparti", "en fait", "finalement", "actually", "meant", "wrong one",
    "pas grave", "not important", "doesn t matter", "does not matter", "it is fine", "it is fine now",
    "fine now", "all fine", "tout va bien", "ca va", "all good now", "sorted now", "c est bon maintenant",
    "wrong", "mauvais", "mistake", "no worries",
)  # fmt: skip
_ANOTHER_SITE = (
    "wrong site", "wrong job", "not here", "not this site", "other site", "it s at", "its at", "it is at",
    "mauvais chantier", "pas ici", "pas sur ce chantier", "autre chantier", "c est a", "c est sur",
    "c est au", "c est aux", "c etait a", "c etait sur", "en fait", "actually",
)  # fmt: skip
_WAIT = (
    "attend", "attends", "attendez", "wait", "hold on", "hang on", "2 sec", "2 secondes", "deux secondes",
    "2 min", "2 mins", "une seconde", "un instant", "one sec", "1 sec", "one moment", "1 min",
    "je te dis", "jte dis", "je vous dis", "i ll tell you", "i will tell you", "i ll let you know",
    "je regarde", "je verifie", "let me check", "checking", "comment dire", "je sais pas comment dire",
    "je sais pas comment", "how do i say", "how to say", "how do i put it",
)  # fmt: skip
# What a description is not: a list asked for, a question about their work.
_A_PHOTO_COMING = (
    "une photo", "la photo", "des photos", "les photos", "en photo", "photo", "photos", "pic", "pics",
    "picture", "pictures", "a photo", "the photo", "sending a pic", "sending pic", "pic coming",
)  # fmt: skip
# Fewer words than this, and none of an incident: what is filed is confirmed first.
_WORDS_OF_A_SURE_DESCRIPTION = 3
_NOT_DESCRIPTIONS = ("list_sites", "list_tasks", "ask_overdue", "ask_due_this_week", "ask_where_expected")


def _awaited_description(reading: Reading) -> Intent | None:
    """The message after "describe the problem". Filed as it is when it describes something;
    "non", "merci", "wrong button" file nothing; "je t'envoie une photo" waits for it; "mes
    chantiers", "j'ai fini les prises" are read as they would be anywhere; a few words that say
    no incident are confirmed first ("appelle moi", "2" were each filed as a problem)."""
    if reading.context.awaiting != "problem_description":
        return None
    normalised = reading.normalised
    elsewhere = reading.site
    if elsewhere and elsewhere != reading.context.focus.get("project_id") and has(normalised, _ANOTHER_SITE):
        # "Wrong site, it's at the hotel", "c'est sur Jaurès pas ici": there, still to describe.
        return Intent("report_problem", {"project_id": elsewhere}, 0.9)
    if only(normalised, _NOTHING_TO_DESCRIBE, _THANKS_OR_FILLERS + _SMALL_TALK) or all(
        word.startswith("emoji_") for word in reading.words
    ):
        return Intent("small_talk", {"kind": "nothing_reported"}, 0.9)
    if only(normalised, _WAIT, _SMALL_TALK_FILLERS) or has(normalised, _A_PHOTO_COMING):
        return Intent("report_problem", {}, 0.9)  # asked again: the description is still awaited
    incident = reading.says(phrases.INCIDENTS)
    if not incident:
        if only(normalised, _SMALL_TALK + phrases.YES, _SMALL_TALK_FILLERS):
            return Intent("small_talk", {"kind": "nothing_reported"}, 0.9)
        naming = reading.task_found.words | reading.site_found.words
        status = read_status(normalised, reading.question, reading.text, naming)
        if status is not None and status.asserted in ("done", "in_progress"):
            return None  # work reported: the status rules read it
        for rule in (_question_about_work, _where_on_a_day, _lists):
            intent = rule(reading)
            short = len(reading.words) <= _WORDS_OF_A_LIST
            if intent is not None and intent.name in _NOT_DESCRIPTIONS and short:
                return intent
        elsewhere = reading.site
        if (
            elsewhere
            and elsewhere != reading.context.focus.get("project_id")
            and len(reading.words) <= _WORDS_OF_A_LIST
        ):
            return Intent("report_problem", {"project_id": elsewhere}, 0.9)  # "c'est à Vénissieux": there
    description = " ".join(reading.text.split())
    said = reading.telling_words
    if not said and not incident:
        return Intent("small_talk", {"kind": "nothing_reported"}, 0.9)  # "a+", "?"
    if not incident and len(said) < _WORDS_OF_A_SURE_DESCRIPTION:
        return Intent("report_problem", {"description": description}, 0.6, certain=False)
    return Intent("describe_problem", {"description": description}, 0.9)


# Leaving for the day, said with "done" or "finished": "finished for the day lads", "done for the week",
# "im done, heading home". The day ends, not a task. (French says it of the task: "fini pour
# aujourd'hui" is asked about.)
_SIGNING_OFF = (
    "heading home", "off home", "going home", "knocking off", "clocking off", "calling it a day",
    "call it a day", "for the day", "for the week", "for the weekend", "for tonight", "for today",
    "home time",
)  # fmt: skip
_AS_THEY_LEAVE = ("i am done", "we are done", "done", "finished", "that s me", "that is me", "me", "all",
                  *sorted(phrases.VOCATIVES))  # fmt: skip


def _small_talk(reading: Reading) -> Intent | None:
    normalised = reading.normalised
    if has(normalised, _SIGNING_OFF) and only(normalised, _SIGNING_OFF + _SMALL_TALK, _AS_THEY_LEAVE):
        evening = has(normalised, _EVENING)
        return Intent("small_talk", {"kind": "bye_evening" if evening else "bye"}, 0.9)
    fillers = _SMALL_TALK_FILLERS
    if not only(normalised, _SMALL_TALK, fillers):
        return None
    for kind, kind_phrases in (("bye", phrases.BYE), ("thanks", phrases.THANKS)):
        if has(normalised, kind_phrases):
            evening = kind == "bye" and has(normalised, _EVENING)  # "bonne soirée" is not "bonne journée"
            return Intent("small_talk", {"kind": "bye_evening" if evening else kind}, 0.95)
    return Intent("small_talk", {"kind": "ack"}, 0.95)


def _position(reading: Reading) -> Intent | None:
    listing = reading.context.listing
    if not listing:
        return None
    unsaid = without(reading.normalised, OF_THE_LIST)
    for group in phrases.POSITION_PHRASES.values():
        unsaid = without(unsaid, group)
    words = [w for w in words_of(without(unsaid, _CORRECTING)) if w not in phrases.FILLER]
    if len(words) > 2:
        return None
    pointed = reading.listed_position()
    if pointed is None or not all(_is_position(w) for w in words):
        return None
    choice_id, title = pointed
    bare_number = len(reading.words) == 1 and reading.words[0].isdigit()
    if choice_id.startswith("status.") and not bare_number:
        # A status is written by its button, or by its number as a list shows it ("2"); "le 3",
        # "le dernier", "first one" after a status question may be a date or the list seen before.
        return None
    return _chosen(reading, choice_id, {"choice_id": choice_id, "title": title, "by": "position"}, 0.95)


def _pointed_by_a_word(reading: Reading) -> Intent | None:
    """ "The fire one", "celle du préau": one word of one name on the list shown, pointed at. Read
    first, as "fire" is also an incident's word ("the fire one" was filed as a problem)."""
    listing = reading.context.listing
    words = set(reading.words)
    if not listing or not words & _ONE or len(reading.words) > _WORDS_OF_A_POINTER:
        return None
    said = [w for w in reading.words if w not in phrases.FILLER and w not in _POINTERS and w not in _OF]
    if len(said) != 1 or len(said[0]) < _SHORTEST_POINTING_WORD:
        return None
    fitting = [
        (choice_id, title)
        for choice_id, title in listing
        if choice_id.startswith(("task.", "project.")) and said[0] in as_said(title).split()
    ]
    if len(fitting) != 1:
        return None
    choice_id, title = fitting[0]
    return _chosen(reading, choice_id, {"choice_id": choice_id, "title": title, "by": "name"}, 0.85)


_ONE = frozenset({"one", "celle", "celui"})
_OF = frozenset({"du", "de", "des", "d", "with", "avec", "a", "au", "aux", "en"})
_WORDS_OF_A_POINTER = 5
_SHORTEST_POINTING_WORD = 3


# Said around a choice, or to put one right: "plutôt la 3", "non la 4", "sorry I meant 2", "ouais la 2
# du coup", "le premier truc", "uh the 2nd i think".
_CORRECTING = (
    "plutot", "non", "no", "nah", "nope", "pardon", "sorry", "oups", "oops", "en fait", "actually", "i mean",
    "i meant", "je veux dire", "je voulais dire", "rather", "instead", "finalement", "my bad", "autant", "ah",
    "oh", "euh", "erm", "du coup", "ouais", "yes", "uh", "um", "je crois", "je pense", "i think", "truc",
    "thing", "ligne", "line", "item", "celle la", "celui la", "that one", "en", "bon", "ben", "bah", "alors",
    "well", "so", "then", "ok", "okay", "go on", "vas y", "allez",
)  # fmt: skip


def _is_position(word: str) -> bool:
    return (
        word.isdigit()
        or word in phrases.LAST_WORDS
        or any(word in names for names in phrases.ORDINALS.values())
    )


# A problem said to be none, hypothetical, or over: "no problem", "any problems I'll let you
# know", "had a problem yesterday but it's sorted": nothing to file.
_NO_PROBLEM = (
    "no problem", "no problems", "not a problem", "no prob", "no probs", "no issue", "no issues",
    "not an issue", "no probleme", "no problemes", "not a probleme",
    "pas de probleme", "pas de problemes", "pas de souci", "pas de soucis",
    "pas un probleme", "sans probleme", "sans souci", "aucun probleme", "aucun souci",
    "any problems", "any problem", "any issues", "any issue", "if there is a problem", "if there s a problem",
    "if any problems", "if theres a problem", "if problem", "si probleme", "si souci",
    "s il y a un probleme", "s il y a un souci", "en cas de probleme", "en cas de souci",
    "si il y a un probleme", "si y a un probleme", "si il y a un souci",
)  # fmt: skip
_OVER_NOW = (
    *OVER, "all good now", "fine now", "ok now", "good now", "c est bon maintenant", "tout est bon",
    "ca va maintenant", "c est reparti",
)  # fmt: skip
_STILL_WRONG = (
    "still", "again", "toujours", "encore", "not", "pas", "never", "jamais", "but now", "mais maintenant",
    "new", "nouveau", "nouvelle", "another", "autre",
)  # fmt: skip


def _no_problem_to_file(reading: Reading) -> bool:
    normalised = reading.normalised
    if has(normalised, _NO_PROBLEM) and not reading.says(phrases.INCIDENTS):
        return True
    if has(normalised, _OVER_NOW):
        rest = without(without(normalised, _OVER_NOW), _NO_PROBLEM)
        return not has(rest, _STILL_WRONG) and not reading.says(phrases.INCIDENTS)
    return False


def _explicit_problem(reading: Reading) -> Intent | None:
    found = find_all(reading.normalised, phrases.PROBLEM_WORDS)
    if not found or not reading.says(phrases.PROBLEM_WORDS):
        return None
    if "?" in reading.text and not reading.says(phrases.INCIDENTS):
        return None  # "any problems on site?", "problems?": asked, nothing reported
    if _no_problem_to_file(reading):
        status = read_status(reading.normalised, reading.question)
        if status is not None and status.mentioned:
            return None  # "all done no issues": the status rules read the work
        return Intent("small_talk", {"kind": "ack"}, 0.85)
    if reading.question and not reading.says(phrases.INCIDENTS):
        return None  # "is there a problem": asked, nothing reported
    if all(f.phrase == "report" for f in found) and has(reading.normalised, phrases.REPORTING_IN):
        return None  # "where do I report tomorrow": where to turn up, nothing to report
    match = re.search(r"[:\-–]\s*(.+)$", reading.text.strip())
    description = match.group(1).strip() if match else ""
    if not description:
        # What follows the last problem word, names aside: "déclarer un incident au Vallon" says
        # nothing yet of what happened; "problème de fuite au sous-sol" does.
        rest = reading.normalised[found[-1].end :].split()
        naming = reading.site_found.words | reading.task_found.words
        said = [w for w in rest if len(w) > 2 and w not in phrases.FILLER and w not in naming]
        description = reading.text.strip() if len(said) >= _WORDS_OF_A_DESCRIPTION else ""
    arguments = {"description": description} if description else {}
    if reading.problem_site:
        arguments["project_id"] = reading.problem_site
    certain = bool(description) and not _doubtful_problem(reading)
    return Intent("report_problem", arguments, 0.9, certain=certain, entities=reading.entities())


# A problem said as a maybe, a joke, someone else's or another site's: confirmed before it is filed.
_DOUBTS = (
    "might", "may", "maybe", "could", "possibly", "if", "peut etre", "possible", "si", "au cas ou",
    "probably", "probablement", "never", "jamais", "pas eu", "no", "not mine", "pas a moi", "pas le mien",
    "other site", "autre chantier", "not here", "pas ici", "sante", "health", "facture", "invoice",
    "payslip", "fiche de paie", "paie", "salaire", "pay", "my phone", "mon tel", "mon telephone", "l appli",
    "the app",
)  # fmt: skip


def _doubtful_problem(reading: Reading) -> bool:
    return has(reading.normalised, _DOUBTS) or _laughing(reading)


_THINGS_THAT_ARE = re.compile(r"\b(?:ce|quoi|qu est ce|truc|trucs|chose|choses) qui (?:est|sont)\b")


def _about_someone(reading: Reading) -> Intent | None:
    """ "Qui est le chef de chantier ?": a question the bot cannot answer, whatever it names."""
    # "Qu'est-ce qui est en retard ?" asks about things, not people.
    about = _THINGS_THAT_ARE.sub(" ", reading.normalised)
    if reading.question and has(about, phrases.ABOUT_SOMEONE):
        return Intent("unknown", {}, 0.8)
    return None


def _off_topic(reading: Reading) -> Intent | None:
    """Pay, leave, the weather: not the bot's to answer, whatever site the message names."""
    if has(reading.normalised, phrases.OFF_TOPIC) and not reading.says(phrases.INCIDENTS):
        return Intent("unknown", {}, 0.8)
    if has(reading.normalised, phrases.PERSONAL) and not reading.site and not reading.task:
        return Intent("unknown", {}, 0.8)
    return None


def _their_day(reading: Reading) -> Intent | None:
    """ "Running late", "jsuis malade ajd", "stuck in traffic": their day, told; no task, site,
    status nor incident in it."""
    if not has(reading.normalised, phrases.THEIR_DAY) or reading.question:
        return None
    if reading.task or reading.site or reading.says(phrases.INCIDENTS):
        return None
    if read_status(reading.normalised, False) is not None:
        return None
    return Intent("small_talk", {"kind": "ack"}, 0.8)


def _question_about_work(reading: Reading) -> Intent | None:
    normalised = reading.normalised
    asks_about_work = any(
        has(normalised, group)
        for group in (phrases.OVERDUE, phrases.WHERE_WORKING, phrases.WHERE_EXPECTED, phrases.DUE_THIS_WEEK,
                      phrases.WHAT_TO_DO, phrases.URGENT, phrases.WHAT_DO_I_DO)
    )  # fmt: skip
    asked_of = reading.task or (reading.context.focus.get("task_id") if len(reading.words) <= 6 else None)
    if reading.question and _when_due_only(normalised) and asked_of is not None:
        # "When's the acoustic walls due?", "quand est-ce que je dois finir les baies", "c'est pour
        # quand déjà" of the task on screen: that task, its date on it.
        return Intent(
            "select", {"choice_id": f"task.{asked_of}", "by": "name"}, 0.8, entities=reading.entities()
        )
    if _am_i_there_on_a_day(reading):
        return Intent("ask_where_expected", {}, 0.8)
    if not asks_about_work:
        return None  # and the names need not be read
    on_screen = reading.context.focus.get("task_id")
    if (
        on_screen
        and not reading.question
        and has(normalised, _OF_ITS_PROGRESS)
        and not reading.says(phrases.INCIDENTS)
    ):
        # "Finishing it this week", "bit behind on this one", "on schedule" of the task on screen:
        # told of it, not asked of all their work. Where it is at is asked.
        return Intent("status_unclear", {"task_id": on_screen}, 0.7, certain=False)
    entities = reading.entities() if (reading.question or len(reading.words) <= 8) else {}
    site = {"project_id": entities["project_id"]} if "project_id" in entities else {}
    # "Pas bloqué, juste en retard", "should be done by friday": a status said, not a question asked.
    says_status = not reading.question and read_status(normalised, False) is not None
    # "Livraison en retard, plus de stock", "les enfants traînent sur le chantier": an incident told.
    incident = not reading.question and reading.says(phrases.INCIDENTS)
    if (
        has(normalised, phrases.OVERDUE)
        and (reading.question or _words_that_ask(reading) <= _WORDS_OF_A_WORK_QUESTION)
        and not says_status
        and not incident
    ):
        return Intent("ask_overdue", site, 0.85, entities=entities)
    if _where_in_a_week(reading):
        return Intent("ask_where_expected", {}, 0.8)
    if has(normalised, phrases.WHERE_WORKING):
        if has(normalised, phrases.DAYS):
            return Intent("ask_where_expected", {}, 0.85)
        return Intent("list_sites", {}, 0.85)
    if has(normalised, phrases.WHERE_EXPECTED):
        if not has(normalised, phrases.DAYS) and all(
            found.phrase in phrases.WHICH_SITE for found in find_all(normalised, phrases.WHERE_EXPECTED)
        ):
            return Intent("list_sites", {}, 0.85)  # "je suis sur quel chantier ?": theirs
        return Intent("ask_where_expected", {}, 0.85)
    if (
        has(normalised, phrases.DUE_THIS_WEEK)
        and (reading.question or _words_that_ask(reading) <= _WORDS_OF_A_WORK_QUESTION)
        and not says_status
    ):
        return Intent("ask_due_this_week", site, 0.8, entities=entities)
    if (
        has(normalised, phrases.URGENT)
        and (reading.question or (len(reading.words) <= _URGENT_WORDS and has(normalised, _MINE)))
        and not says_status
        and not reading.says(phrases.INCIDENTS)
        and not reading.task
    ):
        # "Qu'est-ce qui presse ?": the work due soonest; "urgent fuite au R+1" is a problem.
        return Intent("ask_due_this_week", site, 0.75, entities=entities)
    asks_what_to_do = has(normalised, phrases.WHAT_TO_DO) or (
        has(normalised, phrases.WHAT_DO_I_DO)
        and len(reading.words) <= _WORDS_OF_WHAT_DO_I_DO
        and not has(normalised, phrases.HERE)
    )
    if asks_what_to_do and has(normalised, phrases.DAYS) and not reading.entities():
        return Intent("ask_where_expected", {}, 0.8)  # "j'ai quoi demain": where they are awaited that day
    if asks_what_to_do and read_status(normalised, reading.question) is None:
        # "Je passe au quai cet aprem, j'ai quoi": asking what to do is a question, "?" or not.
        entities = reading.entities()
        site = {"project_id": entities["project_id"]} if "project_id" in entities else {}
        return Intent("list_tasks", site, 0.8, entities=entities)
    return None


# Said of a task's progress: with the task on screen and nothing asked, about that task.
_OF_ITS_PROGRESS = (
    "finishing", "finish", "finished", "ready", "starting", "start", "started", "done", "complete",
    "completed", "behind", "schedule", "on track", "ahead", "late", "it", "this one", "fini", "finir",
    "finis", "termine", "terminer", "commence", "commencer", "pret", "prete", "en retard", "dans les temps",
    "a temps", "on time", "la finir", "le finir", "les finir",
)  # fmt: skip
_WEEKS = ("this week", "next week", "cette semaine", "semaine prochaine", "la semaine pro", "this weekend",
          "ce weekend", "ce week end")  # fmt: skip
_WHICH_SITES = (*phrases.WHICH_SITE, *phrases.WHERE_WORKING, "quels chantiers", "quel site", "quels sites",
                "which sites", "what sites", "what site", "je passe", "on passe")  # fmt: skip
# "Am I on quai rambaud tomorrow", "je suis bien aux Tilleuls lundi ?": where they are awaited that day.
_AM_I_THERE = re.compile(
    r"^(?:so |and |then )?(?:am i|will i be|should i be|do i go|je suis bien|je serai|je suis|suis je|on est"
    r"|je vais) (?:on|at|in|over at|down at|sur|a|au|aux|chez)\b"
)


def _where_in_a_week(reading: Reading) -> bool:
    """ "Where am I this week", "whereabouts am I working next week": where, not what is due."""
    words = reading.words
    if len(words) > _WORDS_OF_A_WHERE_QUESTION or not has(reading.normalised, _WEEKS):
        return False
    asks_where = any(w in _WHERE and not _means_or(words, i) for i, w in enumerate(words)) or has(
        reading.normalised, _WHICH_SITES
    )
    return asks_where and not reading.task and not reading.says(phrases.INCIDENTS)


def _am_i_there_on_a_day(reading: Reading) -> bool:
    return (
        (reading.question or reading.normalised.startswith(("am i", "will i be", "should i be")))
        and len(reading.words) <= _WORDS_OF_A_WHERE_QUESTION + 2
        and has(reading.normalised, phrases.DAYS)
        and _AM_I_THERE.match(reading.normalised) is not None
        and not reading.task
        and not reading.says(phrases.INCIDENTS)
    )


_WORDS_OF_A_WORK_QUESTION = 8  # unasked and longer, it tells of something: "pas bloqué, juste en retard…"
# Hello, please and thanks around a question ("slt ya des taches qui sont en retard stp") ask nothing more.
_AROUND_A_QUESTION = frozenset(
    {"bonjour", "salut", "hello", "hi", "hey", "coucou", "stp", "svp", "pls", "merci"}
)


def _words_that_ask(reading: Reading) -> int:
    return sum(1 for w in reading.words if w not in phrases.FILLER and w not in _AROUND_A_QUESTION)


_WORDS_OF_WHAT_DO_I_DO = 5  # "what do I do now mate"; longer, it asks advice about something
_URGENT_WORDS = 4  # "mes urgences"; longer and unasked, it tells of something
_MINE = ("mes", "my", "ma", "mon")  # "urgent" alone is no question: "mes priorités" is

_A_DAY_OR_THE_WEEK = (*phrases.DAYS, "cette semaine", "this week")


def _when_due_only(normalised: str) -> bool:
    """Asked when, with no week or day said: "les prises c'est pour quand ?"."""
    return has(normalised, phrases.WHEN_DUE) and not has(normalised, _A_DAY_OR_THE_WEEK)


def _asked_after(reading: Reading) -> Intent | None:
    """ "C'est quoi le statut des gaines ?", "how's the grid looking": the task, shown."""
    if not has(reading.normalised, phrases.STATUS_QUESTIONS) or reading.task is None:
        return None
    if read_status(reading.normalised, question=True) is not None and not reading.question:
        return None  # "status: done" says it
    return Intent(
        "select", {"choice_id": f"task.{reading.task}", "by": "name"}, 0.8, entities=reading.entities()
    )


def _chosen_by_status(reading: Reading) -> Intent | None:
    if reading.context.listing_kind != "tasks" or not reading.context.listing:
        return None
    words = set(reading.words)
    if not words & _POINTERS:
        return None
    status = read_status(reading.normalised, question=False)
    if status is None or status.asserted is None:
        return None
    rest = reading.normalised
    for _, group in phrases.STATUSES:
        rest = without(rest, group)
    if any(w not in phrases.FILLER and w not in _RELATIVE and w not in _POINTERS for w in words_of(rest)):
        return None
    listed = [choice_id.removeprefix("task.") for choice_id, _ in reading.context.listing]
    fitting = [
        f"task.{task.id}"
        for task in reading.catalogue.tasks
        if task.id in listed and task.status == status.asserted
    ]
    if len(fitting) == 1:
        return Intent("select", {"choice_id": fitting[0], "by": "status"}, 0.85)
    if fitting:
        return Intent("select", {"candidates": ",".join(fitting), "by": "status"}, 0.7, certain=False)
    site = reading.context.focus.get("project_id")
    return Intent("list_tasks", {"project_id": site} if site else {}, 0.7)  # none is: the list says so


_WHERE = frozenset({"ou", "where", "whereabouts"})
# After "ou", these make it "or": "fini ou pas", "bien ou quoi".
_OR_WHAT = frozenset({"pas", "non", "quoi", "bien", "no", "not", "plus"})
_WORDS_OF_A_WHERE_QUESTION = 8
_DAY_WORDS = frozenset(w for day in phrases.DAYS for w in day.split())


def _means_or(words: list[str], at: int) -> bool:
    """ "Fini ou pas", "bien ou quoi", "lundi ou mardi": "ou" there is "or"; "c'est où demain" asks where."""
    following = words[at + 1] if at + 1 < len(words) else ""
    if following in _OR_WHAT:
        return True
    return following in _DAY_WORDS and any(w in _DAY_WORDS for w in words[:at])


def _where_on_a_day(reading: Reading) -> Intent | None:
    """ "Je commence où demain", "where am I tmrw", "where do I report monday": where they are
    awaited that day, however it is asked, so long as no site or task is named."""
    words = reading.words
    if len(words) > _WORDS_OF_A_WHERE_QUESTION or not has(reading.normalised, phrases.DAYS):
        return None
    where = [i for i, w in enumerate(words) if w in _WHERE and not _means_or(words, i)]
    if not where:
        return None
    if reading.site or reading.task or reading.says(phrases.INCIDENTS):
        return None
    return Intent("ask_where_expected", {}, 0.8)


def _status(reading: Reading) -> Intent | None:
    status = read_status(reading.normalised, reading.question, reading.text)
    reported = False  # work reported without a status word: never certain
    if status is None:
        status = _reported_work(reading)
        reported = status is not None
    if status is None or has(reading.normalised, phrases.TRAPPED):
        return None  # "bloqué dans l'ascenseur": the problem rules read it
    if status.asserted == "todo" and reading.says(phrases.INCIDENTS) and not reading.question:
        # "Faut tout refaire, le plaquiste a tout arraché": damage told, not a status to go back to.
        return _implicit_problem(reading, sure=True)
    if (has(reading.normalised, _BADLY_DONE) or has(reading.normalised, _SHORT_OF)) and not reading.question:
        # "Prises mal posées", "PAC livrée sans les supports", "porte fermée à clé": done, but wrong,
        # short of something, or shut.
        return _implicit_problem(reading, sure=True)
    if _several_said(reading):
        # "All 3 done", "1 and 2 done", "les 3 sont finies": several tasks; one of them was written.
        return Intent("status_unclear", {}, 0.7, certain=False, entities=reading.entities())
    task = reading.task
    pointed = None
    if reading.context.listing_kind == "tasks" and len(_unexplained(reading)) <= 1:
        # "Le 3 c'est fait", not "first fix isn't finished so we can't close up".
        pointed = reading.listed_position(articles=False)
    if task is None and pointed is not None and pointed[0].startswith("task."):
        task = pointed[0].removeprefix("task.")  # "le 3 c fait": the third task on screen
    guessed = False
    focus = reading.context.focus.get("task_id")
    if has(reading.normalised, _ANOTHER_ONE) or (task is not None and _MOVING_ON.search(reading.normalised)):
        # "The other one's done" is not the one on screen; "done with this one, on to the fire
        # stopping" names the next task, not the one done: which is asked.
        return Intent("status_unclear", {}, 0.7, certain=False, entities=reading.entities())
    if task is not None and focus is not None and task != focus and _named_by_a_word_start(reading):
        # "Its done stop" with the grid on screen: "stop" starts "Fire stopping", no more. Which is asked.
        return Intent("status_unclear", {}, 0.7, certain=False, entities=reading.entities())
    if task is None and focus is not None and _elsewhere_than(reading, focus):
        # "Commencé la PAC", "done on the hotel one" with another site's task on screen: which task
        # is asked; the one on screen is never written.
        return Intent("status_unclear", {}, 0.7, certain=False, entities=reading.entities())
    task = task or focus
    if task is None and status.asserted is not None:
        task = _the_one_not_yet(reading, status.asserted)
        guessed = task is not None
    if task is None and status.asserted == "in_progress" and len(reading.words) <= 6:
        # "mes chantiers en cours", "tâches en cours": which ones, not a status to set.
        if has(reading.normalised, phrases.TASK_WORDS):
            return Intent("list_tasks", {}, 0.75)
        if has(reading.normalised, phrases.SITE_WORDS):
            return Intent("list_sites", {}, 0.75)
    if task is None and status.asserted == "blocked" and has(reading.normalised, phrases.INCIDENTS):
        return None  # "voie d'accès bloquée": something on site is blocked, not a task
    if task is None and len(_unexplained(reading)) >= _WORDS_ABOUT_SOMETHING_ELSE:
        # "Le monte-charge est bloqué", "the painters haven't finished": a status of something that
        # is none of the person's tasks. Something blocked is a problem on site; the rest, the
        # problem rules or the model read.
        if status.asserted == "blocked" and not reading.question:
            return _implicit_problem(reading, sure=True)
        return None
    if status.asserted is None and status.denied and reading.says(phrases.OTHERS):
        # "Le peintre est toujours pas passé, je peux pas poser": someone else holds the work up.
        return _implicit_problem(reading, sure=True)
    arguments = {"task_id": task} if task else {}
    if status.asserted is None:
        if status.denied:
            arguments["not_status"] = status.denied[0]
        return Intent("status_unclear", arguments, 0.8, certain=False, entities=reading.entities())
    if task is not None and _another_place(reading, task):
        # "Fini les prises du bat A" for "Prises et interrupteurs B", "grid done on level 4" for
        # "Ceiling grid level 3": the place said is not the task's.
        return Intent("status_unclear", {"task_id": task}, 0.7, certain=False, entities=reading.entities())
    if task is not None and (_of_a_part_of_it(reading) or _a_part_named(reading, task)):
        # "La commande des tableaux c fait", "le plafond du préau est terminé": done is said of
        # something of the task's, not of the task.
        return Intent("status_unclear", {"task_id": task}, 0.7, certain=False, entities=reading.entities())
    arguments["status"] = status.asserted
    foreign = _said_of_something_else(reading, status.asserted)
    # Certain: a plain statement about the task in focus, or about one the message names, with
    # little else said ("stud walls on the 3rd floor… finished" is not plainly "Acoustic walls").
    certain = (
        task is not None
        and not reported
        and not guessed
        and len([w for w in _unexplained(reading) if w not in _SAID_WITH_A_STATUS]) <= _WORDS_BESIDES_A_STATUS
        and not (status.asserted == "done" and has(reading.normalised, phrases.DAY_ENDS))
        and not (
            status.asserted == "blocked"
            and (has(reading.normalised, _WAITING_ON) or _stuck_somewhere(reading))
        )
        and not foreign
        and not _named_by_a_level_only(reading)
        and not _another_clause(reading)
        and not _laughing(reading)
        and (
            (pointed is not None and pointed[0] == f"task.{task}")
            or not _numbers_besides_the_name(reading, task)
        )
        and not _going_back(reading, task, status.asserted)
        and not _of_another_site_than_open(reading, task)
    )
    return Intent("set_status", arguments, 0.9, certain=certain, entities=reading.entities())


_SEVERAL = re.compile(
    r"\b(?:all|tous|toutes|les|all of the|tous les|toutes les)"
    r" (?:\d+|two|three|four|five|deux|trois|quatre|cinq)\b"
    r"|\b(?:both|les deux|all of them|all the tasks|all tasks|all my tasks|toutes les taches|tous les deux"
    r"|toutes les deux)\b"
)


def _several_said(reading: Reading) -> bool:
    numbers = {w for w in reading.words if w.isdigit() and len(w) <= 2}
    return len(numbers) > 1 or _SEVERAL.search(reading.normalised) is not None


def _of_another_site_than_open(reading: Reading, task_id: str) -> bool:
    """ "Éclairage led fini" with Les Tilleuls open names another site's task: offered, not written."""
    open_site = reading.context.focus.get("project_id")
    task = reading.catalogue.task(task_id) if open_site and not reading.site else None
    return task is not None and task.project_id != open_site


_A_LEVEL = re.compile(r"(?:r\d+|\d+|rdc|ss\d*|level|niveau|etage|floor)")


# Waiting on someone or something may hold the work up, or may just be said in passing ("waiting on
# boards", "en attente du concessionnaire"): blocked is offered, not written.
_WAITING_ON = (
    "can not do", "no can do", "peux pas le faire", "peux pas faire", "pour moi", "for me",
    "waiting", "waiting on", "waiting for", "held up", "in the way", "en attente", "on attend", "j attends",
    "j attend", "attend", "attends", "on attends", "attendons", "attente",
)  # fmt: skip


_ANOTHER_ONE = (
    "the other one", "other one", "the other ones", "other ones", "l autre", "les autres", "l autre tache",
    "the other task", "the other job", "l autre truc",
)  # fmt: skip
_MOVING_ON = re.compile(
    r"\b(?:on to|onto|moving on to|moving to|next up|now on|then on to|je passe a|je passe aux|je passe au"
    r"|je passe sur|on passe a|on passe aux|on passe au|maintenant les|maintenant la|maintenant le)\b"
)


_AFTER_A_BLOCK = frozenset(
    {"at", "on", "in", "with", "to", "au", "aux", "sur", "dans", "avec", "a", "chez", "by", "here", "ici",
     "downstairs", "upstairs", "outside", "dehors", "inside", "en", "me", "moi"}
)  # fmt: skip


_LAUGHS = ("lol", "mdr", "ptdr", "haha", "hahaha", "jk", "emoji_other", "emoji_smile", "lmao", "xd")


def _named_by_a_word_start(reading: Reading) -> bool:
    named = reading.task_found.named
    return named is not None and named.score < _A_WHOLE_WORD


_A_WHOLE_WORD = 1.0  # a name's score from one word of it said whole; the start of one says less


def _laughing(reading: Reading) -> bool:
    """ "Fini 😂", "done lol": maybe so, maybe a joke; offered, not written."""
    return has(reading.normalised, _LAUGHS)


def _numbers_besides_the_name(reading: Reading, task_id: str | None) -> bool:
    """A number or ordinal the task's name does not carry: a count, a part, a level or a date
    ("40 prises finies", "section 1 done", "started on 3", "done 10th"); offered, not written."""
    task = reading.catalogue.task(task_id) if task_id else None
    named = set(as_said(task.title).split()) if task is not None else set()
    marks = _place_marks(list(named)) | named | {"100"}
    whole = {a for a, b in FRACTION.findall(reading.text) if a == b}  # "4/4 done": all of it
    for word in reading.words:
        if word in whole:
            continue
        number = _ORDINAL.sub(r"\1", word)
        if (number.isdigit() or (len(word) > 1 and word[0] in "lr" and word[1:].isdigit())) and (
            number not in marks and word not in marks and word[1:] not in marks
        ):
            return True
    return False


def _going_back(reading: Reading, task_id: str | None, status: str | None) -> bool:
    """Reopening a task that is done, or "débloqué" of one that is not blocked: offered first."""
    task = reading.catalogue.task(task_id) if task_id else None
    if task is None:
        return False
    if task.status == "done" and status != "done":
        return True
    return status == "in_progress" and task.status != "blocked" and "debloque" in reading.normalised


# Someone then does something: "c fait, j'ai appelé le chef", "done, I rang the office".
_A_CLAUSE = re.compile(r"\b(?:j ai|je|on a|i|we|i have|we have|il a|elle a) \w+")


def _another_clause(reading: Reading) -> bool:
    """After the status, someone is said to do something else: the status may be of that."""
    statuses = [f for _, group in phrases.STATUSES for f in find_all(reading.normalised, group)]
    if not statuses:
        return False
    after = reading.normalised[max(f.end for f in statuses) :]
    return _A_CLAUSE.search(after) is not None


def _stuck_somewhere(reading: Reading) -> bool:
    """ "Blocked at the gate", "ça bloque sur l'appli": where, or on what, something is stuck, said
    without the task's name: the person, or something else, may be what is stuck, not the work."""
    naming = reading.task_found.words
    for status, group in phrases.STATUSES:
        if status != "blocked":
            continue
        for found in find_all(reading.normalised, group):
            rest = reading.normalised[found.end :].split()
            if rest[:1] and rest[0] in _AFTER_A_BLOCK and not set(rest[1:4]) & naming:
                return True
    return False


def _named_by_a_level_only(reading: Reading) -> bool:
    """ "R+3 terminé": the only task whose name says R+3 is meant only if the person says so; a
    level is where many works are, and the one on screen may be another site's."""
    words = reading.task_found.words
    return reading.task is not None and bool(words) and all(_A_LEVEL.fullmatch(w) for w in words)


_PLACES = frozenset(
    {"level", "lvl", "niveau", "niv", "etage", "floor", "bat", "batiment", "building", "block", "bloc", "lot",
     "zone", "r", "l"}
)  # fmt: skip
_A_PLACE_MARK = re.compile(r"^(?:[a-z]|\d{1,2})$")


def _place_marks(words: list[str]) -> set[str]:
    """ "bat a" -> {"a"}, "level 4" -> {"4"}, "l2" -> {"2"}, "r 3" -> {"3"}."""
    marks = {w[1:] for w in words if re.fullmatch(r"[lr]\d{1,2}", w)}
    for before, mark in itertools.pairwise(words):
        if before in _PLACES and _A_PLACE_MARK.match(mark):
            marks.add(mark)
    return marks


def _another_place(reading: Reading, task_id: str) -> bool:
    task = reading.catalogue.task(task_id)
    if task is None:
        return False
    name = as_said(task.title).split()
    named = _place_marks(name) | {w for w in name[-1:] if _A_PLACE_MARK.match(w)}
    said = _place_marks(reading.words)
    return bool(named) and bool(said) and not named & said


def _elsewhere_than(reading: Reading, focus: str) -> bool:
    """The message names a task (however loosely) or a site other than the task on screen's."""
    on_screen = reading.catalogue.task(focus)
    named = reading.task_found.named
    if named is not None and named.id != focus:
        return True
    return on_screen is not None and reading.site is not None and reading.site != on_screen.project_id


_OF = frozenset({"de", "des", "du", "d", "of"})
_ARTICLES_BEFORE_A_NAME = frozenset({"le", "la", "les", "l", "the", "mes", "nos", "my", "our"})
# The work itself, of a task: "la pose des prises", "le reste des gaines", "the rest of the grid".
_THE_WORK_OF = frozenset(
    {
        "pose", "installation", "montage", "raccordement", "cablage", "tirage", "branchement", "fixation",
        "mise", "travaux", "travail", "boulot", "taf", "reste", "fin", "totalite", "ensemble", "suite",
        "rest", "end", "install", "fitting", "work", "job", "tout", "all", "lot",
    }
)  # fmt: skip


# A side, a room, a unit or a floor of the work: "préau fini côté cour", "sanitaires fini logement
# 12", "fini pour la baie 1 et 2", "alarme fini classe 1", "done on the left".
_PART_OF_THE_WORK = re.compile(
    r"\b(?:cote|side|end) (?!a cote)\w+|\b(?:this|that|one|the other) end\b"
    r"|\b(?:gauche|droite|nord|sud|ouest|north|south|east|west|rdc|sous sol|ground floor)\b"
    r"|\b(?:on the|a) (?:left|right)\b|\b(?:left|right) (?:side|hand)\b"
    r"|\b(?:classe|classes|logement|logements|appart|appartement|apt|flat|flats|chambre|chambres|room|rooms"
    r"|salle|salles|lot|unit|units|plot|cage|travee|zone|aile|wing|baie|baies|bay|bays|bat|batiment|block"
    r"|etage|niveau|level|floor) ?\d+\b|\b(?:bat|batiment|block|bloc|cage|zone|aile|wing) [a-h]\b|\br ?\d+\b"
    r"|\b\d+(?:er|ere|eme|e|nd|rd|th|st)? (?:etage|floor)\b"
    r"|\b(?:pour|pr|for) (?:la|le|les|l|the) \d+\b|\bjusqu (?:au|a la)\b|\bup to\b"
)


_A_LETTERED_PLACE = re.compile(r"\b(?:du|de|le|la|bat|batiment|block|bloc|building|sur le) ([a-h])\b")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th|er|ere|eme|e)$")


def _a_part_named(reading: Reading, task_id: str) -> bool:
    """A part of the work is said that the task's name does not say: done there, not all of it."""
    task = reading.catalogue.task(task_id)
    if task is None:
        return False
    title = as_said(task.title)
    marks = _place_marks(title.split()) | set(title.split()[-1:])
    letter = title.split()[-1] if len(title.split()[-1]) == 1 else None
    for said_letter in _A_LETTERED_PLACE.findall(reading.normalised):
        if letter is not None and said_letter != letter:
            return True  # "fini les prises du A" of "Prises et interrupteurs B"
    for part in _PART_OF_THE_WORK.finditer(reading.normalised):
        said = part.group(0).split()
        if " ".join(said) in title or set(said) <= set(title.split()):
            continue
        if {_ORDINAL.sub(r"\1", said[0]), _ORDINAL.sub(r"\1", said[-1])} & marks:
            continue  # "du bâtiment B" of "Prises et interrupteurs B", "3rd floor" of "Partitions level 3"
        return True
    return False


def _of_a_part_of_it(reading: Reading) -> bool:
    """A word that names the task comes after "X de/des/of the", X being no part of its name nor
    its work: "la commande des tableaux", "le devis pour les baies", "la peinture des plateaux"."""
    naming = reading.task_found.words
    words = reading.words
    first = next((i for i, w in enumerate(words) if w in naming), None)
    if first is None:
        return False
    at = first - 1
    while at >= 0 and words[at] in _ARTICLES_BEFORE_A_NAME:
        at -= 1
    if at < 1 or words[at] not in _OF | {"pour", "for"}:
        return False
    owner = words[at - 1]
    if owner in _ARTICLES_BEFORE_A_NAME and at >= 2:
        owner = words[at - 2]
    return (
        owner not in naming
        and owner not in _THE_WORK_OF
        and owner not in STATUS_WORDS
        and owner not in phrases.FILLER
        and len(owner) > 2
        and owner.isalpha()
    )


def _said_of_something_else(reading: Reading, status: str) -> bool:
    """ "Le peintre a fini", "the lift is stuck", "livraison terminée", "j'ai fini mon café": the
    status is said of someone or something that is not the task, or done to something else. The
    word the status is said of (or, for done and started, done to) must be a name said, a pronoun,
    a time or a courtesy; anything else and the write is asked first."""
    naming = reading.site_found.words | reading.task_found.words
    words = reading.normalised.split()
    starts = {}
    offset = 0
    for index, word in enumerate(words):
        starts[offset] = index
        offset += len(word) + 1
    group = dict(phrases.STATUSES)[status]

    def foreign(index: int, step: int) -> bool:
        while 0 <= index < len(words) and words[index] in phrases.STATUS_LINKS:
            index += step
        if not 0 <= index < len(words):
            return False
        word = words[index]
        return not (
            word in naming or word.isdigit() or word in phrases.STATUS_COMPANIONS or word.startswith("emoji_")
        )

    for found in find_all(reading.normalised, group):
        first = starts.get(found.start, 0)
        last = first + len(found.phrase.split()) - 1
        if foreign(first - 1, -1) or (status != "blocked" and foreign(last + 1, 1)):
            return True
    return False


def _the_one_not_yet(reading: Reading, status: str) -> str | None:
    """ "Partitions done" when two tasks are partitions and one of them is done already: the other,
    asked first."""
    tasks = [t for c in reading.task_found.candidates if (t := reading.catalogue.task(c)) is not None]
    site = reading.site or reading.context.focus.get("project_id")
    if site:
        tasks = [t for t in tasks if t.project_id == site]
    # A task done is reopened only on words that say so ("à refaire"): not by "started".
    fitting = [t.id for t in tasks if t.status != status and (t.status != "done" or status == "todo")]
    return fitting[0] if len(fitting) == 1 and len(tasks) > 1 else None


# Said with a status, these leave it plain: when, to whom, the work itself, the setting of it.
_SAID_WITH_A_STATUS = frozenset(
    {
        "today", "yesterday", "morning", "afternoon", "arvo", "tonight", "night", "now", "earlier", "matin",
        "hier", "soir", "aujourd", "hui", "maintenant", "aprem", "mate", "boss", "chef", "lads", "guys",
        "cheers", "thanks", "merci", "off", "all", "tout", "enfin", "finally", "put", "back", "set", "mark",
        "change", "switch", "move",
    }
    | _THE_WORK_OF
)  # fmt: skip


def _unexplained(reading: Reading) -> list[str]:
    """Words that are neither a name said, a status, a negation nor a filler."""
    explained = set(reading.site_found.words | reading.task_found.words)
    for _, group in phrases.STATUSES:
        for found in find_all(reading.normalised, group):
            explained.update(found.phrase.split())
    return [
        w
        for w in reading.words
        if len(w) > 2 and w not in explained and w not in phrases.FILLER and w not in phrases.NEGATIONS
    ]


def _reported_work(reading: Reading) -> StatusReading | None:
    """ "Gaines posées", "grid's up": said of a task named or in focus, and nothing else said."""
    if reading.task is not None:
        naming = reading.task_found.words | reading.site_found.words
    elif reading.context.focus.get("task_id"):
        naming = reading.site_found.words
    else:
        return None
    reported = read_status(reading.normalised, reading.question, reading.text, naming=naming)
    troubled = reading.says(phrases.INCIDENTS) or reading.says(phrases.PROBLEM_WORDS)
    if troubled and not (reported is not None and reported.asserted == "blocked"):
        return None  # an incident told; but "on est coincés, pas de plans" says why the work is held up
    if reported is None or reported.asserted is not None:
        return reported
    # "Gaines à moitié posées" asks what it is; "can't get the batts in because…" is about something else.
    besides = [w for w in reading.words if len(w) > 2 and w not in naming and w not in phrases.FILLER]
    return reported if len(besides) <= _WORDS_AROUND_A_REPORT else None


_CHECK_MARKS = re.compile(r"^[\s✅✔☑\ufe0f]+$")


def _plain_list(reading: Reading) -> Intent | None:
    """ "Mes chantiers", "my tasks": a list asked for, with no name to read in it."""
    if only(reading.normalised, phrases.SITE_WORDS, _OF_A_LIST):
        return Intent("list_sites", {}, 0.9)
    if only(reading.normalised, phrases.TASK_WORDS, _OF_A_LIST):
        return Intent("list_tasks", {}, 0.9)
    return None


_OF_A_LIST = ("mes", "my", "les", "the", "all", "toutes", "tous", "voir", "see", "show", "montre", "liste",
              "list")  # fmt: skip


def _checked_off(reading: Reading) -> Intent | None:
    """A check mark alone, sent with a task in focus that is not done, ticks it off: probably done,
    asked first. A thumbs-up stays a nod."""
    task = reading.context.focus.get("task_id")
    if task is None or not _CHECK_MARKS.match(reading.text):
        return None
    if any(t.id == task and t.status == "done" for t in reading.catalogue.tasks):
        return None  # already done: a nod to the answer
    return Intent("set_status", {"task_id": task, "status": "done"}, 0.6, certain=False)


# Work done wrong: "les prises sont pas au bon endroit", "prises mal posées".
_BADLY_DONE = (
    "pas au bon endroit", "pas a la bonne place", "pas a la bonne hauteur", "pas au bon niveau",
    "in the wrong place", "mal pose", "mal posee", "mal poses", "mal posees", "mal fait", "mal faite",
    "mal faits", "mal faites",
)  # fmt: skip
_SHORT_OF = (
    "sans les", "sans le", "sans la", "sans ses", "without the", "without any", "without its", "minus the",
    "fermee a cle", "fermes a cle", "fermees a cle", "locked up", "locked out",
)  # fmt: skip
# Something the work needs is not there: "no tiles on site", "y a pas de placo sur le chantier".
_MISSING_THERE = re.compile(
    r"^(?:there s |there is |we have |we ve got |we got |got |still |il y a |y a |on a )?"
    r"(?:no|pas de|pas d|plus de|plus d|aucun|aucune) (?!problem|probleme|souci|issue|worries|rush|need)"
    r"\w+(?: \w+)? (?:on site|here|today|delivered|anywhere|sur le chantier|sur site|sur place|ici"
    r"|livre|livres|livree|livrees|aujourd hui)\b"
)


def _implicit_problem(reading: Reading, sure: bool = False) -> Intent | None:
    """An incident described; `sure` when another rule already knows it is one."""
    described = (
        reading.says(phrases.INCIDENTS)
        or has(reading.normalised, _BADLY_DONE)
        or _MISSING_THERE.match(reading.normalised) is not None
    )
    if not sure and (reading.question or not described):
        return None
    arguments = {"description": " ".join(reading.text.split())}
    if reading.problem_site:
        arguments["project_id"] = reading.problem_site
    return Intent("report_problem", arguments, 0.75, certain=False, entities=reading.entities())


def _named(reading: Reading) -> Intent | None:
    """A site or task said (almost) on its own is a choice; with more words, the model reads it."""
    if reading.site and (has(reading.normalised, phrases.TASK_WORDS) or has(reading.normalised, _LIST_WORDS)):
        # "Les tâches aux Tilleuls", "list the jobs on lyon 3": what there is to do there.
        return Intent("list_tasks", {"project_id": reading.site}, 0.8, entities=reading.entities())
    task, site = reading.task, reading.site
    if task is not None and _sounds_done_after_the_name(reading) and not _not_good(reading):
        # "les prises 👍", "risers sorted": probably done, never certain: the person confirms.
        arguments = {"task_id": task, "status": "done"}
        return Intent("set_status", arguments, 0.6, certain=False, entities=reading.entities())
    if task is None and site is None:
        candidates = reading.task_found.candidates or reading.site_found.candidates
        if candidates and _name_alone(reading):
            kind = "task" if reading.task_found.candidates else "project"
            choices = ",".join(f"{kind}.{c}" for c in candidates)
            return Intent("select", {"candidates": choices, "by": "name"}, 0.6, certain=False)
        return None
    if not _name_alone(reading):
        return None
    if task is None and site is not None:
        task = _listed_task_of(reading, site)  # "celle de Vénissieux" in a list of tasks: that one
    choice_id = f"task.{task}" if task else f"project.{site}"
    return _chosen(reading, choice_id, {"choice_id": choice_id, "by": "name"}, 0.8)


# "C pas bon les prises", "les tableaux pas ok faut reprendre": "bon" and "ok" said not to be.
_NOT_GOOD = (
    "pas bon", "pas bonne", "pas au bon", "pas a la bonne", "pas ok", "pas nickel", "pas pret", "pas prete",
    "not good", "no good", "not ok", "not okay", "not ready", "not fine", "not right", "reprendre", "refaire",
    "redo", "faux", "fausse", "wrong", "mauvais", "mauvaise",
)  # fmt: skip


def _sounds_done_after_the_name(reading: Reading) -> bool:
    """ "Les prises c bon", "prises 👍": said of the task; "ok les prises", "ok so the bulkheads" pick it."""
    found = find_all(reading.normalised, _SOUNDS_DONE)
    if not found:
        return False
    naming = reading.task_found.words
    words = reading.normalised.split(" ")
    offsets = list(itertools.accumulate([len(w) + 1 for w in words], initial=0))
    starts = [offsets[i] for i, w in enumerate(words) if w in naming]
    return not starts or any(f.start > starts[0] for f in found)


def _not_good(reading: Reading) -> bool:
    normalised = reading.normalised
    return has(normalised, _NOT_GOOD) or has(normalised, _BADLY_DONE) or reading.says(phrases.INCIDENTS)


def _listed_task_of(reading: Reading, site: str) -> str | None:
    """The one task of this site in the list of tasks on screen, if there is exactly one."""
    if reading.context.listing_kind != "tasks":
        return None
    listed = [choice_id.removeprefix("task.") for choice_id, _ in reading.context.listing]
    there = [t.id for t in reading.catalogue.tasks if t.id in listed and t.project_id == site]
    return there[0] if len(there) == 1 else None


def _name_alone(reading: Reading) -> bool:
    """Little is said besides the name: "the hotel please" is a choice, "power's off at the hotel"
    is not (the model reads that one)."""
    naming = reading.site_found.words | reading.task_found.words
    rest = (
        without(reading.normalised, phrases.BEING_THERE)
        if reading.site and not reading.task
        else reading.normalised
    )
    besides = [w for w in words_of(rest) if w not in phrases.FILLER and len(w) > 2 and w not in naming]
    return len(besides) <= _WORDS_BESIDES_A_NAME


def _lists(reading: Reading) -> Intent | None:
    if has(reading.normalised, phrases.TASK_WORDS):
        return Intent("list_tasks", {}, 0.7)
    site = reading.context.focus.get("project_id")
    if site and has(reading.normalised, phrases.HERE):
        return Intent("list_tasks", {"project_id": site}, 0.7)  # "my jobs on this site"
    short = len(reading.words) <= _WORDS_OF_A_LIST
    if reading.site and short and has(reading.normalised, phrases.SITE_WORDS):
        return Intent("list_tasks", {"project_id": reading.site}, 0.7)  # "jobs going at the hotel"
    if has(reading.normalised, phrases.SITE_WORDS) and len(reading.words) <= 6:
        if has(reading.normalised, phrases.DAYS):
            return Intent("ask_where_expected", {}, 0.7)  # "what site am I on tomorrow"
        return Intent("list_sites", {}, 0.7)
    return None


_RULES: tuple[Rule, ...] = (
    _confirmation,
    taken_back,
    that_one_too,
    all_clear,
    _command,
    _awaited_description,
    _plain_list,
    _checked_off,
    _small_talk,
    _position,
    _pointed_by_a_word,
    _explicit_problem,
    _about_someone,
    _off_topic,
    _their_day,
    _question_about_work,
    _asked_after,
    _chosen_by_status,
    _where_on_a_day,
    _status,
    _implicit_problem,
    _named,
    _lists,
)
