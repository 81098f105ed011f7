"""With a task on screen, a status is written to it only when the message is about it: when another
task or site is named, even loosely, which task is asked ("commencé la PAC" once wrote "Pose
chaudière collective" started, "done on the hotel one" the office's grid done); another building or
level than the task's is asked ("fini les prises du bat A" once wrote "Prises et interrupteurs B"
done); hearsay, "as soon as", sarcasm, "as good as done", a count of some ("3 logements sur 5"),
praise ("well done"), an injury, and a status said of a journey, a phone, the weather, a supplier,
a machine or a drill write nothing."""

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
    ("sender", "task", "text"),
    [
        (SOPHIE, "T-TIL-52", "commence la pac"),
        (SOPHIE, "T-TIL-52", "sanitaires en attente de livraison"),
        (JAMES, "T-CON-82", "done on the hotel one"),
        (JAMES, "T-CON-82", "done bar one wall"),
    ],
)
def test_a_task_or_site_named_elsewhere_is_asked_never_the_one_on_screen_written(
    sender: str, task: str, text: str
) -> None:
    events = _events(sender, task, text)
    assert not _written(events)
    assert task not in [e.action.get("task_id") for e in named(events, "ConfirmationRequested")]


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
        (JAMES, "T-CON-82", "as good as done"),
        (JAMES, "T-CON-82", "grid as good as done"),
        (JAMES, "T-CON-82", "near enough done"),
        (JAMES, "T-CON-82", "risers were done but failed inspection"),
        (JAMES, "T-CON-82", "ive done my back in lifting boards"),
        (JAMES, "T-CON-82", "completed my site induction"),
        (JAMES, "T-CON-83", "live cables hanging out the riser, no covers"),
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
        (KARIM, "T-TIL-03", "les prises sont bloquées", "blocked"),
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
