"""The Conversation aggregate's own rules, without any storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Snapshot

from application.replies import choice, compose
from domain.conversation import Conversation, NoOpenSessionError
from domain.identity import conversation_id_for, session_id_for

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
HOUR = timedelta(minutes=60)


def started(contact: str = "+33600000001") -> Conversation:
    return Conversation(contact=contact, subcontractor_id="S-001", language="fr", message_id="m-0", at=T0)


def turn(conversation: Conversation, message_id: str, at: datetime, offered: list[str] | None = None) -> None:
    conversation.begin_turn(message_id=message_id, at=at, idle_timeout=HOUR)
    conversation.receive_message(message_id=message_id, text="Bonjour", at=at)
    reply = compose("ok", [choice(c, c) for c in offered or []])
    conversation.send_reply(
        message_id=message_id, reply=reply, listing_kind=None, focus={}, awaiting=None, at=at
    )


def event_names(conversation: Conversation) -> list[str]:
    return [type(e).__name__ for e in conversation.collect_events()]


def test_id_is_a_pure_function_of_the_contact() -> None:
    assert started().id == conversation_id_for("+33600000001")
    assert started("+447700900001").id != started().id


def test_first_turn_opens_one_session_and_every_event_names_it() -> None:
    conversation = started()
    turn(conversation, "m-1", T0)
    events = conversation.collect_events()
    assert [type(e).__name__ for e in events] == ["Started", "SessionOpened", "MessageReceived", "ReplySent"]
    session_id = str(session_id_for(conversation.id, 1))
    assert all(e.session_id == session_id for e in events[1:])  # type: ignore[attr-defined]
    assert [e.message_id for e in events] == ["m-0"] + ["m-1"] * 3  # type: ignore[attr-defined]


def test_turn_within_the_timeout_stays_in_the_session() -> None:
    conversation = started()
    turn(conversation, "m-1", T0)
    turn(conversation, "m-2", T0 + HOUR)  # exactly the timeout is still the same session
    assert conversation.sessions_opened == 1
    assert "SessionOpened" not in event_names(conversation)[4:]


def test_idle_rollover_closes_at_last_activity_plus_timeout_in_the_same_turn() -> None:
    conversation = started()
    turn(conversation, "m-1", T0)
    turn(conversation, "m-2", T0 + timedelta(minutes=20))
    conversation.collect_events()
    later = T0 + timedelta(minutes=20) + HOUR + timedelta(seconds=1)
    turn(conversation, "m-3", later)
    events = conversation.collect_events()
    assert [type(e).__name__ for e in events] == [
        "SessionClosed",
        "SessionOpened",
        "MessageReceived",
        "ReplySent",
    ]
    closed, opened = events[0], events[1]
    assert closed.reason == "idle_timeout"  # type: ignore[attr-defined]
    assert closed.closed_at == T0 + timedelta(minutes=20) + HOUR  # type: ignore[attr-defined]
    assert closed.message_id == opened.message_id == "m-3"  # type: ignore[attr-defined]
    assert opened.session_id == str(session_id_for(conversation.id, 2))  # type: ignore[attr-defined]
    assert conversation.open_session["number"] == 2


def test_user_reset_closes_and_opens_a_session() -> None:
    conversation = started()
    turn(conversation, "m-1", T0, offered=["menu.sites"])
    first = conversation.open_session["id"]
    conversation.reset_session(message_id="m-2", at=T0 + timedelta(minutes=1))
    assert conversation.open_session["id"] != first
    # What the old session offered is still on the person's screen, and still known.
    assert conversation.offered_choice("menu.sites") is not None
    names = event_names(conversation)
    assert names[-2:] == ["SessionClosed", "SessionOpened"]


def test_recording_outside_a_turn_is_refused() -> None:
    conversation = started()
    with pytest.raises(NoOpenSessionError):
        conversation.receive_message(message_id="m-1", text="hi", at=T0)


def test_button_press_records_which_turn_offered_the_choice() -> None:
    conversation = started()
    turn(conversation, "m-1", T0, offered=["menu.sites"])
    conversation.begin_turn(message_id="m-2", at=T0, idle_timeout=HOUR)
    conversation.press_button(message_id="m-2", choice_id="menu.sites", title="Mes chantiers", at=T0)
    conversation.press_button(message_id="m-2", choice_id="project.X", title="?", at=T0)
    presses = [e for e in conversation.collect_events() if type(e).__name__ == "ButtonPressed"]
    assert [p.offered_by for p in presses] == ["m-1", None]  # type: ignore[attr-defined]
    first_session = conversation.open_session["id"]
    assert [p.offered_in_session for p in presses] == [first_session, None]  # type: ignore[attr-defined]


def test_a_press_after_an_idle_rollover_knows_the_earlier_session_offered_it() -> None:
    conversation = started()
    turn(conversation, "m-1", T0, offered=["project.P-TIL", "project.P-CON"])
    first_session = conversation.open_session["id"]
    later = T0 + 3 * HOUR
    conversation.begin_turn(message_id="m-2", at=later, idle_timeout=HOUR)
    assert conversation.open_session["id"] != first_session
    conversation.press_button(message_id="m-2", choice_id="project.P-CON", title="Bureaux", at=later)
    press = conversation.collect_events()[-1]
    assert press.offered_by == "m-1"  # type: ignore[attr-defined]
    assert press.offered_in_session == first_session  # type: ignore[attr-defined]


def test_typed_references_reach_an_earlier_list_only_while_it_is_recent() -> None:
    conversation = started()
    turn(conversation, "m-1", T0, offered=["project.P-TIL", "project.P-CON"])
    day = timedelta(days=1)
    conversation.begin_turn(message_id="m-2", at=T0 + 3 * HOUR, idle_timeout=HOUR)
    listing = conversation.listing_to_refer_to(T0 + 3 * HOUR, day)
    assert listing is not None and [c["id"] for c in listing["items"]] == ["project.P-TIL", "project.P-CON"]
    assert conversation.listing_to_refer_to(T0 + day + HOUR, day) is None


def test_a_snapshot_taken_before_offers_outlived_sessions_still_loads() -> None:
    conversation = started()
    turn(conversation, "m-1", T0, offered=["project.P-TIL"])
    state = dict(vars(conversation))
    session = dict(state["session"])
    # As version 1 kept them: inside the open session.
    session["offered"] = {
        "project.P-TIL": {"choice": {"id": "project.P-TIL", "title": "T"}, "offered_by": "m-1"}
    }
    session["listing"] = {"kind": "sites", "items": [{"id": "project.P-TIL", "title": "T"}]}
    state["session"] = session
    for name in ("offers", "last_listing", "seen_task_status"):
        del state[name]
    Conversation.upcast_v1_v2(state)
    assert state["offers"]["project.P-TIL"]["session_id"] == session["id"]
    assert state["last_listing"]["shown_at"] == session["last_activity_at"]
    assert "offered" not in state["session"] and "listing" not in state["session"]


def test_state_stays_bounded_however_long_the_session() -> None:
    conversation = started()
    for n in range(200):
        at = T0 + timedelta(seconds=n)
        turn(conversation, f"m-{n}", at, offered=[f"task.{n}.{k}" for k in range(10)])
        conversation.classify_intent(message_id=f"m-{n}", intent="select", arguments={}, confidence=1.0)
    session = conversation.open_session
    assert len(conversation.offers) == Conversation.MAX_OFFERED_CHOICES
    assert "task.199.9" in conversation.offers
    assert "task.0.0" not in conversation.offers
    assert len(session["recent_intents"]) == Conversation.MAX_RECENT_INTENTS


def test_replay_and_snapshot_rebuild_the_same_state() -> None:
    conversation = started()
    for n in range(5):
        turn(conversation, f"m-{n}", T0 + timedelta(hours=2 * n), offered=["menu.sites"])
    events = conversation.collect_events()
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert vars(replayed) == vars(conversation)

    # The snapshot goes through the same JSON transcoding the store uses.
    app: Application = Application(env={"IS_SNAPSHOTTING_ENABLED": "y"})
    mapper = app.mapper
    snapshot = Conversation.Snapshot.take(conversation)
    assert isinstance(snapshot, Snapshot)
    restored = mapper.to_domain_event(mapper.to_stored_event(snapshot)).mutate(None)
    assert vars(restored) == vars(conversation)
    assert restored.open_session["number"] == 5


def test_a_copy_shares_no_mutable_state() -> None:
    import copy

    conversation = started()
    turn(conversation, "m-1", T0, offered=["menu.sites"])
    conversation.collect_events()
    copied = copy.deepcopy(conversation)
    assert vars(copied) == vars(conversation)
    turn(copied, "m-2", T0 + timedelta(minutes=1), offered=["project.P-TIL"])
    assert "project.P-TIL" in copied.offers
    assert "project.P-TIL" not in conversation.offers
    assert conversation.open_session["turns"] == 1
    assert conversation.version == 4


def test_replies_recorded_before_channels_sent_them_still_replay() -> None:
    conversation = started()
    turn(conversation, "m-1", T0, offered=["menu.sites"])
    events = conversation.collect_events()
    reply = events[-1]
    assert type(reply).__name__ == "ReplySent"
    assert (reply.channel, reply.reply_to) == ("generic", None)  # type: ignore[attr-defined]
    # As stored before the fields existed.
    del reply.__dict__["channel"], reply.__dict__["reply_to"]
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Conversation)
    assert replayed.last_listing is not None
    assert replayed.open_session["turns"] == 1
