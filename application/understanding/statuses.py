"""What a message says about a task's status: asserted, negated, or only hoped for."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from application.understanding import phrases
from application.understanding.matching import find_all, has, without


@dataclass(frozen=True)
class StatusReading:
    asserted: str | None  # the one status the message states, when it states exactly one
    denied: tuple[str, ...]  # statuses it says are not (yet) so: never to be written
    hedged: bool  # a plan, a guess or a question, not a statement

    @property
    def mentioned(self) -> bool:
        return self.asserted is not None or bool(self.denied) or self.hedged


_NEGATION_WINDOW = 5  # words before a status that can negate it: "pas encore tout a fait fini"


def read_status(
    normalised: str, question: bool, raw: str = "", naming: frozenset[str] | None = None
) -> StatusReading | None:
    """None when the message mentions no status at all.

    With `naming` (the words that named a task in the message), the words that report work
    without a status word count too ("gaines posées"), unless they are the task's own name
    ("pose chaudière").
    """
    words = normalised.split()
    starts = _word_starts(normalised)
    stated: list[str] = []
    denied: list[str] = []
    said_so: set[str | None] = set()  # whose the statuses are, or when: see _whose_or_when
    groups = phrases.STATUSES if naming is None else phrases.STATUSES + phrases.WEAK_STATUSES
    found_all = [(status, found) for status, group in groups for found in find_all(normalised, group)]
    # The longest phrase says it: "commencer" inside "impossible de commencer" is no start.
    said = [
        (status, found)
        for status, found in found_all
        if not any(
            other.start <= found.start
            and found.end <= other.end
            and other.end - other.start > found.end - found.start
            for _, other in found_all
        )
    ]
    # "Can't crack on, waiting for…": the "not" of a phrase that says blocked negates nothing else.
    negative_phrases = {
        starts.get(found.start, 0) + offset
        for _, found in said
        if any(word in phrases.NEGATIONS for word in found.phrase.split())
        for offset in range(len(found.phrase.split()))
    }
    for status, found in said:
        if naming is not None and set(found.phrase.split()) <= naming:
            continue
        if found.phrase in _LAST_WORD_ONLY and found.end != _end_of_words(normalised):
            continue  # "grid's up" says it; "up on the roof" does not
        if found.phrase == "up" and _after_an_ing_word(words, starts.get(found.start, 0)):
            continue  # "covering up", "tidying up": something else done, not the work put up
        index = starts.get(found.start, 0)
        end = index + len(found.phrase.split())  # the first word after the phrase
        if found.phrase.split()[-1] in ("up", "in") and words[end : end + 2] in _A_PLACE:
            continue  # "the lads are up on the roof", "boards are in the van": where, not done
        if found.phrase.split()[-1] in ("sur", "on") and words[end : end + 2] in _ON_SITE:
            continue  # "je suis sur place", "I'm on site": where they are, not the work begun
        if index in negative_phrases and not any(w in phrases.NEGATIONS for w in found.phrase.split()):
            continue  # "crack on" inside "can not crack on"
        before = [
            word
            for at, word in enumerate(words[:index])
            if at >= index - _NEGATION_WINDOW and at not in negative_phrases
        ]
        after = words[end : end + 2]
        if (
            found.phrase in _TRANSITIVE
            and after[:1]
            and after[0] in _OBJECTS
            and not _pause_after(raw, found.phrase)
        ):
            continue  # "la grue bloque l'accès": something in the way, not the task's status
        if status == "blocked" and _by_an_obstacle(words[end : end + 3]):
            continue  # "le parking est bloqué par un camion": a way in blocked, not the work
        if set(words[end : end + 3]) & _ELSEWHERE:
            continue  # "bloqué au péage", "on hold to HMRC", "blocked his number", "waiting for the bus"
        if _of_something_else(after) or _said_of_another_thing(status, words, index, end, after):
            continue  # "ça a commencé à fuir", "started raining", "on a fini de manger": not the work
        # "fini pas encore" negates; "bloqués, pas de plans" says why.
        negated = any(word in phrases.NEGATIONS for word in before) or (
            after[:1] in (["pas"], ["not"]) and after[1:2] not in (["de"], ["d"])
        )
        if status == "todo" and negated:
            continue  # "pas a faire" is no claim about the work
        whose = _whose_or_when(status, words, index, found.phrase, before)
        said_so.add(whose)
        if whose == "fire" or (whose == "others" and not negated):
            continue  # "the plumbers finished" is theirs; "haven't finished" holds the work up
        (denied if negated else stated).append(status)
    # "jsuis a 80%", "3/4 done"; "fini à 100%" and "4/4" are all of it.
    partly = (
        bool(re.search(r"(?<!\d)(?!100\b)\d+ ?%", raw))
        or any(int(a) < int(b) for a, b in FRACTION.findall(raw))
        or _SHARE.search(normalised) is not None
        or any(int(a) < int(b) for a, b in _COUNT_OF.findall(normalised))
    )
    if not stated and not denied:
        if "others" in said_so:
            return StatusReading(asserted=None, denied=(), hedged=True)  # to ask, never to write
        if has(normalised, phrases.NOT_YET) or partly:
            return StatusReading(asserted=None, denied=("done",), hedged=True)
        return None
    # "Held up by the sparks": "by" says who, not by when.
    hedged = (
        question
        or partly
        or "to_come" in said_so
        or _STILL_TO_DO.search(raw.lower()) is not None
        or _taken_back(words)
        or has(without(normalised, _BY_WHOM), phrases.HEDGES)
        or has(normalised, _NOT_QUITE)
        or _TO_COME.search(normalised) is not None
        or normalised.startswith(_ASKED_TO)
    )
    distinct = sorted(set(stated) - set(denied))
    asserted = distinct[0] if len(distinct) == 1 and not hedged else None
    if asserted == "done" and (
        denied
        or has(normalised, phrases.ALMOST)
        or any(w in _ANY_NEGATION for w in words)
        or has(normalised, phrases.DAY_ENDS)  # "fini pour aujourd'hui": stopped, not done
    ):
        # Done is the status whose wrong write hurts most: any "not" in the message makes it a question.
        return StatusReading(asserted=None, denied=("done",), hedged=True)
    return StatusReading(asserted=asserted, denied=tuple(sorted(set(denied))), hedged=hedged)


# "3/4": so many of so many.
FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")
# Every word of a status phrase, strong or reported ("posées", "fini").
STATUS_WORDS = frozenset(
    word
    for _, group in phrases.STATUSES + phrases.WEAK_STATUSES
    for phrase in group
    for word in phrase.split()
)
# "3 logements sur 5", "done 3 of 5 rooms", "2 out of 3": some of them.
_COUNT_OF = re.compile(r"\b(\d+) (?:[a-z]+ ){0,2}?(?:sur|of|out of) (\d+)\b")
# "Fini à 90", "terminées à 70 pour cent" (the % sign left out); not "fini à 16h" nor "à 100".
_SHARE = re.compile(
    r"\b(?:a|at) (?!100\b)\d{1,2}(?! ?(?:h|heures?|min|mn|hrs?|pm|am)\b)\b"
    r"|\b(?!100\b)\d{1,3} ?(?:pour ?cent|pr cent|pourcent|percent|per cent|pc)\b"
)
# "Done in 10", "be done in an hour", "fini dans 5 min": to come, not done.
_TO_COME = re.compile(
    r"\b(?:in|dans|d ici) (?:\d+\w*|a|an|un|une|half|a few|few|a bit|a sec|a min|quelques|peu|pas longtemps"
    r"|deux|trois|two|three|five|ten|twenty)\b"
)
# "Get the risers done this week": asked of someone, not told.
_ASKED_TO = ("get ", "finish ", "finir ", "terminer ")
_BY_WHOM = ("held up by", "held back by", "blocked by", "stopped by", "delayed by", "slowed down by")
_TRANSITIVE = frozenset({"bloque", "bloquent", "blocked", "blocks", "blocking"})
# Begun or ended, but not the work: the weather, a leak, a meal. Not "casser" nor "cracking":
# breaking out a wall is work, and "started cracking on" is getting going.
_NOT_THE_WORK = frozenset(
    {
        "pleuvoir", "flotter", "flotte", "neiger", "geler", "fuir", "goutter", "manger", "bouffer",
        "dejeuner", "rain", "snow", "freeze", "leak", "drip", "eat", "raining", "snowing", "freezing",
        "leaking", "dripping", "pouring", "flooding", "sparking", "smoking", "eating", "peeling", "rusting",
    }
)  # fmt: skip
_LINKS_TO_A_VERB = frozenset({"a", "de", "d", "to"})
_ON_SITE = [["place"], ["site"], ["chantier"], ["le", "chantier"], ["the", "site"], ["site", "today"]]
_A_PLACE = [["on", "the"], ["in", "the"], ["at", "the"], ["on", "site"], ["in", "my"], ["in", "our"]]


def _after_an_ing_word(words: list[str], index: int) -> bool:
    return index > 0 and words[index - 1].endswith("ing")


def _of_something_else(after: list[str]) -> bool:
    """The words after a status phrase make it about something that is not the work."""
    if after[:1] and after[0] in _NOT_THE_WORK:
        return True  # "started raining"
    if len(after) > 1 and (after[0].isdigit() or after[0] in ("a", "an")) and after[1] in _HOURS:
        return True  # "done 10 hrs today", "done a long shift": their hours
    if len(after) > 1 and after[0] in _ARTICLES and after[1] in _EVENTS:
        return True  # "someone started a fire in the skip", "the labourer's done a runner"
    return len(after) > 1 and after[0] in _LINKS_TO_A_VERB and after[1] in _NOT_THE_WORK


_ARTICLES = frozenset({"a", "an", "un", "une"})
_EVENTS = frozenset({"fire", "feu", "runner", "fight", "row", "bagarre", "incendie", "flood"})


# What a status said just before these is about: the road, the phone, the weather, a supplier.
_ELSEWHERE = frozenset(
    {
        "peage", "bus", "train", "metro", "tram", "traffic", "bouchons", "embouteillages", "m1", "m6", "m25",
        "motorway", "autoroute", "periph", "whatsapp", "numero", "number", "phone", "telephone", "hmrc",
        "neige", "snow", "pluie", "rain", "verglas", "ice", "fournisseur", "supplier", "merchant",
        "grossiste", "transporteur", "his", "her", "son", "sa", "ton", "car", "mode", "securite",
        "defaut", "fault", "error", "erreur", "outside", "dehors", "inside",
    }
)  # fmt: skip
_OBSTACLES = frozenset(
    {
        "camion", "camions", "voiture", "voitures", "benne", "bennes", "grue", "palettes", "pompiers",
        "police", "livraison", "toupie", "nacelle", "truck", "lorry", "van", "car", "cars", "skip", "crane",
        "pallets", "delivery", "cones", "barrier", "barriers", "scaffold", "echafaudage", "gravats", "rubble",
    }
)  # fmt: skip


def _by_an_obstacle(following: list[str]) -> bool:
    """ "Bloqué par un camion", "blocked by the skip": something in the way, not a trade awaited."""
    if not following or following[0] not in ("par", "by"):
        return False
    rest = [w for w in following[1:] if w not in ("un", "une", "le", "la", "les", "des", "a", "the", "l")]
    return bool(rest[:1]) and rest[0] in _OBSTACLES


_HOURS = frozenset({"hrs", "hr", "hours", "hour", "h", "heures", "shift", "shifts", "till", "days", "jours"})
# Blocked, said of these, is a drain or a way through, not the work: "blocked toilet", "sink's blocked".
_BLOCKABLE = frozenset(
    {
        "toilet", "toilets", "loo", "loos", "wc", "drain", "drains", "sink", "pipe", "pipes", "gutter",
        "gully", "stairs", "stairwell", "road", "toilettes", "chiottes", "evier", "lavabo", "siphon",
        "canalisation", "canalisations", "evacuation", "escalier", "escaliers", "route", "rue",
    }
)  # fmt: skip
# Things that begin and end on site that are not the work: a meal, a meeting, a drill.
_OTHER_THINGS = frozenset(
    {
        "tea", "lunch", "dinner", "dinners", "breakfast", "brew", "butty", "coffee", "cafe", "dej",
        "repas", "casse", "pause", "snap", "smoko", "exercice", "drill", "reunion", "meeting", "briefing",
        "formation", "training", "toolbox", "induction", "leak", "fuite", "rain", "pluie",
    }
)  # fmt: skip
# Started or blocked, said of these, is a machine switched on or in fault, not the work.
_MACHINES = frozenset(
    {
        "chaudiere", "pompe", "pac", "groupe", "compresseur", "machine", "moteur", "boiler", "pump", "genny",
        "generator", "generateur", "vmc", "clim", "chauffage", "heating", "ascenseur", "lift", "hoist",
    }
)  # fmt: skip
_SUBJECT_LINKS = frozenset(
    {"s", "is", "are", "my", "our", "the", "est", "sont", "mon", "ma", "le", "la", "de"}
)


def _said_of_another_thing(status: str, words: list[str], index: int, end: int, after: list[str]) -> bool:
    """ "Dinner's done", "finished my tea", "exercice incendie fini"; "blocked drain on 3", "the
    toilets are blocked"; "la chaudière a démarré"; "done a 12 hr shift"; "well done mate"."""
    if index > 0 and words[index - 1] in ("well", "bien"):
        return True  # "well done": praise
    if after == ["for"]:
        return True  # "I'm done for": worn out
    if status == "blocked" and index > 0 and words[index - 1] in ("me", "us"):
        return True  # "put me on hold": a phone call
    following = words[end : end + 3]
    if len(following) == 3 and following[1].isdigit() and following[2] in _HOURS:
        return True  # "done a 12 hr shift": their hours
    near_before = [w for w in words[max(0, index - 3) : index] if w not in _SUBJECT_LINKS][-1:]
    near_after = [w for w in after if w not in _SUBJECT_LINKS][:1]
    near = set(near_before + near_after)
    if status == "blocked" and near & _BLOCKABLE:
        return True
    # "La chaudière est bloquée", "la chaudière a démarré": the machine, said with its verb; "pose
    # chaudière commencée" and "on a démarré la PAC" are the work.
    subject = words[max(0, index - 2) : index]
    if (
        status in ("blocked", "in_progress")
        and len(subject) == 2
        and subject[0] in _MACHINES
        and subject[1] in ("est", "a", "s", "is", "has")
    ):
        return True
    if following[:1] and following[0] in _WHOSE and set(following[1:2]) & _BODY:
        return True  # "done my back in": hurt, not the work
    return bool(set(words[max(0, index - 3) : index] + following) & _OTHER_THINGS)


