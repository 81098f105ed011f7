"""The Conversation aggregate: one per subcontractor, holding at most one open session."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import conversation_id_for, session_id_for
from domain.quick_events import QuickEvents
from domain.values import (
    Choice,
    Exchange,
    LastChange,
    Listing,
    OfferedChoice,
    OpenSession,
    PendingConfirmation,
    Reply,
)


class NoOpenSessionError(Exception):
    """A turn's event was recorded before the turn began: a programming error."""


class UnidentifiedSenderError(Exception):
    """A change to the world was decided for a sender the directory does not know: a programming error."""


class Conversation(QuickEvents):
    """Everything a subcontractor and the bot said to each other, as facts.

    State is bounded: the open session's context is kept, earlier sessions are
    only counted, so loading does not grow with years of history.
    """

    MAX_OFFERED_CHOICES = 60
    MAX_RECENT_INTENTS = 10
    MAX_SEEN_TASKS = 200
    MAX_EXCHANGES = 5  # what a model reading the conversation gets of it
    EXCHANGE_CHARS = 300
    # 2: what was offered and shown outlives its session (buttons stay on the phone's screen).
    # 3: a conversation can be erased, and restarted by its number.
    # 4: the version at which the person writing now began (`subject_since`).
    class_version = 4

    @staticmethod
    def create_id(contact: str) -> UUID:
        return conversation_id_for(contact)

    @event("Started")
    def __init__(
        self,
        contact: str,
        subcontractor_id: str | None,
        language: str,
        message_id: str,
        at: datetime,
    ) -> None:
        self.contact = contact
        self.subcontractor_id = subcontractor_id
        self.language = language
        self.started_at = at
        self.session: OpenSession | None = None
        self.sessions_opened = 0
        self.messages_handled = 0
        # What the person still has on screen, whichever session showed it: bounded.
        self.offers: dict[str, OfferedChoice] = {}
        self.last_listing: Listing | None = None
        self.seen_task_status: dict[str, str] = {}  # task id -> the status last shown
        self.erased = False
        # The version of the event that began the subject writing now (Started, or the Restarted
        # after an erasure): keys a process holds for an earlier subject must not seal its events.
        self.subject_since = 1

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken when offers and the listing lived and died with their session."""
        session = state.get("session")
        offers: dict[str, OfferedChoice] = {}
        listing = None
        if session is not None:
            for choice_id, offered in session.pop("offered", {}).items():
                offers[choice_id] = OfferedChoice(
                    choice=offered["choice"], offered_by=offered["offered_by"], session_id=session["id"]
                )
            shown = session.pop("listing", None)
            if shown is not None:
                listing = Listing(
                    kind=shown["kind"],
                    items=shown["items"],
                    shown_at=session["last_activity_at"],
                    session_id=session["id"],
                )
        state["offers"] = offers
        state["last_listing"] = listing
        state["seen_task_status"] = {}

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["erased"] = False

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        # Not known from such a snapshot: 0 matches no subject, so the keys held for it are read again.
        state["subject_since"] = 0

    # -- commands: decide which facts to record; never replayed ---------------

    def begin_turn(self, *, message_id: str, at: datetime, idle_timeout: timedelta) -> str:
        """Makes sure an open session will hold this turn; rolls over an idle one."""
        session = self.session
        if session is not None and at - session["last_activity_at"] > idle_timeout:
            self._close_session(
                session_id=session["id"],
                reason="idle_timeout",
                closed_at=session["last_activity_at"] + idle_timeout,
                message_id=message_id,
            )
        if self.session is None:
            self._open_new_session(message_id=message_id, at=at)
        return self.open_session["id"]

    def reset_session(self, *, message_id: str, at: datetime) -> str:
        """The user asked to start over: close the open session, open a fresh one."""
        self._close_session(
            session_id=self.open_session["id"],
            reason="user_reset",
            closed_at=at,
            message_id=message_id,
        )
        self._open_new_session(message_id=message_id, at=at)
        return self.open_session["id"]

    def identify(self, *, subcontractor_id: str, language: str, message_id: str) -> None:
        if subcontractor_id != self.subcontractor_id or language != self.language:
            self._identified(subcontractor_id=subcontractor_id, language=language, message_id=message_id)

    def receive_message(self, *, message_id: str, text: str, at: datetime) -> None:
        self.trigger_event(
            self.MessageReceived, session_id=self.open_session["id"], message_id=message_id, text=text, at=at
        )

    def press_button(self, *, message_id: str, choice_id: str, title: str, at: datetime) -> None:
        """A press, with the reply that offered its choice when the bot offered it (in any session)."""
        offered = self.offers.get(choice_id)
        self.trigger_event(
            self.ButtonPressed,
            session_id=self.open_session["id"],
            message_id=message_id,
            choice_id=choice_id,
            title=title,
            offered_by=offered["offered_by"] if offered else None,
            at=at,
            offered_in_session=offered["session_id"] if offered else None,
        )

    def receive_unsupported(self, *, message_id: str, kind: str, at: datetime) -> None:
        """A message the bot cannot read (an image, a location...): on record, and answered."""
        self._unsupported_received(
            session_id=self.open_session["id"], message_id=message_id, kind=kind, at=at
        )

    def fail_direct_action(self, *, message_id: str, choice_id: str, reason: str) -> None:
        self.trigger_event(
            self.DirectActionFailed,
            session_id=self.open_session["id"],
            message_id=message_id,
            choice_id=choice_id,
            reason=reason,
        )

    def classify_intent(
        self,
        *,
        message_id: str,
        intent: str,
        arguments: dict[str, Any],
        confidence: float,
        understood_by: dict[str, Any] | None = None,
    ) -> None:
        """What the message was taken to mean; `understood_by` says by which layer, with which
        entities, model and latency, so a replay never asks a model again."""
        self.trigger_event(
            self.IntentClassified,
            session_id=self.open_session["id"],
            message_id=message_id,
            intent=intent,
            arguments=arguments,
            confidence=confidence,
            understood_by=understood_by,
        )

    def ask_confirmation(self, *, message_id: str, action: dict[str, str]) -> None:
        """A write the bot was not sure enough of: it asks yes or no, and waits one turn."""
        self._confirmation_requested(session_id=self.open_session["id"], message_id=message_id, action=action)

    def answer_confirmation(self, *, message_id: str, accepted: bool) -> dict[str, str] | None:
        """Records the answer to the pending question; returns its action if accepted."""
        pending = self.pending_confirmation
        if pending is None:
            return None
        self._confirmation_answered(
            session_id=self.open_session["id"], message_id=message_id, accepted=accepted
        )
        return dict(pending["action"]) if accepted else None

    def record_tool_output(
        self,
        *,
        message_id: str,
        tool: str,
        arguments: dict[str, Any],
        output: Any,
        succeeded: bool,
    ) -> None:
        self.trigger_event(
            self.ToolOutputRecorded,
            session_id=self.open_session["id"],
            message_id=message_id,
            tool=tool,
            arguments=arguments,
            output=output,
            succeeded=succeeded,
        )

    def decide_task_status(
        self,
        *,
        message_id: str,
        change_id: str,
        task_id: str,
        status: str,
        previous_status: str,
        at: datetime,
    ) -> None:
        """The turn sets a task's status: applied to the directory once this event is committed."""
        self._task_status_change_decided(
            session_id=self.open_session["id"],
            message_id=message_id,
            change_id=change_id,
            subcontractor_id=self._identified_subcontractor(),
            task_id=task_id,
            status=status,
            previous_status=previous_status,
            at=at,
        )

    def decide_problem_report(
        self,
        *,
        message_id: str,
        change_id: str,
        reference: str,
        project_id: str,
        description: str,
        at: datetime,
        photos: list[dict[str, str]] | None = None,
    ) -> None:
        """The turn files a problem report: filed once this event is committed. `photos`: our
        media ids (with kind and type) of what was sent with it."""
        self._problem_report_decided(
            session_id=self.open_session["id"],
            message_id=message_id,
            change_id=change_id,
            reference=reference,
            subcontractor_id=self._identified_subcontractor(),
            project_id=project_id,
            description=description,
            at=at,
            photos=photos or [],
        )

    def receive_media(
        self,
        *,
        message_id: str,
        media_id: str,
        kind: str,
        mime_type: str,
        size: int | None,
        sha256: str | None,
        caption: str | None,
        provider_media_id: str,
        filename: str | None,
        channel: str,
        reply_to: dict[str, str] | None,
        at: datetime,
    ) -> None:
        """A photo, voice note, file...: what the provider said of it, never the bytes. The
        media fetcher follows these events; `reply_to` lets its follow-up turn answer later."""
        self._media_received(
            session_id=self.open_session["id"],
            message_id=message_id,
            media_id=media_id,
            kind=kind,
            mime_type=mime_type,
            size=size,
            sha256=sha256,
            caption=caption,
            provider_media_id=provider_media_id,
            filename=filename,
            channel=channel,
            reply_to=reply_to,
            at=at,
        )

    def record_media_stored(
        self, *, message_id: str, media_id: str, sha256: str, size: int, mime_type: str
    ) -> None:
        self._media_stored(
            message_id=message_id, media_id=media_id, sha256=sha256, size=size, mime_type=mime_type
        )

    def record_media_fetch_failed(self, *, message_id: str, media_id: str, reason: str) -> None:
        self._media_fetch_failed(message_id=message_id, media_id=media_id, reason=reason)

    def transcribe_voice_note(
        self,
        *,
        message_id: str,
        media_id: str,
        text: str,
        model: str,
        latency_ms: float,
        language: str | None,
        at: datetime,
    ) -> None:
        """What a voice note said, heard once: a replay reads it here and never asks the model."""
        self._voice_note_transcribed(
            session_id=self.open_session["id"],
            message_id=message_id,
            media_id=media_id,
            text=text,
            model=model,
            latency_ms=latency_ms,
            language=language,
            at=at,
        )

    def fail_voice_note(self, *, message_id: str, media_id: str, reason: str, at: datetime) -> None:
        self._voice_note_not_transcribed(
            session_id=self.open_session["id"], message_id=message_id, media_id=media_id, reason=reason, at=at
        )

    def receive_reaction(
        self, *, message_id: str, emoji: str, to_message: str, reacted_to: str | None, at: datetime
    ) -> None:
        """`to_message`: the provider's id of the message reacted to; `reacted_to`: the id of the
        message whose turn sent it, when it was one of ours."""
        self._reaction_received(
            session_id=self.open_session["id"],
            message_id=message_id,
            emoji=emoji,
            to_message=to_message,
            reacted_to=reacted_to,
            at=at,
        )

    def receive_location(
        self,
        *,
        message_id: str,
        latitude: float,
        longitude: float,
        name: str | None,
        address: str | None,
        at: datetime,
    ) -> None:
        self._location_received(
            session_id=self.open_session["id"],
            message_id=message_id,
            latitude=latitude,
            longitude=longitude,
            name=name,
            address=address,
            at=at,
        )

    def receive_other(self, *, message_id: str, kind: str, detail: dict[str, str], at: datetime) -> None:
        """Contact cards, an order, an edit, a first "hello", a provider's note: on record."""
        self._other_received(
            session_id=self.open_session["id"], message_id=message_id, kind=kind, detail=detail, at=at
        )

    def decide_number_change(self, *, message_id: str, change_id: str, new_number: str, at: datetime) -> None:
        """The provider says the person writes from another number now: the directory follows
        once this event is committed (or flags it, when the number is already someone's)."""
        self._phone_number_change_decided(
            session_id=self.open_session["id"],
            message_id=message_id,
            change_id=change_id,
            subcontractor_id=self._identified_subcontractor(),
            old_number=self.contact,
            new_number=new_number,
            at=at,
        )

    def refuse_unregistered_sender(self, *, message_id: str) -> None:
        self._sender_not_registered(session_id=self.open_session["id"], message_id=message_id)

    def send_reply(
        self,
        *,
        message_id: str,
        reply: Reply,
        listing_kind: str | None,
        focus: dict[str, str],
        awaiting: str | None,
        at: datetime,
        channel: str = "generic",
        reply_to: dict[str, str] | None = None,
    ) -> None:
        self.trigger_event(
            self.ReplySent,
            session_id=self.open_session["id"],
            message_id=message_id,
            reply=reply,
            listing_kind=listing_kind,
            focus=focus,
            awaiting=awaiting,
            at=at,
            channel=channel,
            reply_to=reply_to,
        )

    def erase(self, *, at: datetime) -> None:
        """The person's data is being erased: from here on the conversation holds nothing of it.

        Recorded before their keys are destroyed, so a turn racing the erasure either
        commits first (and is shredded with the rest) or conflicts and finds it erased.
        """
        self._erased(at=at)

    def restart(
        self, *, contact: str, subcontractor_id: str | None, language: str, message_id: str, at: datetime
    ) -> None:
        """A number that was erased writes again: a new subject, starting from nothing."""
        self._restarted(
            contact=contact,
            subcontractor_id=subcontractor_id,
            language=language,
            message_id=message_id,
            at=at,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Conversation:
        # Every command works on a copy from the aggregate cache. The state is
        # JSON-like (dicts, lists, immutable leaves), which copies several times
        # faster than copy.deepcopy's general walk.
        copied = object.__new__(type(self))
        copied.__dict__.update({name: _copied(value) for name, value in self.__dict__.items()})
        return copied

    # -- queries ---------------------------------------------------------------

    @property
    def last_change(self) -> LastChange | None:
        """The status the turn before wrote, while no other turn came after it."""
        return self.session.get("last_change") if self.session is not None else None

    @property
    def status_awaiting_task(self) -> str | None:
        """A status said without its task ("c'est fini"), the task asked for in the last turn."""
        return self.session.get("status_awaiting_task") if self.session is not None else None

    @property
    def open_session(self) -> OpenSession:
        if self.session is None:
            raise NoOpenSessionError(f"conversation {self.id} has no open session")
        return self.session

    def offered_choice(self, choice_id: str) -> OfferedChoice | None:
        """Where a choice was offered last, in this session or an earlier one; None if never."""
        return self.offers.get(choice_id)

    def listing_to_refer_to(self, at: datetime, max_age: timedelta) -> Listing | None:
        """What "3" or a typed name refers to: the last list shown, in this session or, while
        it is recent, in an earlier one (it is still on the person's screen)."""
        listing = self.last_listing
        if listing is None:
            return None
        if self.session is not None and listing["session_id"] == self.session["id"]:
            return listing
        return listing if at - listing["shown_at"] <= max_age else None

    @property
    def exchanges(self) -> list[Exchange]:
        """The last few things said in the open session and what the bot answered."""
        return list(self.session.get("exchanges", [])) if self.session is not None else []

    @property
    def pending_confirmation(self) -> PendingConfirmation | None:
        """The yes/no question asked by the previous turn of the open session, if any."""
        return self.session.get("pending") if self.session is not None else None

    def status_seen(self, task_id: str) -> str | None:
        """The status the person was last shown for a task, if any."""
        return self.seen_task_status.get(task_id)

    def _identified_subcontractor(self) -> str:
        if self.subcontractor_id is None:
            raise UnidentifiedSenderError(f"conversation {self.id} has no subcontractor to act for")
        return self.subcontractor_id

    # -- events: deterministic bodies, they run again on every replay ----------

    def _open_new_session(self, *, message_id: str, at: datetime) -> None:
        number = self.sessions_opened + 1
        self._session_opened(
            session_id=str(session_id_for(self.id, number)),
            number=number,
            message_id=message_id,
            at=at,
        )

    @event("SessionOpened")
    def _session_opened(self, session_id: str, number: int, message_id: str, at: datetime) -> None:
        self.sessions_opened = number
        self.session = OpenSession(
            id=session_id,
            number=number,
            opened_at=at,
            last_activity_at=at,
            turns=0,
            focus={},
            awaiting=None,
            recent_intents=[],
        )

    @event("SessionClosed")
    def _close_session(self, session_id: str, reason: str, closed_at: datetime, message_id: str) -> None:
        self.session = None

    @event("SubcontractorIdentified")
    def _identified(self, subcontractor_id: str, language: str, message_id: str) -> None:
        self.subcontractor_id = subcontractor_id
        self.language = language

    # The events of every turn are declared classes, triggered directly: the @event decorator's
    # way (arguments matched to parameters when triggered and again when applied) costs about
    # 7 µs an event more. Their names, so their topics, are the ones the decorator gave them.

    class MessageReceived(Aggregate.Event):
        session_id: str
        message_id: str
        text: str
        at: datetime

        def apply(self, aggregate: Conversation) -> None:
            aggregate._remember_said(self.text)
            aggregate._touch(self.at)

    class ButtonPressed(Aggregate.Event):
        session_id: str
        message_id: str
        choice_id: str
        title: str
        offered_by: str | None
        at: datetime
        # Default: presses recorded when only the open session's offers counted.
        offered_in_session: str | None = None

        def apply(self, aggregate: Conversation) -> None:
            aggregate._remember_said(f"[{self.title}]")
            aggregate._touch(self.at)
            if aggregate.session is not None:
                aggregate.session.pop("last_change", None)  # a new turn: only its own write can be taken back

    @event("UnsupportedMessageReceived")
    def _unsupported_received(self, session_id: str, message_id: str, kind: str, at: datetime) -> None:
        self._touch(at)

    class DirectActionFailed(Aggregate.Event):
        """A press that could not be acted on directly: the message is understood another way."""

        session_id: str
        message_id: str
        choice_id: str
        reason: str

        def apply(self, aggregate: Conversation) -> None:
            pass  # on record only: what the press leads to is decided by the turn's next events

    class IntentClassified(Aggregate.Event):
        session_id: str
        message_id: str
        intent: str
        arguments: dict[str, Any]
        confidence: float
        # Default: decisions recorded before understanding had layers.
        understood_by: dict[str, Any] | None = None

        def apply(self, aggregate: Conversation) -> None:
            intent, arguments = self.intent, self.arguments
            session = aggregate.open_session
            recent = session["recent_intents"]
            recent.append(intent)
            del recent[: -aggregate.MAX_RECENT_INTENTS]
            if intent == "set_status" and arguments.get("status") and not arguments.get("task_id"):
                session["status_awaiting_task"] = str(arguments["status"])  # asked which task, next turn
            elif not (intent == "select" and str(arguments.get("choice_id", "")).startswith("project.")):
                # A site chosen is the way to the task: "fini" → which site? → "Tilleuls" → which task?
                session.pop("status_awaiting_task", None)
            session.pop("last_change", None)  # a new turn: only its own write can be taken back

    class ToolOutputRecorded(Aggregate.Event):
        session_id: str
        message_id: str
        tool: str
        arguments: dict[str, Any]
        output: Any
        succeeded: bool

        def apply(self, aggregate: Conversation) -> None:
            if self.succeeded:
                seen = aggregate.seen_task_status
                for task in _tasks_shown(self.tool, self.output):
                    seen.pop(task["id"], None)  # re-inserted last, so trimming drops the stalest
                    seen[task["id"]] = task["status"]
                for stale in list(seen)[: -aggregate.MAX_SEEN_TASKS]:
                    del seen[stale]

    class TaskStatusChangeDecided(Aggregate.Event):
        """Committed means decided: the directory applies it after, once (by `change_id`)."""

        session_id: str
        message_id: str
        change_id: str
        subcontractor_id: str
        task_id: str
        status: str
        previous_status: str
        at: datetime

    @event(TaskStatusChangeDecided)
    def _task_status_change_decided(
        self,
        session_id: str,
        message_id: str,
        change_id: str,
        subcontractor_id: str,
        task_id: str,
        status: str,
        previous_status: str,
        at: datetime,
    ) -> None:
        if self.session is not None and status != previous_status:
            change: LastChange = {"task_id": task_id, "status": status, "previous_status": previous_status}
            self.session["last_change"] = change

    class ProblemReportDecided(Aggregate.Event):
        """Committed means decided: the directory files it after, once (by `change_id`)."""

        session_id: str
        message_id: str
        change_id: str
        reference: str
        subcontractor_id: str
        project_id: str
        description: str
        at: datetime
        photos: list[dict[str, str]] | None = None  # None: decided before reports had photos

    @event(ProblemReportDecided)
    def _problem_report_decided(
        self,
        session_id: str,
        message_id: str,
        change_id: str,
        reference: str,
        subcontractor_id: str,
        project_id: str,
        description: str,
        at: datetime,
        photos: list[dict[str, str]] | None = None,
    ) -> None:
        pass

    class PhoneNumberChangeDecided(Aggregate.Event):
        """Committed means decided: the directory follows the new number after, once."""

        session_id: str
        message_id: str
        change_id: str
        subcontractor_id: str
        old_number: str
        new_number: str
        at: datetime

    @event(PhoneNumberChangeDecided)
    def _phone_number_change_decided(
        self,
        session_id: str,
        message_id: str,
        change_id: str,
        subcontractor_id: str,
        old_number: str,
        new_number: str,
        at: datetime,
    ) -> None:
        pass

    @event("MediaReceived")
    def _media_received(
        self,
        session_id: str,
        message_id: str,
        media_id: str,
        kind: str,
        mime_type: str,
        size: int | None,
        sha256: str | None,
        caption: str | None,
        provider_media_id: str,
        filename: str | None,
        channel: str,
        reply_to: dict[str, str] | None,
        at: datetime,
    ) -> None:
        self._remember_said(f"[{kind}] {caption}" if caption else f"[{kind}]")
        self._touch(at)

    # What became of a media: recorded by the fetcher's follow-up turn, which may not
    # begin a session of its own (it answers nothing when there is nothing to say).
    @event("MediaStored")
    def _media_stored(self, message_id: str, media_id: str, sha256: str, size: int, mime_type: str) -> None:
        pass

    @event("MediaFetchFailed")
    def _media_fetch_failed(self, message_id: str, media_id: str, reason: str) -> None:
        pass

    @event("VoiceNoteTranscribed")
    def _voice_note_transcribed(
        self,
        session_id: str,
        message_id: str,
        media_id: str,
        text: str,
        model: str,
        latency_ms: float,
        language: str | None,
        at: datetime,
    ) -> None:
        self._remember_said(text)
        self._touch(at)

    @event("VoiceNoteNotTranscribed")
    def _voice_note_not_transcribed(
        self, session_id: str, message_id: str, media_id: str, reason: str, at: datetime
    ) -> None:
        self._touch(at)

    @event("ReactionReceived")
    def _reaction_received(
        self,
        session_id: str,
        message_id: str,
        emoji: str,
        to_message: str,
        reacted_to: str | None,
        at: datetime,
    ) -> None:
        self._touch(at)

    @event("LocationReceived")
    def _location_received(
        self,
        session_id: str,
        message_id: str,
        latitude: float,
        longitude: float,
        name: str | None,
        address: str | None,
        at: datetime,
    ) -> None:
        self._touch(at)

    @event("OtherMessageReceived")
    def _other_received(
        self, session_id: str, message_id: str, kind: str, detail: dict[str, str], at: datetime
    ) -> None:
        self._touch(at)

    @event("ConfirmationRequested")
    def _confirmation_requested(self, session_id: str, message_id: str, action: dict[str, str]) -> None:
        self.open_session["pending"] = PendingConfirmation(action=dict(action), asked_by=message_id)

    @event("ConfirmationAnswered")
    def _confirmation_answered(self, session_id: str, message_id: str, accepted: bool) -> None:
        self.open_session.pop("pending", None)

    @event("SenderNotRegistered")
    def _sender_not_registered(self, session_id: str, message_id: str) -> None:
        pass

    class ReplySent(Aggregate.Event):
        session_id: str
        message_id: str
        reply: Reply
        listing_kind: str | None
        focus: dict[str, str]
        awaiting: str | None
        at: datetime
        # Defaults: replies recorded before channels sent replies themselves.
        channel: str = "generic"
        reply_to: dict[str, str] | None = None

        def apply(self, aggregate: Conversation) -> None:
            message_id, session_id, reply, at = self.message_id, self.session_id, self.reply, self.at
            session = aggregate.open_session
            pending = session.get("pending")
            if pending is not None and pending["asked_by"] != message_id:
                del session["pending"]  # not answered by the turn right after: it lapses
            session["turns"] += 1
            session["focus"] = dict(self.focus)
            session["awaiting"] = self.awaiting
            choices: list[Choice] = list(reply["choices"])
            if choices:
                # "2" means the second thing shown last, whether buttons, a list or numbered text.
                aggregate.last_listing = Listing(
                    kind=self.listing_kind or "choices", items=choices, shown_at=at, session_id=session_id
                )
            offered = aggregate.offers
            for choice in choices:
                # Re-inserting moves a choice to the end, so trimming drops the stalest.
                offered.pop(choice["id"], None)
                offered[choice["id"]] = OfferedChoice(
                    choice=choice, offered_by=message_id, session_id=session_id
                )
            for stale in list(offered)[: -aggregate.MAX_OFFERED_CHOICES]:
                del offered[stale]
            exchanges = session.get("exchanges")
            if exchanges and not exchanges[-1]["replied"]:
                exchanges[-1]["replied"] = reply["text"][: aggregate.EXCHANGE_CHARS]
            aggregate.messages_handled += 1
            aggregate._touch(at)

    def _remember_said(self, said: str) -> None:
        exchanges = self.open_session.setdefault("exchanges", [])
        exchanges.append(Exchange(said=said[: self.EXCHANGE_CHARS], replied=""))
        del exchanges[: -self.MAX_EXCHANGES]

    # -- an operator's answer: a message the person gets from a person -------------

    def answer_as_operator(
        self,
        *,
        reply_id: str,
        operator: str,
        text: str,
        at: datetime,
        channel: str,
        reply_to: dict[str, str],
        in_reply_to: str | None = None,
    ) -> None:
        """An operator writes to the person through the channel they last wrote from.

        Sent by the delivery worker like the bot's replies (`message_id` is the
        reply's own id); the session's focus and what the person has on screen
        stay as the bot left them.
        """
        self._operator_replied(
            session_id=self.session["id"] if self.session is not None else None,
            message_id=reply_id,
            operator=operator,
            reply=Reply(text=text, style="none", choices=[]),
            in_reply_to=in_reply_to,
            channel=channel,
            reply_to=reply_to,
            at=at,
        )

    @event("OperatorReplied")
    def _operator_replied(
        self,
        session_id: str | None,
        message_id: str,
        operator: str,
        reply: Reply,
        in_reply_to: str | None,
        channel: str,
        reply_to: dict[str, str],
        at: datetime,
    ) -> None:
        pass

    class Erased(Aggregate.Event):
        """What an erasure leaves in the log: when, and nothing about whom."""

        at: datetime

    @event(Erased)
    def _erased(self, at: datetime) -> None:
        self._forget_everything()
        self.erased = True

    class Restarted(Aggregate.Event):
        """The first message of a new subject on an erased conversation: as `Started`."""

        contact: str
        subcontractor_id: str | None
        language: str
        message_id: str
        at: datetime

    @event(Restarted)
    def _restarted(
        self, contact: str, subcontractor_id: str | None, language: str, message_id: str, at: datetime
    ) -> None:
        self._forget_everything()
        self.contact = contact
        self.subcontractor_id = subcontractor_id
        self.language = language
        self.started_at = at
        self.erased = False
        self.subject_since = self.version + 1  # applied before the version moves on

    def _forget_everything(self) -> None:
        # Session numbers go on: a session id is never used by two subjects.
        self.contact = ""
        self.subcontractor_id = None
        self.session = None
        self.messages_handled = 0
        self.offers = {}
        self.last_listing = None
        self.seen_task_status = {}

    def _touch(self, at: datetime) -> None:
        session = self.open_session
        session["last_activity_at"] = max(session["last_activity_at"], at)


def _tasks_shown(tool: str, output: Any) -> list[dict[str, str]]:
    """The tasks (id and status) a tool's output put in front of the person."""
    if tool in ("task_details", "set_task_status") and isinstance(output, dict) and "status" in output:
        return [output]
    if tool == "list_tasks" and isinstance(output, dict):
        return list(output.get("tasks", []))
    return []


def _copied(value: Any) -> Any:
    if type(value) is dict:
        return {key: _copied(item) for key, item in value.items()}
    if type(value) is list:
        return [_copied(item) for item in value]
    return value  # str, int, float, bool, None, datetime, UUID: immutable
