"""Understanding in layers, cheapest first: rules, then the local model, then a remote model.

Each layer answers from a closed set of intents whose arguments name only the
sender's own sites and tasks; whatever decided is on the intent (layer,
confidence, entities, model, latency) and so in the log.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace
from typing import Protocol

from application.ports import ClassifierContext, Intent
from application.understanding import phrases
from application.understanding.matching import has
from application.understanding.model import Guess, LocalModel
from application.understanding.reading import Reading
from application.understanding.rules import by_rules
from application.understanding.text import normalise, probably_in_english, starts_asking


class RemoteModel(Protocol):
    """A model behind an endpoint, asked only when the local layers are unsure."""

    name: str

    def interpret(self, reading: Reading) -> Intent | None:
        """A validated intent, or None (timeout, error, or an answer outside the closed set)."""
        ...


# Below this, the local model's guess is not worth acting on.
GUESS_FLOOR = 0.45
# Where a wrong guess costs more: a problem to confirm, or the help page instead of "not understood".
_FLOORS = {"report_problem": 0.55, "help": 0.65, "small_talk": 0.55}
# Small talk the rules did not know is short: "sweet as", "nice one mate".
_SMALL_TALK_WORDS = 6


class Understanding:
    def __init__(
        self, model: LocalModel | None = None, remote: RemoteModel | None = None, *, sure: float = 0.6
    ) -> None:
        self._model = model
        self._remote = remote
        self._sure = sure
        _compile_patterns()

    def classify(self, text: str, context: ClassifierContext) -> Intent:
        started = time.perf_counter()
        normalised = normalise(probably_in_english(text) if context.language == "en" else text)
        if not normalised.strip():
            return _timed(Intent("unknown", {}, 0.0), started)
        reading = Reading(text, normalised, context).spell_checked()
        intent = by_rules(reading)
        if intent is None and self._model is not None:
            intent = _from_guess(self._model.guess(reading.normalised), reading, self._model.name)
        if self._remote is not None and (intent is None or intent.confidence < self._sure):
            asked = self._remote.interpret(reading)
            if asked is not None:
                intent = asked
        return _timed(intent or Intent("unknown", {}, 0.0), started)


@functools.cache
def _compile_patterns() -> None:
    """The phrase patterns compile on first use, once a process: pay for it when the first
    understanding is built, not in the first person's turn."""
    by_rules(Reading("qwxz vbnk", "qwxz vbnk", ClassifierContext("fr", None, [], {}, None, [])))


def _timed(intent: Intent, started: float) -> Intent:
    elapsed = (time.perf_counter() - started) * 1000
    latency = intent.latency_ms if intent.latency_ms is not None else elapsed  # a remote model's own
    return replace(intent, latency_ms=round(latency, 3))


def _from_guess(guess: Guess, reading: Reading, model: str) -> Intent | None:
    """The model names an intent; its arguments come from what the message names."""
    if guess.confidence < _FLOORS.get(guess.intent, GUESS_FLOOR) or guess.intent == "unknown":
        return None

    def made(name: str, arguments: dict[str, str], certain: bool = True) -> Intent:
        return Intent(
            name,
            arguments,
            guess.confidence,
            layer="local_model",
            certain=certain,
            entities=reading.entities(),
            model=model,
        )

    task = reading.task or reading.context.focus.get("task_id")
    if guess.intent == "set_status":
        if reading.question and task is None:
            return None  # "c'est ok si je viens samedi ?": asked, of no task
        # A status the rules did not read is not a status to write: ask what it is.
        return made("status_unclear", {"task_id": task} if task else {}, certain=False)
    if guess.intent == "report_problem":
        if reading.question and not reading.says(phrases.INCIDENTS):
            return None  # "c'est quoi le code du portail ?" asks, it reports nothing
        if not reading.says(phrases.INCIDENTS) and len(reading.telling_words) < _WORDS_OF_A_GUESSED_PROBLEM:
            return None  # "none", "dunno", "huh": nothing told to report (each was offered as one)
        arguments = {"description": " ".join(reading.text.split())}
        if reading.problem_site:
            arguments["project_id"] = reading.problem_site
        return made("report_problem", arguments, certain=False)
    if guess.intent in ("select", "list_tasks") and (reading.task or reading.site):
        choice_id = f"task.{reading.task}" if reading.task else f"project.{reading.site}"
        return made("select", {"choice_id": choice_id, "by": "name"})
    if guess.intent == "select":
        return None  # a choice it cannot name is no choice
    if guess.intent == "small_talk":
        if (
            len(reading.words) > _SMALL_TALK_WORDS
            or has(reading.normalised, phrases.REQUESTS)
            or starts_asking(reading.normalised)
        ):
            return None  # a longer message, or one that asks, wants something, however friendly
        return made("small_talk", {"kind": "ack"})
    if guess.intent == "reset":
        return made("menu", {})  # starting over closes the session: only on the words that say so
    return made(guess.intent, {})


_WORDS_OF_A_GUESSED_PROBLEM = 2