_WHOSE = frozenset({"my", "his", "her", "me", "mon", "son", "sa", "ma"})
_BODY = frozenset(
    {
        "back",
        "knee",
        "knees",
        "shoulder",
        "ankle",
        "wrist",
        "hand",
        "dos",
        "genou",
        "epaule",
        "cheville",
        "poignet",
    }
)


_OBJECTS = frozenset(
    {"le", "la", "l", "les", "the", "tout", "a", "an", "our", "my", "notre", "nos", "mon", "ma"}
)
# Only as the last words: "grid's up", "lads got stuck in"; not "up on the roof", "got stuck in the lift".
_LAST_WORD_ONLY = frozenset({"up", "in", "fait", "pose", "passe", "got stuck in"})
# Nearly so is not so, whatever the status: "presque commencé", "nearly stuck", "far from done".
_NOT_QUITE = (
    # Part of it: one side, a first fix, a first coat.
    "one side", "first side", "first fix", "1st fix", "first coat", "first layer", "un cote", "une face",
    "premiere couche", "premiere passe", "premiere face", "sous couche", "get there", "getting there",
    "presque", "quasi", "quasiment", "bientot", "pratiquement", "loin d etre", "loin d avoir", "loin de",
    "almost", "nearly", "soon", "practically", "far from", "nowhere near", "not far off", "close to",
)  # fmt: skip
_ANY_NEGATION = frozenset(
    {"pas", "not", "never", "jamais", "nothing", "rien", "aucun", "yet", "ne", "emoji_no", "nobody", "noone"}
)
# A status said, then taken back or asked at the end: "grid done: no", "fini ou quoi", "done or what".
_TAKING_BACK = (["no"], ["non"], ["emoji_no"], ["or", "what"], ["ou", "quoi"], ["ou", "pas"], ["or", "not"])
_SUBJECT_WINDOW = 4  # words before a status where the one who did it is said: "the plumbers have finished"
# Other trades: what they finished or started is not the person's own work.
_OTHER_TRADES = frozenset(
    {
        "plumber", "plumbers", "sparks", "sparky", "sparkys", "sparkies", "electrician", "electricians",
        "painter", "painters", "decorators", "chippy", "chippie", "chippys", "chippies", "joiner", "joiners",
        "carpenters", "tapers", "plasterer", "plasterers", "scaffolders", "scaffolder", "roofers", "tilers",
        "tiler", "bricklayers", "brickies", "brickie", "groundworkers", "glaziers", "m&e", "mechanicals",
        "peintre", "peintres", "plombier", "plombiers", "plaquiste", "plaquistes", "carreleur", "carreleurs",
        "macon", "macons", "menuisier", "menuisiers", "couvreur", "couvreurs", "electricien", "electriciens",
        "chauffagiste", "chauffagistes", "echafaudeur", "echafaudeurs", "platrier", "platriers", "vitrier",
        "serrurier", "terrassier", "terrassiers", "charpentier", "charpentiers", "etancheur",
    }
)  # fmt: skip
# Before a status, these make it still to do: "to be started", "gotta get the grid finished".
_TO_COME_BEFORE = (
    "to get", "gotta get", "got to", "need to", "needs to", "want to", "wanna", "trying to", "try to",
    "remind me", "have to", "has to", "going to", "about to", "supposed to", "meant to", "plan to",
    "planning to", "hope to", "hoping to", "due to", "ready to", "il faut", "faut que", "je dois", "on doit",
    "doit etre", "doivent etre", "devrait etre", "devraient etre", "cense etre", "censee etre",
    "censes etre", "va etre", "vont etre", "rappelle moi",
)  # fmt: skip
_SETTING = frozenset(
    {"set", "put", "change", "changed", "switch", "mark", "move", "moved", "back", "revert", "status"}
)
_AUXILIARIES = frozenset({"ai", "a", "as", "avons", "avez", "ont", "est", "sont", "suis", "sommes", "etes"})
# "Prises à terminer", "reste à finir", "pour finir": still to do. Read in the text as typed,
# where "terminer" is still a verb (it is read as "terminé", which people type it for).
_STILL_TO_DO = re.compile(
    r"(?:\bà|(?<!\bil )(?<!\belle )(?<!\bon )(?<!\bça )(?<!\bca )(?<!\bqui )(?<!\bc )\ba|\breste à|\breste a"
    r"|\bpour) (?:terminer|finir|commencer|demarrer|démarrer|attaquer|poser|installer|reprendre)\b"
)


