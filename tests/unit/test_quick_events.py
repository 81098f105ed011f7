"""Events a conversation triggers are the library's events, made faster (domain/quick_events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import DatetimeAsISO, UUIDAsHex

from application.replies import choice, compose
from application.transcoding import ConvoTranscoder
from domain.conversation import Conversation
from domain.quick_events import QuickEvents, _template

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _new(contact: str) -> Conversation:
    return Conversation(contact=contact, subcontractor_id="S-1", language="fr", message_id="m-0", at=T0)


def _library_made(aggregate: Conversation, event_class: type[Any], **kwargs: Any) -> Any:
    """The same event as the library's own trigger_event makes it."""
    Aggregate.trigger_event(aggregate, event_class, **kwargs)
    return aggregate.collect_events()[-1]


def _a_turn(conversation: Conversation) -> list[Any]:
    conversation.begin_turn(message_id="m-1", at=T0, idle_timeout=None)
    conversation.receive_message(message_id="m-1", text="Bonjour", at=T0)
    reply = compose("Vos chantiers :", [choice("project.P1", "Hôtel de ville", "Lyon")])
    conversation.send_reply(
        message_id="m-1", reply=reply, listing_kind="sites", focus={}, awaiting=None, at=T0
    )
    return list(conversation.collect_events())


def test_an_event_is_the_library_event_field_for_field_and_in_order() -> None:
    transcoder = ConvoTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO()):
        transcoder.register(transcoding)
    quick, library = _new("+33600000001"), _new("+33600000001")
    quick.collect_events()
    library.collect_events()
    quick_events = _a_turn(quick)
    assert len(quick_events) >= 2
    library.begin_turn(message_id="m-1", at=T0, idle_timeout=None)
    library.collect_events()
    for made in quick_events[-2:]:
        fields = {k: v for k, v in made.__dict__.items() if k not in ("originator_id", "originator_version")}
        expected = _library_made(library, type(made), **fields)
        assert type(made) is type(expected)
        assert list(made.__dict__.items()) == list(expected.__dict__.items())
        assert transcoder.encode(made.__dict__) == transcoder.encode(expected.__dict__)
    assert quick.version == library.version


def test_defaults_are_filled_and_the_timestamp_is_made_when_not_given() -> None:
    conversation = _new("+33600000002")
    conversation.begin_turn(message_id="m-1", at=T0, idle_timeout=None)
    conversation.press_button(message_id="m-1", choice_id="menu.sites", title="Mes chantiers", at=T0)
    pressed = conversation.collect_events()[-1]
    assert isinstance(pressed, Conversation.ButtonPressed)
    assert pressed.offered_in_session is None  # not offered: the default
    assert pressed.timestamp.tzinfo is not None
    assert pressed.originator_version == conversation.version


def test_unknown_or_missing_arguments_are_refused_as_the_library_refuses_them() -> None:
    conversation = _new("+33600000003")
    conversation.begin_turn(message_id="m-1", at=T0, idle_timeout=None)
    version = conversation.version
    with pytest.raises(TypeError):
        conversation.trigger_event(
            Conversation.MessageReceived, session_id="s", message_id="m", text="t", at=T0, x=1
        )
    with pytest.raises(TypeError):
        conversation.trigger_event(Conversation.MessageReceived, session_id="s", message_id="m")
    assert conversation.version == version


class _Checked(QuickEvents):
    @dataclass(frozen=True)
    class Noted(Aggregate.Event):
        note: str

        def __post_init__(self) -> None:
            if not self.note:
                raise ValueError("an empty note")


def test_an_event_that_checks_itself_is_made_by_the_library() -> None:
    assert _template(_Checked.Noted) is None
    assert _template(Conversation.ReplySent) is not None
    checked = _Checked()
    with pytest.raises(ValueError, match="empty note"):
        checked.trigger_event(_Checked.Noted, note="")
