"""What the bot understands, through the real turn on SQLite and PostgreSQL: writes need certainty."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from application.ports import ClassifierContext
from application.understanding.model import trained_model
from application.understanding.understander import Understanding
from infrastructure.bootstrap import Container, build
from infrastructure.settings import Settings
from tests.conftest import FakeClock
from tests.fake_model import Script, fake_model
from tests.turns import JAMES, choice_ids, named, press, recorded, say
from tests.world import applied_change_ids, assert_directory_matches_log


def status_of(container: Container, task_id: str) -> str:
    row = container.database.fetch_one("SELECT status FROM tasks WHERE id = %s", (task_id,))
    assert row is not None
    return str(row["status"])


def in_focus(container: Container, task_press: str = "task.T-TIL-03") -> None:
    press(container.service, "project.P-TIL", "Résidence Les Tilleuls")
    press(container.service, task_press, "x")


@pytest.mark.parametrize(
    "text", ["pas encore fini", "pas fini", "presque fini", "c'est fini ?", "pas tt a fait fini"]
)
def test_a_negated_or_hedged_status_writes_nothing_and_asks(container: Container, text: str) -> None:
    in_focus(container)
    outcome = say(container.service, text)
    assert "Où en est" in outcome.reply["text"]
    assert "status.T-TIL-03.done" in choice_ids(outcome)  # the person says, with a press
    assert status_of(container, "T-TIL-03") == "todo"
    assert not named(recorded(container), "TaskStatusChangeDecided")
    (classified,) = [e for e in recorded(container) if type(e).__name__ == "IntentClassified"]
    assert classified.intent == "status_unclear"
    assert classified.understood_by["layer"] == "rules"
    assert classified.understood_by["certain"] is False


def test_an_uncertain_status_is_confirmed_then_written_once(container: Container) -> None:
    say(container.service, "mes chantiers")
    asked = say(container.service, "les prises 👍", message_id="unsure")
    assert "Marquer « Prises et interrupteurs B » comme Terminé ?" in asked.reply["text"]
    assert choice_ids(asked) == ["confirm.yes", "confirm.no"]
    assert status_of(container, "T-TIL-03") == "todo"
    yes = say(container.service, "oui", message_id="yes")
    assert "C'est noté" in yes.reply["text"]
    assert status_of(container, "T-TIL-03") == "done"
    again = say(container.service, "oui", message_id="yes")  # Meta redelivers the answer
    assert again.duplicate
    decided = assert_directory_matches_log(container)
    assert [record.message_id for record in decided] == ["yes"]


def test_no_means_nothing_is_written(container: Container) -> None:
    say(container.service, "mes chantiers")
    say(container.service, "les prises 👍")
    outcome = press(container.service, "confirm.no", "Non")
    assert "je ne change rien" in outcome.reply["text"]
    assert status_of(container, "T-TIL-03") == "todo"
    assert applied_change_ids(container) == {}


@pytest.mark.parametrize("text", ["non", "nan", "no", "nope", "non merci", "ouais"])
def test_a_yes_or_no_when_nothing_was_asked_asks_nothing(container: Container, text: str) -> None:
    press(container.service, "project.P-CON", "x")
    outcome = say(container.service, text)
    assert "confirm.yes" not in choice_ids(outcome)  # no question about a write it was never told of
    assert "pas compris" not in outcome.reply["text"]
    (classified,) = [e for e in recorded(container) if type(e).__name__ == "IntentClassified"]
    assert classified.intent == "small_talk"
    assert classified.understood_by["layer"] == "rules"  # known, not guessed by the model
    assert container.database.fetch_all("SELECT id FROM problem_reports") == []


def test_a_confirmation_from_a_closed_session_does_nothing(container: Container, clock: FakeClock) -> None:
    say(container.service, "mes chantiers")
    say(container.service, "les prises 👍")
    clock.advance(minutes=61)
    outcome = press(container.service, "confirm.yes", "Oui")
    assert "expiré" in outcome.reply["text"]
    assert status_of(container, "T-TIL-03") == "todo"
    assert not named(recorded(container), "ConfirmationAnswered")


def test_a_question_lapses_when_the_next_message_is_about_something_else(container: Container) -> None:
    say(container.service, "mes chantiers")
    say(container.service, "les prises 👍")
    say(container.service, "aide")
    outcome = say(container.service, "oui")
    assert status_of(container, "T-TIL-03") == "todo"
    assert "expiré" not in outcome.reply["text"]  # "oui" on its own is just an acknowledgement now


def test_an_implicit_problem_is_confirmed_then_filed_on_the_site_in_focus(container: Container) -> None:
    press(container.service, "project.P-TIL", "Résidence Les Tilleuls")
    asked = say(container.service, "ya une fuite au 2e dans la cage d'escalier")
    assert "Signaler ce problème sur Résidence Les Tilleuls" in asked.reply["text"]
    assert container.database.fetch_all("SELECT id FROM problem_reports") == []
    press(container.service, "confirm.yes", "Oui", message_id="file-it")
    rows = container.database.fetch_all("SELECT project_id, description FROM problem_reports")
    assert rows == [{"project_id": "P-TIL", "description": "ya une fuite au 2e dans la cage d'escalier"}]


def test_small_talk_gets_a_short_answer_and_keeps_the_focus(container: Container) -> None:
    in_focus(container)
    for text in ("merci 👍", "ok", "👌", "thanks mate", "à demain"):
        outcome = say(container.service, text)
        assert "pas compris" not in outcome.reply["text"]
        assert len(outcome.reply["text"]) < 40
    assert applied_change_ids(container) == {}
    done = say(container.service, "c'est fait")  # the task is still in focus
    assert "C'est noté" in done.reply["text"]


def test_questions_about_work_are_answered_from_the_directory(container: Container, clock: FakeClock) -> None:
    clock.advance(days=8)  # 2 December: some tasks are past their due date
    late = say(container.service, "j'ai du retard sur quoi ?")
    assert late.reply["text"].startswith("Tâches en retard")
    assert {"task.T-TIL-02", "task.T-JAU-02", "task.T-CON-01"} <= set(choice_ids(late))
    week = say(container.service, "what's due this week?", sender=JAMES)
    assert week.reply["text"].startswith("Due this week")
    assert "task.T-PDU-82" in choice_ids(week)


def test_not_understood_offers_the_tasks_of_the_site_in_focus(container: Container) -> None:
    press(container.service, "project.P-CON", "Bureaux Quai Rambaud")
    outcome = say(container.service, "blablabla xyz")
    assert outcome.reply["text"].startswith("Je n'ai pas compris. Voici vos tâches sur Bureaux Quai Rambaud")
    assert choice_ids(outcome)[0].startswith("task.T-CON")


def test_a_status_and_its_task_in_one_message(container: Container) -> None:
    outcome = say(container.service, "g fini les prises", message_id="in-one")
    assert "C'est noté" in outcome.reply["text"]
    assert status_of(container, "T-TIL-03") == "done"
    started = say(container.service, "started the ceiling grid", sender=JAMES)
    assert "Noted" in started.reply["text"]
    assert status_of(container, "T-CON-82") == "in_progress"


def test_work_reported_by_name_is_confirmed_before_it_is_written(container: Container) -> None:
    asked = say(container.service, "gaines posées", message_id="reported")
    assert "Marquer « Gaines techniques » comme Terminé ?" in asked.reply["text"]
    assert status_of(container, "T-VEN-02") == "todo"
    assert not named(recorded(container), "TaskStatusChangeDecided")
    say(container.service, "oui", message_id="reported-yes")
    assert status_of(container, "T-VEN-02") == "done"
    negated = say(container.service, "les colonnes sont pas encore montées", message_id="not-yet")
    assert "Marquer" not in negated.reply["text"]
    assert status_of(container, "T-CON-01") == "in_progress"
    decided = assert_directory_matches_log(container)
    assert [record.message_id for record in decided] == ["reported-yes"]


@pytest.fixture
def model_container(settings: Settings, clock: FakeClock) -> Iterator[tuple[Container, Script]]:
    with fake_model() as (url, script):
        configured = settings.model_copy(
            update={"model_url": url, "model_name": "tiny-test-model", "model_timeout_seconds": 0.5}
        )
        container = build(configured, clock=clock)
        try:
            yield container, script
        finally:
            container.close()


UNSURE = "hmm enfin vous voyez quoi"  # nothing the rules or the local model are sure of


def test_the_unsure_message_is_one_the_local_layers_are_unsure_of() -> None:
    """The model tests below rest on it; retraining the local model may move it."""
    local = Understanding(trained_model()).classify(UNSURE, ClassifierContext("fr", None, [], {}, None, []))
    assert local.confidence < Settings().model_below_confidence


def test_the_model_is_asked_when_unsure_and_its_answer_is_recorded(
    model_container: tuple[Container, Script],
) -> None:
    container, script = model_container
    script.content = {"action": "select_site", "site_id": "P-CON"}
    outcome = say(container.service, UNSURE)
    assert outcome.reply["text"].startswith("Bureaux Quai Rambaud")
    (classified,) = named(recorded(container), "IntentClassified")
    assert classified.understood_by["layer"] == "remote_model"
    assert classified.understood_by["model"] == "tiny-test-model"
    assert classified.understood_by["latency_ms"] > 0
    prompt = script.requests[0]["body"]["messages"][1]["content"]
    assert "P-VAL" not in prompt  # only the sender's own sites and tasks are shown to it
    assert "MESSAGE: " + UNSURE in prompt


@pytest.mark.parametrize(
    "answer",
    [
        {"action": "delete_everything"},
        {"action": "select_site", "site_id": "P-VAL"},  # Sophie's site, not Karim's
        {"action": "set_status", "task_id": "T-TIL-03", "status": "demolished"},
        "not json at all",
    ],
)
def test_an_answer_outside_the_closed_set_is_discarded(
    model_container: tuple[Container, Script], answer: object
) -> None:
    container, script = model_container
    script.content = answer  # type: ignore[assignment]
    outcome = say(container.service, UNSURE)
    (classified,) = named(recorded(container), "IntentClassified")
    assert classified.understood_by["layer"] != "remote_model"
    assert "Éco-quartier" not in outcome.reply["text"]
    assert applied_change_ids(container) == {}


def test_a_status_the_model_proposes_is_confirmed_not_written(
    model_container: tuple[Container, Script],
) -> None:
    container, script = model_container
    script.content = {"action": "set_status", "task_id": "T-TIL-03", "status": "done"}
    outcome = say(container.service, UNSURE)
    assert choice_ids(outcome) == ["confirm.yes", "confirm.no"]
    assert status_of(container, "T-TIL-03") == "todo"


@pytest.mark.parametrize(("delay", "status"), [(2.0, 200), (0.0, 500)])
def test_a_slow_or_failing_model_falls_back_to_the_local_answer(
    model_container: tuple[Container, Script], delay: float, status: int
) -> None:
    container, script = model_container
    script.content, script.delay, script.status = {"action": "select_site", "site_id": "P-CON"}, delay, status
    outcome = say(container.service, UNSURE)
    (classified,) = named(recorded(container), "IntentClassified")
    assert classified.understood_by["layer"] != "remote_model"
    assert "pas compris" in outcome.reply["text"] or outcome.reply["choices"]


@pytest.mark.postgres
def test_a_confirmation_answered_at_two_workers_at_once_writes_once(postgres_url: str) -> None:
    from tests.conftest import postgres_settings

    settings = postgres_settings(postgres_url)
    first, second = build(settings), build(settings)
    try:
        say(first.service, "mes chantiers")
        say(first.service, "les prises 👍")
        barrier = threading.Barrier(2)
        outcomes = []

        def answer(container: Container) -> None:
            barrier.wait()
            outcomes.append(say(container.service, "oui", message_id="oui-twice"))

        threads = [threading.Thread(target=answer, args=(c,)) for c in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(o.duplicate for o in outcomes) == [False, True]
        assert outcomes[0].reply == outcomes[1].reply
        decided = assert_directory_matches_log(first)
        assert [record.message_id for record in decided] == ["oui-twice"]
        assert status_of(first, "T-TIL-03") == "done"
    finally:
        first.close()
        second.close()
