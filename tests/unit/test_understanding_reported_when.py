"""Work reported by a word that says it only last ("grid's up", "posé") still says it when a time
or a "mate" follows: "got the grid up yesterday" and "tableaux posés ce matin" offer done, and are
never written without a yes; "up on the roof" still says nothing of the work."""

from __future__ import annotations

import pytest

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, named, open_site, said_by, say


def _offered(sender: str, text: str) -> tuple[set[str], set[str]]:
    """(statuses offered, statuses written) with the first site's tasks on screen."""
    service = in_memory_service()
    open_site(service, sender, "1")
    say(service, text, sender, message_id="said")
    events = said_by(service, "said", sender)
    offered = {str(e.action.get("status")) for e in named(events, "ConfirmationRequested")}
    written = {str(e.status) for e in named(events, "TaskStatusChangeDecided")}
    return offered, written


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "got the grid up yesterday"),
        (JAMES, "put the grid in this morning"),
        (JAMES, "grid's up mate"),
        (KARIM, "baies de brassage posées ce matin"),
        (KARIM, "baies de brassage montées hier soir"),
    ],
)
def test_work_reported_then_when_is_offered_as_done(sender: str, text: str) -> None:
    assert _offered(sender, text) == ({"done"}, set())


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (JAMES, "the grid lads are up on the roof today"),
        (KARIM, "baies de brassage: on a posé la question hier"),
    ],
)
def test_the_same_words_elsewhere_report_nothing(sender: str, text: str) -> None:
    offered, written = _offered(sender, text)
    assert "done" not in offered | written
