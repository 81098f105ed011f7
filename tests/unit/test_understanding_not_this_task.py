"""With a task on screen, a status is written to it only when the message is about it: a task named
on another site is offered, never the one on screen ("commencé la PAC" once wrote "Pose chaudière
collective" started); another building or level than the task's is asked ("fini les prises du bat
A" once wrote "Prises et interrupteurs B" done); hearsay, "as soon as", sarcasm, a count of some
("3 logements sur 5"), praise ("well done"), and a status said of a journey, a phone, the weather, a
supplier, a machine or a drill write nothing."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, SOPHIE, named, press, said_by, say


def _events(sender: str, task: str, text: str) -> list[object]:
    service = in_memory_service()
    press(service, f"task.{task}", sender=sender)
    say(service, text, sender, message_id="said")
    return said_by(service, "said", sender)


def _written(events: list[object]) -> list[tuple[str, str]]:
    return [(e.task_id, e.status) for e in named(events, "TaskStatusChangeDecided")]


@pytest.mark.parametrize(
    ("text", "offered"), [("commence la pac", "T-VAL-52"), ("sanitaires en attente de livraison", "T-VAL-53")]
)
def test_a_task_named_on_another_site_is_offered_not_the_one_on_screen(text: str, offered: str) -> None:
    events = _events(SOPHIE, "T-TIL-52", text)
    assert not _written(events)
    assert [e.action["task_id"] for e in named(events, "ConfirmationRequested")] == [offered]


@pytest.mark.parametrize(
    ("sender", "task", "text"),
    [
        (KARIM, "T-TIL-03", "fini les prises du bat A"),
        (JAMES, "T-CON-81", "grid done on level 4"),
        (JAMES, "T-CON-81", "acoustic walls L3 done"),
        (KARIM, "T-TIL-03", "j'ai fait 3 logements sur 5"),
        (JAMES, "T-CON-82", "done 3 out of 5 rooms"),
        (KARIM, "T-TIL-03", "paraît que c fini"),
        (KARIM, "T-TIL-03", "on m'a dit que c fait"),
        (JAMES, "T-CON-82", "they told me its done"),
        (KARIM, "T-TIL-03", "dès que c fait je te dis"),
        (KARIM, "T-TIL-03", "tu parles que c fini"),
        (JAMES, "T-CON-82", "oh yeah totally done"),
        (KARIM, "T-TIL-03", "j'ai bloqué son numéro"),
        (KARIM, "T-TIL-03", "bloqué au péage"),
        (KARIM, "T-TIL-03", "en attente du bus"),
        (JAMES, "T-CON-82", "stuck on the M6"),
        (JAMES, "T-CON-82", "waiting for the rain to stop"),
        (JAMES, "T-CON-82", "on hold to HMRC"),
        (KARIM, "T-TIL-03", "le tableau est bloqué chez le fournisseur"),
        (JAMES, "T-CON-81", "well done mate"),
        (JAMES, "T-CON-81", "done for"),
        (JAMES, "T-CON-82", "starting to get there"),
        (JAMES, "T-CON-81", "put me on hold for 20 mins"),
        (JAMES, "T-CON-81", "c bouclé la semaine"),
        (SOPHIE, "T-TIL-52", "la chaudière est bloquée en mode sécurité"),
        (SOPHIE, "T-TIL-52", "la chaudière a démarré"),
        (KARIM, "T-JAU-03", "exercice incendie fini"),
    ],
)
def test_nothing_is_written(sender: str, task: str, text: str) -> None:
    assert not _written(_events(sender, task, text))


@pytest.mark.parametrize(
    ("sender", "task", "text", "status"),
    [
        (KARIM, "T-TIL-03", "fini les prises du bat B", "done"),
        (JAMES, "T-CON-82", "grid done on level 3", "done"),
        (KARIM, "T-TIL-03", "en attente du plaquiste", "blocked"),
        (SOPHIE, "T-TIL-52", "pose chaudière commencée", "in_progress"),
        (SOPHIE, "T-VAL-52", "on a démarré la pac ce matin", "in_progress"),
        (KARIM, "T-JAU-03", "alarme incendie finie", "done"),
        (JAMES, "T-CON-81", "finished off the partitions on level 3 today", "done"),
    ],
)
def test_the_task_on_screen_said_plainly_is_still_written(
    sender: str, task: str, text: str, status: str
) -> None:
    assert _written(_events(sender, task, text)) == [(task, status)]
