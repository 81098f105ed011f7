"""A randomised but reproducible mix of turns: every kind of event the log can hold."""

from __future__ import annotations

import random

from application.service import ConversationService
from tests.conftest import FakeClock
from tests.turns import JAMES, KARIM, SOPHIE, choice_ids, press, say

SENDERS = [KARIM, SOPHIE, JAMES, "+33699999999"]
TEXTS = ["Bonjour", "mes chantiers", "my sites", "1", "2", "le deuxième", "tilleuls", "c'est fait",
         "en cours", "problème : fuite", "aide", "menu", "recommencer", "blabla", "tâches"]  # fmt: skip


def random_workload(service: ConversationService, clock: FakeClock, seed: int, turns: int) -> int:
    """Plays `turns` random turns; returns how many. Idle gaps make sessions roll over."""
    rng = random.Random(seed)
    last_choices: dict[str, list[str]] = {}
    for n in range(turns):
        sender = rng.choice(SENDERS)
        roll = rng.random()
        if roll < 0.05:
            clock.advance(minutes=rng.choice([30, 61, 180, 60 * 24]))
        else:
            clock.advance(seconds=rng.randint(1, 120))
        if roll < 0.45 and last_choices.get(sender):
            outcome = press(service, rng.choice(last_choices[sender]), "x", sender=sender)
        elif roll < 0.5:
            outcome = press(service, rng.choice(["project.P-VAL", "weird", "task.NOPE"]), "?", sender=sender)
        else:
            outcome = say(service, rng.choice(TEXTS), sender=sender)
        if rng.random() < 0.05:  # a provider redelivering an earlier message
            say(service, "Bonjour", sender=sender, message_id=f"dup-{seed}-{n}")
            say(service, "Bonjour", sender=sender, message_id=f"dup-{seed}-{n}")
        last_choices[sender] = choice_ids(outcome)
    return turns
