"""A number that places or counts ("level 3", "R+2", "bat 2", "3 jours", "3 sur 4") points at no
task of the list on screen: "level 3 done" once marked the third task done, "3 sur 4 finis" the
fourth and "fitted 2 doors" the second. A number alone, or an ordinal, still does."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, open_site, said_by, say


def _written(sender: str, text: str) -> list[tuple[str, str]]:
    """(task, status) written by `text` with the tasks of the sender's first site on screen."""
    service = in_memory_service()
    open_site(service, sender, "4" if sender == KARIM else "1")
    say(service, text, sender, message_id="said")
    decided = named(said_by(service, "said", sender), "TaskStatusChangeDecided")
    return [(vars(e)["task_id"], vars(e)["status"]) for e in decided]


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (KARIM, "niveau 2 fini"),
        (KARIM, "R+2 terminé"),
        (KARIM, "lot 3 démarré"),
        (KARIM, "fini pour le bat 2"),
        (JAMES, "level 2 done"),
        (JAMES, "block 1 complete"),
        (JAMES, "floor 3 started"),
        (JAMES, "unit 2 finished"),
        (KARIM, "3 sur 4 finis"),
        (KARIM, "3/4 finis"),
        (JAMES, "2 out of 3 done"),
        (KARIM, "j'ai fait 2 chambres"),
        (JAMES, "fitted 2 doors"),
    ],
)
def test_a_number_that_places_the_work_points_at_no_task(sender: str, text: str) -> None:
    assert _written(sender, text) == []


@pytest.mark.parametrize(
    ("sender", "text", "written"),
    [
        (KARIM, "le 3 c fait", ("T-TIL-03", "done")),
        (KARIM, "4 commencé", ("T-TIL-04", "in_progress")),
        (KARIM, "le 2 pour moi c'est fini", ("T-TIL-02", "done")),
        (KARIM, "3 finis", ("T-TIL-03", "done")),
        (JAMES, "done with 2", ("T-CON-82", "done")),
    ],
)
def test_a_number_alone_still_points_at_the_task_on_screen(
    sender: str, text: str, written: tuple[str, str]
) -> None:
    assert _written(sender, text) == [written]
