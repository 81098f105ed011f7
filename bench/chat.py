"""A subcontractor's side of a conversation: a realistic mix of texts and button presses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from application.inbound import Inbound, PressedButton, TurnOutcome
from application.service import ConversationService
from bench.threads import split, timed_in_threads

# (kind, value): a typed text, a global button, or a site button the bot offered earlier.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("text", "Bonjour"),
    ("button", "menu.sites"),
    ("site", "project."),
    ("text", "mes chantiers"),
    ("text", "1"),
)
# Turns whose meaning does not depend on the reply just before (for like-for-like samples).
CONTEXT_FREE_STEPS = (0, 1, 2, 3)


def staggered(phones: Sequence[str], tag: str) -> dict[str, Chat]:
    """A chat per phone, each starting one step further into SCRIPT than the one before.

    The steps cost a turn very different amounts (a button that lists sites from memory,
    a typed number that reads a site's tasks: 0.2 against 0.4 ms of CPU), and a pass
    over phones that all stand at the same step measures that step alone; rounds of
    one pass each then compare whichever steps they happened to land on. Staggered,
    every pass plays each step equally often.
    """
    return {phone: Chat(phone, tag, first_step=n) for n, phone in enumerate(phones)}


# Turns played before the rounds, at most, by the chat's place: about 4.6 events a turn, so
# the conversations' lengths fall all over the 20 events between two snapshots.
HISTORY_TURNS = 20


def with_histories(chats: Mapping[str, Chat], service: ConversationService) -> None:
    """Plays each chat (its place in `chats`) % HISTORY_TURNS turns, before any measured pass.

    A conversation is snapshotted every 20 events, about every fourth turn. Conversations
    started in the same pass and each played once a pass reach that interval together: a
    measured pass then takes every conversation's snapshot at once, or none (8 threads of
    turns alone: 1,863-1,933 turns/s in passes with 600-800 snapshots of 1,000 turns,
    2,002-2,313 in passes with none), and the median of the rounds mostly falls on passes
    without. Conversations of spread lengths take their share every pass, as real ones do.
    """
    places = list(enumerate(chats.values()))

    def play(_: int, group: Sequence[tuple[int, Chat]]) -> None:
        for place, chat in group:
            for _ in range(place % HISTORY_TURNS):
                chat.turn(service)

    timed_in_threads(split(places, 8), play)


class Chat:
    """Cycles through SCRIPT; remembers the sites offered, to press one of them."""

    def __init__(self, phone: str, tag: str, first_step: int = 0) -> None:
        self.phone = phone
        self.step = first_step
        self._tag = tag
        self._sent = 0
        self._sites: dict[str, str] = {}

    def next_inbound(self, step: int | None = None) -> Inbound:
        kind, value = SCRIPT[(self.step if step is None else step) % len(SCRIPT)]
        self.step += 1
        self._sent += 1
        message_id = f"{self._tag}:{self.phone}:{self._sent}"
        if kind == "site" and self._sites:
            site_ids = sorted(self._sites)
            choice_id = site_ids[self._sent % len(site_ids)]
            button = PressedButton(choice_id, self._sites[choice_id])
            return Inbound(channel="bench", message_id=message_id, sender=self.phone, button=button)
        if kind == "button":
            button = PressedButton(value, "Mes chantiers")
            return Inbound(channel="bench", message_id=message_id, sender=self.phone, button=button)
        text = value if kind == "text" else "mes chantiers"
        return Inbound(channel="bench", message_id=message_id, sender=self.phone, text=text)

    def turn(self, service: ConversationService, step: int | None = None) -> TurnOutcome:
        outcome = service.handle(self.next_inbound(step))
        for choice in outcome.reply["choices"]:
            if choice["id"].startswith("project."):
                self._sites[choice["id"]] = choice["title"]
        return outcome
