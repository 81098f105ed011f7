"""One turn on a loaded conversation: direct action first, the NLU pipeline as fallback.

Pure decision logic over the aggregate and the ports; persisting is the caller's job.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from application.actions import ActionNotResolvedError, ActionResult, Actions, Actor
from application.attachments import as_payload
from application.conversing import Conversing
from application.decisions import Decisions
from application.inbound import Inbound
from application.media_turn import MessageKinds, takes
from application.ports import (
    Catalogue,
    ClassifierContext,
    DirectoryChange,
    Intent,
    IntentClassifier,
    ProblemReportFiling,
    RecentTurn,
    Subcontractor,
    TaskStatusChange,
)
from application.receipts import receipt_id_of
from application.replies import compose
from application.texts import say
from domain.conversation import Conversation
from domain.values import Reply


class TurnPipeline:
    def __init__(
        self,
        actions: Actions,
        classifier: IntentClassifier,
        idle_timeout: timedelta,
        listing_max_age: timedelta = timedelta(days=1),
        kinds: MessageKinds | None = None,
    ) -> None:
        self._actions = actions
        self._kinds = kinds or MessageKinds(actions)
        self._directory = actions.directory
        self._decisions = Decisions(actions, Conversing(self._directory))
        self._classifier = classifier
        self._idle_timeout = idle_timeout
        self._listing_max_age = listing_max_age

    def play(
        self,
        conversation: Conversation,
        inbound: Inbound,
        subcontractor: Subcontractor | None,
        at: datetime,
    ) -> Reply:
        """Records every fact of the turn on the conversation and returns the reply."""
        if takes(inbound):  # a photo, a reaction, what became of a media...: same steps, own logic
            return self._kinds.play(conversation, inbound, subcontractor, at, self)
        message_id = inbound.message_id
        self.begin(conversation, message_id, at)
        if inbound.unsupported is not None:
            conversation.receive_unsupported(message_id=message_id, kind=inbound.unsupported, at=at)
            unsupported = ActionResult(reply=compose(say(conversation.language, "unsupported")))
            return self.finish(conversation, inbound, unsupported, at)
        if inbound.button is not None:
            conversation.press_button(
                message_id=message_id,
                choice_id=inbound.button.id,
                title=inbound.button.title,
                at=at,
            )
        else:
            conversation.receive_message(message_id=message_id, text=inbound.text or "", at=at)

        result: ActionResult | None
        if subcontractor is None:
            conversation.refuse_unregistered_sender(message_id=message_id)
            result = ActionResult(reply=compose(say(conversation.language, "not_registered")))
        else:
            actor = self.actor_for(conversation, inbound, subcontractor, at)
            result = self._direct_action(conversation, inbound, actor)
            if result is None:
                # Same aggregate, so the pipeline sees what this session already offered.
                text = inbound.text if inbound.text is not None else _button_title(inbound)
                result = self.act(self.understand(conversation, text, actor), conversation, actor)

        return self.finish(conversation, inbound, result, at)

    # -- the steps of a turn, also lent to the other kinds of message -----------------

    def begin(self, conversation: Conversation, message_id: str, at: datetime) -> None:
        conversation.begin_turn(message_id=message_id, at=at, idle_timeout=self._idle_timeout)

    @staticmethod
    def actor_for(
        conversation: Conversation, inbound: Inbound, subcontractor: Subcontractor, at: datetime
    ) -> Actor:
        message_id = inbound.message_id
        conversation.identify(
            subcontractor_id=subcontractor.id, language=subcontractor.language, message_id=message_id
        )
        receipt_id = receipt_id_of(inbound, conversation.id)
        return Actor(subcontractor=subcontractor, message_id=message_id, at=at, receipt_id=receipt_id)

    def answer(self, conversation: Conversation, actor: Actor, *, accepted: bool) -> ActionResult:
        return self._decisions.answer(conversation, actor, accepted=accepted)

    @staticmethod
    def finish(conversation: Conversation, inbound: Inbound, result: ActionResult, at: datetime) -> Reply:
        message_id = inbound.message_id
        if result.tool_call is not None:
            call = result.tool_call
            conversation.record_tool_output(
                message_id=message_id,
                tool=call.tool,
                arguments=call.arguments,
                output=call.output,
                succeeded=call.succeeded,
            )
        _record_decision(conversation, message_id, result.change)
        conversation.send_reply(
            message_id=message_id,
            reply=result.reply,
            listing_kind=result.listing_kind,
            focus=result.focus,
            awaiting=result.awaiting,
            at=at,
            channel=inbound.channel,
            reply_to=inbound.reply_to,
        )
        return result.reply

    def _direct_action(
        self, conversation: Conversation, inbound: Inbound, actor: Actor
    ) -> ActionResult | None:
        """Acts on a press when its choice is valid now for this subcontractor, whichever
        session offered it; refuses what is not theirs; None lets the pipeline read its title."""
        if inbound.button is None:
            return None
        choice_id = inbound.button.id
        try:
            answered = self._decisions.press(choice_id, conversation, actor)
            if answered is not None:
                return answered
            return self._actions.run(choice_id, actor, conversation.status_seen)
        except ActionNotResolvedError as failure:
            self._record_tool_failure(conversation, actor, failure)
            conversation.fail_direct_action(
                message_id=inbound.message_id, choice_id=choice_id, reason=failure.reason
            )
            if failure.reason == "not_found":
                return self._actions.refuse_choice(actor)
            return None

    def understand(self, conversation: Conversation, text: str, actor: Actor) -> Intent:
        """What the text means, on record (`IntentClassified`); a reset opens a fresh session."""
        intent = self._classifier.classify(text, self._context(conversation, actor))
        conversation.classify_intent(
            message_id=actor.message_id,
            intent=intent.name,
            arguments=intent.arguments,
            confidence=intent.confidence,
            understood_by={
                "layer": intent.layer,
                "certain": intent.certain,
                "entities": dict(intent.entities),
                "model": intent.model,
                "latency_ms": intent.latency_ms,
            },
        )
        if intent.name == "reset":
            conversation.reset_session(message_id=actor.message_id, at=actor.at)
        return intent

    def act(self, intent: Intent, conversation: Conversation, actor: Actor) -> ActionResult:
        try:
            return self._decisions.act_on(intent, conversation, actor)
        except ActionNotResolvedError as failure:
            self._record_tool_failure(conversation, actor, failure)
            return self._actions.not_understood(actor)

    @staticmethod
    def _record_tool_failure(
        conversation: Conversation, actor: Actor, failure: ActionNotResolvedError
    ) -> None:
        if failure.tool is not None:
            conversation.record_tool_output(
                message_id=actor.message_id,
                tool=failure.tool,
                arguments=dict(failure.arguments),
                output={"error": failure.reason},
                succeeded=False,
            )

    def _context(self, conversation: Conversation, actor: Actor) -> ClassifierContext:
        session = conversation.open_session
        listing = conversation.listing_to_refer_to(actor.at, self._listing_max_age)
        pending = conversation.pending_confirmation
        return ClassifierContext(
            language=conversation.language,
            listing_kind=listing["kind"] if listing else None,
            listing=[(c["id"], c["title"]) for c in listing["items"]] if listing else [],
            focus=dict(session["focus"]),
            awaiting=session["awaiting"],
            recent_intents=list(session["recent_intents"]),
            pending=dict(pending["action"]) if pending else None,
            catalogue=self._catalogue_of(actor),
            recent_turns=[RecentTurn(said=e["said"], replied=e["replied"]) for e in conversation.exchanges],
            status_awaiting_task=conversation.status_awaiting_task,
            last_change=conversation.last_change,
        )

    def _catalogue_of(self, actor: Actor) -> Callable[[], Catalogue]:
        """The sender's sites and tasks, read from the directory only if a layer asks."""
        read: list[Catalogue] = []
        subcontractor_id = actor.subcontractor.id

        def catalogue() -> Catalogue:
            if not read:
                read.append(
                    Catalogue(
                        sites=self._directory.sites_of(subcontractor_id),
                        tasks=self._directory.task_names_of(subcontractor_id),
                    )
                )
            return read[0]

        return catalogue


def _record_decision(conversation: Conversation, message_id: str, change: DirectoryChange | None) -> None:
    if isinstance(change, TaskStatusChange):
        conversation.decide_task_status(
            message_id=message_id,
            change_id=change.change_id,
            task_id=change.task_id,
            status=change.status,
            previous_status=change.previous_status or change.status,
            at=change.at,
        )
    elif isinstance(change, ProblemReportFiling):
        conversation.decide_problem_report(
            message_id=message_id,
            change_id=change.change_id,
            reference=change.reference,
            project_id=change.project_id,
            description=change.description,
            at=change.at,
            photos=as_payload(change.photos),
        )


def _button_title(inbound: Inbound) -> str:
    return inbound.button.title if inbound.button is not None else ""
