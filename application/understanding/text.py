"""Text as the rules and the model read it: lower case, no accents, SMS spellings spelled out."""

from __future__ import annotations

import re
import unicodedata

# How people type on a site, and what they mean: one token in, words out.
_SPELLED_OUT: dict[str, str] = {
    "bjr": "bonjour", "bjour": "bonjour", "bonjours": "bonjour", "slt": "salut", "cc": "coucou",
    "c": "c est", "cest": "c est", "ces": "c est", "g": "j ai", "jai": "j ai", "jsuis": "je suis",
    "chui": "je suis", "jsui": "je suis", "jveux": "je veux", "jvoudrais": "je voudrais", "jpeux": "je peux",
    "jpense": "je pense", "jsais": "je sais", "jsp": "je sais pas", "chais": "je sais", "ya": "il y a",
    "yen": "il y en", "pr": "pour", "tt": "tout", "ts": "tous",
    "dac": "d accord", "dacc": "d accord", "daccord": "d accord", "ok1": "ok", "oki": "ok", "okay": "ok",
    "okk": "ok", "stp": "s il te plait", "svp": "s il vous plait", "mrc": "merci", "mci": "merci",
    "mercii": "merci", "tkt": "t inquiete", "pb": "probleme", "pbm": "probleme", "pblm": "probleme",
    "prob": "probleme", "b1": "bien", "bcp": "beaucoup", "auj": "aujourd hui", "ajd": "aujourd hui",
    "aujourdhui": "aujourd hui", "dem1": "demain", "qd": "quand", "qdm": "quand meme", "pk": "pourquoi",
    "pq": "pourquoi", "koi": "quoi", "kel": "quel", "kelle": "quelle", "ke": "que", "ki": "qui",
    "msg": "message", "rdv": "rendez vous", "chantie": "chantier", "u": "you", "ur": "your", "r": "are",
    "thx": "thanks", "thnx": "thanks", "ty": "thank you", "tx": "thanks", "pls": "please", "plz": "please",
    "im": "i am", "ive": "i have", "dont": "do not", "didnt": "did not", "isnt": "is not",
    "hasnt": "has not", "wouldnt": "would not", "couldnt": "could not",
    "shouldnt": "should not",
    "arent": "are not", "werent": "were not", "doesnt": "does not", "tbh": "to be honest",
    "havent": "have not",
    "wasnt": "was not", "aint": "is not", "cant": "can not",
    "cannot": "can not", "wont": "will not", "gonna": "going to", "wanna": "want to", "gotta": "got to",
    "whats": "what is", "wheres": "where is", "its": "it is", "thats": "that is", "tmrw": "tomorrow",
    "tmr": "tomorrow", "2day": "today", "2moro": "tomorrow", "b4": "before", "asap": "as soon as possible",
    "pa": "pas", "po": "pas", "pas1": "pas", "nn": "non", "ouai": "ouais", "wi": "oui", "yep": "yes",
    "yeah": "yes", "yup": "yes", "nope": "no", "nah": "no", "finit": "fini", "dun": "done", "che": "je sais",
    "terminer": "termine", "wot": "what", "wat": "what", "wut": "what", "wen": "when",
    "wer": "where", "hw": "how", "jdois": "je dois", "jvais": "je vais", "jfais": "je fais",
    "jcrois": "je crois",
    "jcomprends": "je comprends", "comprend": "comprends", "ptet": "peut etre", "pti": "petit",
    "slm": "salam", "kes": "qu est", "quest": "qu est", "questce": "qu est ce", "keske": "qu est ce que",
    "kesk": "qu est ce que", "dici": "d ici", "nae": "no", "cannae": "can not", "didnae": "did not",
    "isnae": "is not", "wasnae": "was not", "havnae": "have not", "havenae": "have not", "dinnae": "do not",
    "wouldnae": "would not", "couldnae": "could not",
    "kesque": "qu est ce que", "bsr": "bonsoir", "bsoir": "bonsoir", "cv": "ca va", "tyvm": "thank you",
    "gday": "good day", "tlm": "tout le monde", "sem": "semaine", "smn": "semaine", "sm1": "semaine",
    "gm": "good morning", "opt": "option", "wk": "week", "wkend": "weekend", "tnx": "thanks",
    "thks": "thanks", "thnks": "thanks", "thanx": "thanks",
    "thankyou": "thank you", "mersi": "merci", "merki": "merci", "mrci": "merci",
    # Spelled as said: "c fé", "komencé" (not "bloké": a "bloke" is a man).
    "gd": "good", "mrng": "morning", "mornin": "morning",
    "jrentre": "je rentre", "jme": "je me", "jte": "je te",
    "fe": "fait", "fai": "fait", "blokee": "bloquee", "bloker": "bloquer",
    "nt": "not", "havnt": "have not", "hvnt": "have not", "hadnt": "had not", "dnt": "do not",
    "dosnt": "does not", "wernt": "were not", "detre": "d etre", "davoir": "d avoir",
    "ouii": "oui", "ouiii": "oui", "oue": "ouais", "ouep": "ouais", "ouaip": "ouais",
    "yess": "yes", "yesss": "yes", "yeh": "yes", "yea": "yes", "nonn": "non", "nonnn": "non",
    "merciii": "merci", "okkk": "ok",
    "theyre": "they are", "theyve": "they have", "hes": "he is", "shes": "she is",
    "komence": "commence", "komencer": "commencer", "comencer": "commencer", "comence": "commence",
}  # fmt: skip

