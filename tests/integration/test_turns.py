"""The turn through the service layer, on SQLite files and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from application.inbound import Inbound
from application.ports import ProblemReportFiling, TaskStatusChange
from application.receipts import receipt_id_of
from domain.identity import conversation_id_for
from domain.receipt import MessageReceipt
from infrastructure.bootstrap import Container, build
from infrastructure.settings import Settings
from tests.conftest import FakeClock
from tests.turns import JAMES, KARIM, SOPHIE, choice_ids, log_size, named, press, recorded, say


def test_scenario_greet_sites_site_tasks_in_one_session(container: Container) -> None:
    service = container.service
    hello = say(service, "Bonjour")
    assert "menu.sites" in choice_ids(hello)

    sites = press(service, "menu.sites", "Mes chantiers", message_id="press-sites")
    assert choice_ids(sites) == ["project.P-CON", "project.P-JAU", "project.P-VEN", "project.P-TIL"]
    assert sites.reply["style"] == "list"

    tasks = press(service, "project.P-TIL", "Résidence Les Tilleuls", message_id="press-site")
    assert choice_ids(tasks) == ["task.T-TIL-01", "task.T-TIL-02", "task.T-TIL-03", "task.T-TIL-04"]
    assert "Résidence Les Tilleuls" in tasks.reply["text"]
    assert len({hello.session_id, sites.session_id, tasks.session_id}) == 1

    events = recorded(container)
    assert len(named(events, "SessionOpened")) == 1
    listed = [e for e in named(events, "ToolOutputRecorded") if e.message_id == "press-sites"]
    assert listed[0].tool == "list_sites"
    assert "P-TIL" in [site["id"] for site in listed[0].output]
    pressed = [e for e in named(events, "ButtonPressed") if e.message_id == "press-site"]
    assert pressed[0].offered_by == "press-sites"  # used what the previous turn recorded
    assert not named(events, "DirectActionFailed")


def test_redelivery_returns_the_first_reply_and_writes_nothing(container: Container) -> None:
    service = container.service
    first = say(service, "Bonjour", message_id="wamid.1")
    size = log_size(container)
    again = say(service, "Bonjour", message_id="wamid.1")
    assert again.duplicate and not first.duplicate
    assert again.reply == first.reply
    assert again.session_id == first.session_id
    assert log_size(container) == size


def test_redelivery_is_recognised_forever_not_for_a_window(container: Container, clock: FakeClock) -> None:
    service = container.service
    first = say(service, "mes chantiers", message_id="wamid.old")
    clock.advance(days=30)
    say(service, "Bonjour")  # a new session meanwhile
    size = log_size(container)
    again = say(service, "mes chantiers", message_id="wamid.old")
    assert again.duplicate and again.reply == first.reply
    assert log_size(container) == size


def test_a_press_of_a_site_that_is_not_theirs_is_refused_clearly(container: Container) -> None:
    service = container.service
    sites = say(service, "mes chantiers", message_id="list")
    refused = press(service, "project.OLD-9", "Les Tilleuls", message_id="stale")
    assert refused.session_id == sites.session_id
    assert "plus disponible" in refused.reply["text"]
    assert choice_ids(refused) == ["menu.sites", "menu.help"]
    events = [e for e in recorded(container) if e.message_id == "stale"]
    names = [type(e).__name__ for e in events]
    assert names == ["ButtonPressed", "ToolOutputRecorded", "DirectActionFailed", "ReplySent"]
    assert events[2].reason == "not_found"


def test_an_unknown_payload_falls_back_to_the_pipeline_with_its_title(container: Container) -> None:
    service = container.service
    say(service, "mes chantiers", message_id="list")
    # A payload the bot never uses (a template's quick reply), titled with a site it listed.
    fallback = press(service, "weird-payload", "Les Tilleuls", message_id="weird")
    assert choice_ids(fallback)[0] == "task.T-TIL-01"
    events = [e for e in recorded(container) if e.message_id == "weird"]
    names = [type(e).__name__ for e in events]
    assert names == [
        "ButtonPressed",
        "DirectActionFailed",
        "IntentClassified",
        "ToolOutputRecorded",
        "ReplySent",
    ]
    assert events[1].reason == "unknown_choice"
    assert events[2].intent == "select"
    assert events[2].arguments["choice_id"] == "project.P-TIL"


def test_numbers_and_names_refer_to_the_last_list(container: Container) -> None:
    service = container.service
    say(service, "mes chantiers")
    tasks = say(service, "le deuxième")
    assert "Groupe scolaire Jean Jaurès" in tasks.reply["text"]
    task = say(service, "3")
    assert "Alarme incendie classes" in task.reply["text"]
    done = say(service, "c'est fait")
    assert "Terminé" in done.reply["text"]
    assert container.directory.task_of("S-001", "T-JAU-03").status == "done"


def test_problem_report_asks_then_files_once(container: Container) -> None:
    service = container.service
    say(service, "mes chantiers")
    say(service, "tilleuls")
    asked = say(service, "signaler un problème")
    assert "Décrivez" in asked.reply["text"]
    filed = say(service, "Fuite d'eau au plafond du hall B", message_id="describe")
    assert "problème n°" in filed.reply["text"]
    tool = [e for e in named(recorded(container), "ToolOutputRecorded") if e.message_id == "describe"]
    assert tool[0].tool == "report_problem"
    assert tool[0].arguments["description"] == "Fuite d'eau au plafond du hall B"


def test_english_speaker_gets_english(container: Container) -> None:
    service = container.service
    hello = say(service, "hi", sender=JAMES)
    assert hello.reply["text"].startswith("Hello James")
    sites = say(service, "my sites", sender=JAMES)
    assert choice_ids(sites) == ["project.P-CON", "project.P-PDU"]
    assert sites.reply["style"] == "buttons"


def test_a_subcontractor_never_reaches_another_ones_site(container: Container) -> None:
    service = container.service
    sophies = say(service, "mes chantiers", sender=SOPHIE)
    assert "project.P-VAL" in choice_ids(sophies)
    say(service, "mes chantiers")
    # Karim presses a site he was never offered and is not assigned to.
    outcome = press(service, "project.P-VAL", "Éco-quartier du Vallon")
    assert "Éco-quartier" not in outcome.reply["text"]
    assert all(not c.startswith("task.T-VAL") for c in choice_ids(outcome))
    # Even a global path cannot list it, and tools refuse it directly.
    assert container.directory.site_of("S-001", "P-VAL") is None
    assert container.directory.site_tasks("S-001", "P-VAL") is None
    change = TaskStatusChange("x", "S-001", "T-VAL-51", "done", container.service._clock())
    assert container.directory.apply_change(change) is False
    assert container.directory.task_of("S-002", "T-VAL-51").status != "done"


def test_unregistered_number_gets_a_polite_reply_on_record(container: Container) -> None:
    outcome = say(container.service, "Bonjour", sender="+33699999999", message_id="stranger")
    assert "pas enregistré" in outcome.reply["text"]
    events = recorded(container, "+33699999999")
    assert [type(e).__name__ for e in events] == [
        "Started",
        "SessionOpened",
        "MessageReceived",
        "SenderNotRegistered",
        "ReplySent",
    ]
    assert events[0].subcontractor_id is None


def test_idle_rollover_with_the_injected_clock(container: Container, clock: FakeClock) -> None:
    service = container.service
    first = say(service, "Bonjour")
    clock.advance(minutes=59)
    same = say(service, "mes chantiers")
    clock.advance(minutes=61)
    rolled = say(service, "2", message_id="after-idle")
    assert same.session_id == first.session_id
    assert rolled.session_id != first.session_id
    # "2" is the second site of the list still on the screen, shown in the old session.
    assert choice_ids(rolled)[0].startswith("task.T-JAU")
    closed = named(recorded(container), "SessionClosed")
    assert len(closed) == 1
    assert closed[0].reason == "idle_timeout"
    assert closed[0].closed_at == clock.now - timedelta(minutes=1)
    assert closed[0].message_id == "after-idle"


def test_reset_starts_a_new_session(container: Container) -> None:
    service = container.service
    first = say(service, "mes chantiers")
    reset = say(service, "recommencer")
    assert reset.session_id != first.session_id
    closed = named(recorded(container), "SessionClosed")
    assert [e.reason for e in closed] == ["user_reset"]


def test_a_change_is_applied_once_by_its_change_id(container: Container) -> None:
    directory = container.directory
    now = container.service._clock()
    assert directory.task_of("S-001", "T-TIL-03").status == "todo"
    assert directory.apply_change(TaskStatusChange("change-a", "S-001", "T-TIL-03", "done", now))
    assert directory.apply_change(TaskStatusChange("change-b", "S-001", "T-TIL-03", "in_progress", now))
    # Applying the first change again (its follower catching up) must not undo the later one.
    assert directory.apply_change(TaskStatusChange("change-a", "S-001", "T-TIL-03", "done", now))
    assert directory.task_of("S-001", "T-TIL-03").status == "in_progress"
    report = ProblemReportFiling("change-c", "AAAA-BBBB", "S-001", "P-TIL", "fuite", now)
    assert directory.apply_change(report)
    assert directory.apply_change(report)
    rows = container.database.fetch_all("SELECT reference FROM problem_reports WHERE change_id = 'change-c'")
    assert [row["reference"] for row in rows] == ["AAAA-BBBB"]


def test_long_history_loads_from_a_snapshot_to_the_same_state(settings: Settings, clock: FakeClock) -> None:
    settings = settings.model_copy(update={"snapshot_interval": 10, "aggregate_cache_size": 0})
    container = build(settings, clock=clock)
    try:
        for n in range(15):
            say(container.service, "mes chantiers" if n % 2 else "1")
        conversation = container.store.conversation(KARIM)
        assert conversation is not None
        snapshots = list(container.store.snapshots.get(conversation_id_for(KARIM)))  # type: ignore[union-attr]
        assert snapshots, "snapshots were taken"
        assert snapshots[-1].originator_version <= conversation.version
        replayed = None
        for event in recorded(container):
            replayed = event.mutate(replayed)
        assert vars(replayed) == vars(conversation)
    finally:
        container.close()


def test_the_receipt_and_the_turn_are_one_transaction(container: Container) -> None:
    """A turn that loses the race writes nothing, not even its receipt."""
    service = container.service
    say(service, "Bonjour")
    stale = container.store.conversation(KARIM)
    assert stale is not None
    say(service, "menu")  # another writer moves the conversation on meanwhile
    size = log_size(container)

    inbound = Inbound(channel="generic", message_id="loser", sender=KARIM, text="aide")
    karim = container.directory.find_subcontractor(KARIM)
    reply = service._pipeline.play(stale, inbound, karim, service._clock())
    receipt = MessageReceipt(
        channel="generic",
        provider_message_id="loser",
        conversation_id=stale.id,
        session_id=stale.open_session["id"],
        reply=reply,
        scoped_to_sender=True,
    )
    with pytest.raises(IntegrityError):
        container.store.record_turn(stale, receipt)
    assert log_size(container) == size
    assert container.store.receipt(receipt_id_of(inbound, stale.id)) is None
    # The service's own retry path then handles the message for real, once.
    assert not say(service, "aide", message_id="loser").duplicate
    assert say(service, "aide", message_id="loser").duplicate


def test_a_late_redelivery_changes_nothing_even_where_the_focus_moved(container: Container) -> None:
    service = container.service
    for text in ("mes chantiers", "tilleuls", "3"):
        say(service, text)
    first = say(service, "c'est fait", message_id="done-1")
    assert container.directory.task_of("S-001", "T-TIL-03").status == "done"
    for text in ("mes chantiers", "tilleuls", "4"):  # now "Éclairage parking" is in focus
        say(service, text)
    size = log_size(container)
    again = say(service, "c'est fait", message_id="done-1")
    assert again.duplicate
    assert again.reply == first.reply
    assert container.directory.task_of("S-001", "T-TIL-04").status == "todo"
    assert log_size(container) == size