def _whose_or_when(status: str, words: list[str], index: int, phrase: str, before: list[str]) -> str | None:
    if status == "blocked" and words[index - 1 : index] == ["fire"]:
        return "fire"  # "risers fire stopped": the fire stopping is in, nothing is blocked
    end = index + len(phrase.split())
    after = words[end : end + 2]
    if set(before[-_SUBJECT_WINDOW:]) & (_OTHER_TRADES | _SOMEONE_ELSE) or after in _FOR_SOMEONE:
        return "others"  # "the plumbers finished in the risers", "sa partie c fini", "fini pour lui"
    if (
        words[max(index - 2, 0) : index] in _REFLEXIVE
        or words[index - 1 : index] == ["se"]
        or after[:1] == ["me"]
        or after == ["de", "me"]
    ):
        return "others"  # "on s'installe", "m'a bloqué", "en train de me changer": the person, not the work
    if _to_come(words, index, phrase, status) or _later(words, index + len(phrase.split()), status):
        return "to_come"  # "to be started", "want to get the grid finished": still to do
    return None


# Said before a status, they tell whose work it is: someone else's ("lui c fini", "his bit's done").
_SOMEONE_ELSE = frozenset(
    {"lui", "sa", "son", "ses", "leur", "leurs", "they", "theyre", "he", "hes", "she", "shes", "his", "their",
     "him"}
)  # fmt: skip
_FOR_SOMEONE = [["pour", "lui"], ["pour", "eux"], ["for", "him"], ["for", "them"], ["pour", "elle"]]
# After a start, these tell when it will be: "starting sunday", "starting 8", "starting this evening".
_LATER = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "tonight",
        "next", "later", "soon", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "demain", "bientot", "prochain", "prochaine", "at", "after", "apres", "vers", "late", "tard",
    }
)  # fmt: skip
# Right before a status, a subject in the present: "je termine", "on commence", "j'installe", "je m'installe".
_LATER_DAYS = frozenset(
    {"tomorrow", "tmrw", "demain", "next", "prochain", "prochaine", "later", "soon", "bientot"}
)
_REFLEXIVE = [["on", "s"], ["il", "s"], ["elle", "s"], ["ils", "s"], ["je", "me"], ["tu", "te"], ["on", "se"]]
_JUST = frozenset({"viens", "vient", "venons", "venez", "viennent"})
_IN_THE_PRESENT = frozenset({"je", "j", "on", "tu", "nous", "vous", "m", "me", "te", "se", "be"})