_EMOJI_WORDS = {
    "👍": " emoji_ok ", "👌": " emoji_ok ", "✅": " emoji_ok ", "🙏": " emoji_thanks ", "😊": " emoji_smile ",
    "🙂": " emoji_smile ", "😀": " emoji_smile ", "😁": " emoji_smile ", "👋": " emoji_wave ",
    "💪": " emoji_ok ", "🤝": " emoji_thanks ", "❤": " emoji_thanks ", "😉": " emoji_smile ",
    "🆗": " emoji_ok ", "❌": " emoji_no ", "👎": " emoji_no ", "✖": " emoji_no ", "🚫": " emoji_no ",
}  # fmt: skip


_NUMERO = re.compile(r"(?i)\bn\s?[°º]\s?")
_FLOOR = re.compile(r"(?i)\br\s?\+\s?(\d+)")
_CANT = re.compile(r"(?i)\bcan't\b")
_WONT = re.compile(r"(?i)\bwon't\b")
_NOT = re.compile(r"(?i)\b(\w+)n't\b")
_CAN_NOT = re.compile(r"(?i)\bcan not\b|\bcannot\b")
_ELIDED = re.compile(r"(\w)'(\w)")
_NOT_WORD = re.compile(r"[^\w?]+")


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, SMS spellings spelled out: "G fini 👍" ->
    "j ai fini emoji_ok". A question mark is kept: a question is not a statement."""
    plain_ascii = text.isascii()  # most messages: no pictograph, accent or curly quote to look for
    if not plain_ascii:
        for emoji, word in _EMOJI_WORDS.items():
            text = text.replace(emoji, word)
        text = text.replace("’", "'")
        text = _NUMERO.sub("numero ", text)  # "n°3" before "°" reads as a pictograph
    text = text.replace("`", "'")
    if "+" in text:
        text = _FLOOR.sub(r"r\1", text)  # "R+1", a floor, is "r1": not "are 1"
    if not plain_ascii:
        # Any other pictograph still says something (mostly "ok" or a feeling): keep a trace of it.
        text = "".join(" emoji_other " if unicodedata.category(c) == "So" else c for c in text)
    if "'" in text:
        text = _CANT.sub("can not", text)  # not "ca not"
        text = _WONT.sub("will not", text)
        text = _NOT.sub(r"\1 not", text)  # "haven't", "don't", "aren't"
    text = _CAN_NOT.sub("can not", text)
    if plain_ascii:
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    if "'" in plain:
        plain = _ELIDED.sub(r"\1 \2", plain)
    words = _NOT_WORD.sub(" ", plain).replace("?", " ? ").split()
    spelled = []
    for index, word in enumerate(words):
        if word == "c" and index + 1 < len(words) and words[index + 1] == "est":
            spelled.append(word)  # "c'est" already says it
        elif word == "g" and index + 1 < len(words) and words[index + 1] == "day":
            spelled.append("good")  # "g'day": not "j'ai day"
        else:
            spelled.append(_SPELLED_OUT.get(word, word))
    said = " ".join(spelled)
    if any(word in said for word in _DICTATION_WORDS):
        said = _DICTATED.sub(" ", _DICTATED_QUESTION.sub("?", said)).strip()
        said = " ".join(said.split())
    return said


_DICTATION_WORDS = ("stop", "comma", "virgule", "ligne", "mark", "interrogation", "paragraph")
# Punctuation said to a phone's dictation: "done full stop", "virgule", "point d'interrogation".
_DICTATED = re.compile(
    r"\b(?:full stop|comma|new line|new paragraph|virgule|point a la ligne|nouvelle ligne)\b"
)
_DICTATED_QUESTION = re.compile(r"\b(?:question mark|point d interrogation)\b")


# In English "prob" is mostly "probably" ("grid prob done by fri"); "no prob", "a prob with the
# boards" keep the problem. French has no such word: "j'ai un prob" is one.
_PROBABLY = re.compile(
    r"(?i)(?<!\bno )(?<!\ba )(?<!\bany )(?<!\bthe )(?<!\bbig )(?<!\bwee )(?<!\bone )(?<!\bsmall )"
    r"(?<!\bbit of )(?<!\bnot a )\bprobs?\b(?! (?:with|w|on|at|here|there)\b)"
)


def probably_in_english(text: str) -> str:
    return _PROBABLY.sub("probably", text) if "rob" in text.lower() else text


def spelled_out(word: str) -> str:
    """One typed word as the rules read it: "slt" -> "salut"."""
    return _SPELLED_OUT.get(word, word)


def words_of(normalised: str) -> list[str]:
    return [word for word in normalised.split() if word != "?"]


# A message that starts so asks, question mark or not (people on a phone rarely type one).
_ASKING = re.compile(
    r"^(?:(?:bonjour|salut|hello|hi|hey|coucou|yo|re) )?"
    r"(?:est ce que|is it|is there|are there|did|have you|do i|can i|should i|c est quoi|c est qui|"
    r"c est ou|c est quand|c est pour quand|pour quand|c est combien|qu est ce|quel|quelle|quels|quelles|"
    r"combien|pourquoi|quand|"
    r"y a t il|(?:il )?y a quoi|j ai quoi|est ce|am i|have i|any|anything|"
    r"what|where|when|which|why|who|whos|qui|how (?:much|many|long)|do you|does|is|are|anyone|anybody|"
    r"has anyone|has anybody|has (?!been\b|to\b|got\b)|"
    r"(?:have|had) (?:the|it|they|we|he|she|this|that|those|these|anyone|anybody|all|u|you|ye)\b|"
    r"(?:was|were) (?:it|the|this|that|they|he|she|we|you|u|those|these|everything|anything|everyone|all)\b|"
    r"(?:t|tu) (?:as|es|a) (?:deja |bien )?(?:fini|fait|termine|commence|pose|vu)|"
    r"tu connais|vous connaissez|tu sais|vous savez|quelqu un sait|quelqu un a vu|"
    r"c est ok si|c est bon si|ok si)\b"
)


def is_question(text: str, normalised: str) -> bool:
    return "?" in text or starts_asking(normalised)


def starts_asking(normalised: str) -> bool:
    """ "Anyone seen my drill", "tu connais un grossiste": a question by its first words."""
    return _ASKING.match(normalised) is not None
