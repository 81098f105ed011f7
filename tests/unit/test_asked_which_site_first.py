"""With no site in focus, "done" and "problem" ask which site first. The site chosen used to drop
what was being done: the task list came with no offer to mark anything, and no description was
asked for. Now the status waits for the task, and the problem for its description."""

from __future__ import annotations

from infrastructure.in_memory import in_memory_service
from tests.turns import JAMES, KARIM, choice_ids, named, said_by, say, statuses_offered


def test_a_status_said_first_waits_for_the_site_and_then_the_task() -> None:
    service = in_memory_service()
    assert choice_ids(say(service, "done", JAMES)) == ["project.P-CON", "project.P-PDU"]
    say(service, "quai rambaud", JAMES)
    say(service, "partitions", JAMES, message_id="task")
    assert statuses_offered(said_by(service, "task", JAMES)) == ["done"]


def test_a_problem_said_first_asks_for_its_description_once_the_site_is_chosen() -> None:
    service = in_memory_service()
    say(service, "probleme", KARIM)
    outcome = say(service, "Tilleuls", KARIM)
    assert "Décrivez" in outcome.reply["text"]
    say(service, "fuite au plafond du hall", KARIM, message_id="described")
    filed = named(said_by(service, "described", KARIM), "ProblemReportDecided")
    assert [(vars(e)["project_id"], vars(e)["description"]) for e in filed] == [
        ("P-TIL", "fuite au plafond du hall")
    ]


def test_another_message_instead_of_a_site_drops_the_problem() -> None:
    service = in_memory_service()
    say(service, "problem", JAMES)
    say(service, "my tasks", JAMES)
    say(service, "1", JAMES, message_id="site")
    assert not named(said_by(service, "site", JAMES), "ProblemReportDecided")


def test_a_problem_told_instead_of_a_site_is_not_a_no() -> None:
    # "Which site?" is a pending question: "no power at the hotel" answered it with "no".
    service = in_memory_service()
    say(service, "problem", JAMES)
    say(service, "no power at the hotel", JAMES, message_id="told")
    asked = named(said_by(service, "told", JAMES), "ConfirmationRequested")
    assert [(e.action["kind"], e.action["project_id"]) for e in asked] == [("report_problem", "P-PDU")]