def _later(words: list[str], end: int, status: str) -> bool:
    if status not in ("in_progress", "done") or end >= len(words):
        return False
    following, then = words[end], words[end + 1 : end + 2]
    if status == "done":  # "done this week", "fini demain": to come; "done today", "fini hier" are not
        return following in _LATER_DAYS or (
            following in ("this", "cette", "next") and then[:1] in (["week"], ["semaine"])
        )
    if following in ("this", "ce", "cet", "cette") and then:
        return then[0] in ("evening", "soir", "aprem", "afternoon", "arvo", "week", "semaine", "weekend")
    return (
        following in _LATER
        or following.isdigit()
        or bool(re.fullmatch(r"\d+(?:st|nd|rd|th|er|e)", following))
    )


def _to_come(words: list[str], index: int, phrase: str, status: str) -> bool:
    previous = words[index - 1] if index > 0 else ""
    if previous == "de" and words[index - 2 : index - 1] and words[index - 2] in _JUST:
        return False  # "je viens de finir": just done
    if phrase.split(maxsplit=1)[0] in ("to", "ll", "will") or (
        " " not in phrase and phrase.endswith(("er", "ir")) and previous not in _AUXILIARIES
    ):
        return True  # "to start", "will start", "commencer"; not "j'ai commencer" (for commencé)
    if "remind" in words[:index] or "rappelle" in words[:index]:
        return True  # "remind me to mark it done"
    if previous in _IN_THE_PRESENT and status == "done" and " " not in phrase:
        return True  # "je termine", "j'installe les prises", "be done today": now or to come, not done
    if set(words[:index]) & _SETTING:
        return False  # "set the risers to in progress", "put it back to started": said to be so
    if previous == "to" or words[max(index - 2, 0) : index] == ["to", "be"]:
        return True  # "to start", "still to be finished"
    before = " ".join(words[max(index - 5, 0) : index])
    return has(before, _TO_COME_BEFORE)


