"""Buttons and numbers from an earlier session: honoured when still valid, refused when not theirs."""

from __future__ import annotations

from application.ports import TaskStatusChange
from infrastructure.bootstrap import Container
from tests.conftest import FakeClock
from tests.turns import choice_ids, named, press, recorded, say
from tests.world import applied_change_ids


def pause(clock: FakeClock) -> None:
    clock.advance(minutes=61)  # longer than the idle timeout: the next message opens a new session


def test_the_seed_quick_test_with_a_coffee_break_between_every_step(
    container: Container, clock: FakeClock
) -> None:
    service = container.service
    hello = say(service, "Bonjour", message_id="hello")
    pause(clock)
    sites = press(service, "menu.sites", "Mes chantiers", message_id="view-sites")
    pause(clock)
    tasks = press(service, "project.P-TIL", "Résidence Les Tilleuls", message_id="press-site")
    assert tasks.reply["text"].startswith("Résidence Les Tilleuls — vos tâches (4)")
    assert choice_ids(tasks)[0] == "task.T-TIL-01"
    assert len({hello.session_id, sites.session_id, tasks.session_id}) == 3

    events = recorded(container)
    assert not named(events, "DirectActionFailed")
    assert all("pas compris" not in e.reply["text"] for e in named(events, "ReplySent"))
    pressed = {e.message_id: e for e in named(events, "ButtonPressed")}
    assert pressed["press-site"].offered_by == "view-sites"
    assert pressed["press-site"].offered_in_session == sites.session_id != pressed["press-site"].session_id


def test_a_number_after_a_pause_refers_to_the_list_still_on_screen(
    container: Container, clock: FakeClock
) -> None:
    service = container.service
    say(service, "mes chantiers")
    pause(clock)
    third = say(service, "3")
    assert third.reply["text"].startswith("Maison de santé Vénissieux")
    say(service, "mes chantiers")
    pause(clock)
    by_name = say(service, "tilleuls")
    assert by_name.reply["text"].startswith("Résidence Les Tilleuls")


def test_a_list_older_than_a_day_is_not_what_a_number_means(container: Container, clock: FakeClock) -> None:
    service = container.service
    say(service, "mes chantiers")
    clock.advance(days=1, minutes=1)
    outcome = say(service, "3")
    assert "pas compris" in outcome.reply["text"]


def test_another_subcontractors_task_pressed_after_a_pause_is_refused(
    container: Container, clock: FakeClock
) -> None:
    service = container.service
    say(service, "mes chantiers")
    pause(clock)
    refused = press(service, "status.T-VAL-51.done", "Terminé ✅", message_id="not-mine")
    assert "plus disponible" in refused.reply["text"]
    assert container.directory.task_of("S-002", "T-VAL-51").status == "todo"  # type: ignore[union-attr]
    assert applied_change_ids(container) == {}
    failed = named(recorded(container), "DirectActionFailed")
    assert [(e.message_id, e.reason) for e in failed] == [("not-mine", "not_found")]
    assert not named(recorded(container), "TaskStatusChangeDecided")


def test_a_status_press_from_an_earlier_session_acts_when_the_task_is_theirs(
    container: Container, clock: FakeClock
) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "3"):
        say(service, text)
    pause(clock)
    done = press(service, "status.T-TIL-03.done", "Terminé ✅")
    assert "C'est noté" in done.reply["text"]
    assert container.directory.task_of("S-001", "T-TIL-03").status == "done"  # type: ignore[union-attr]


def test_a_status_that_changed_since_it_was_shown_is_not_overwritten_without_asking(
    container: Container, clock: FakeClock
) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "3"):  # "Prises et interrupteurs B", shown as to do
        say(service, text)
    # The site manager sets it in progress meanwhile, through the company's system.
    manager = TaskStatusChange("office-1", "S-001", "T-TIL-03", "in_progress", clock.now)
    assert container.directory.apply_change(manager)
    pause(clock)
    asked = press(service, "status.T-TIL-03.done", "Terminé ✅")
    assert "a changé depuis" in asked.reply["text"]
    assert "En cours" in asked.reply["text"]
    assert choice_ids(asked) == ["status.T-TIL-03.done", "task.T-TIL-03"]
    assert container.directory.task_of("S-001", "T-TIL-03").status == "in_progress"  # type: ignore[union-attr]
    assert not named(recorded(container), "TaskStatusChangeDecided")

    confirmed = press(service, "status.T-TIL-03.done", "Oui")
    assert "C'est noté" in confirmed.reply["text"]
    assert container.directory.task_of("S-001", "T-TIL-03").status == "done"  # type: ignore[union-attr]
    (decided,) = named(recorded(container), "TaskStatusChangeDecided")
    assert decided.previous_status == "in_progress"


def test_a_typed_status_about_a_task_changed_since_asks_too(container: Container, clock: FakeClock) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "3"):
        say(service, text)
    manager = TaskStatusChange("office-2", "S-001", "T-TIL-03", "blocked", clock.now)
    assert container.directory.apply_change(manager)
    asked = say(service, "c'est fait")
    assert "a changé depuis" in asked.reply["text"]
    assert container.directory.task_of("S-001", "T-TIL-03").status == "blocked"  # type: ignore[union-attr]