def _taken_back(words: list[str]) -> bool:
    return len(words) > 1 and any(words[-len(end) :] == end for end in _TAKING_BACK)


# Said after the work, these leave its last word last: "grid's up yesterday", "posé ce matin".
_WHEN_OR_TO_WHOM = (
    "yesterday", "today", "this morning", "this afternoon", "this arvo", "last night", "tonight", "now",
    "just now", "earlier", "mate", "boss", "hier", "hier soir", "ce matin", "cet aprem", "cet apres midi",
    "aujourd hui", "ce soir", "tout a l heure", "maintenant", "chef",
)  # fmt: skip
_TRAILING = re.compile(r"(?:\s+(?:emoji_\w+|\?|" + "|".join(re.escape(w) for w in _WHEN_OR_TO_WHOM) + r"))+$")


def _end_of_words(normalised: str) -> int:
    """Where the words end, emojis, a time or a "mate" after them aside: "fait ✅" ends with "fait"."""
    return len(_TRAILING.sub("", normalised))


def _pause_after(raw: str, phrase: str) -> bool:
    """ "Bloqué, le consuel…": punctuation after the word, so what follows is not its object."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", raw.casefold()) if not unicodedata.combining(c))
    return re.search(rf"\b{re.escape(phrase)}\w*\s*[,.;:!?\-–]", plain) is not None


def _word_starts(normalised: str) -> dict[int, int]:
    """Character offset of each word -> its index."""
    starts: dict[int, int] = {}
    offset = 0
    for index, word in enumerate(normalised.split(" ")):
        starts[offset] = index
        offset += len(word) + 1
    return starts
