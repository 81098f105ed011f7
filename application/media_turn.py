"""What a photo, a voice note, a reaction, a location... does in a turn, and what the fetcher's
follow-up turn does once the media's fate is known.

Each kind is handled on purpose rather than answered "I can only read text":
- media are recorded (`MediaReceived`: what the provider said, never the bytes) and answered at
  once; a caption goes through understanding as text. A photo with a problem's description, or
  right after "Report a problem", files a report with the photo attached; a photo with no
  context asks whether it is a problem to report on the site in focus (yes/no);
- a voice note is answered by the turn of its transcript, when transcription is configured and the
  channel can send a reply later; otherwise the person is asked to type it;
- a reaction is recorded and not answered, except that 👍 on a pending yes/no question is a yes;
- a location, contact cards, an order, an edit, a first "hello" each get their own answer; a change
  of number decides that the directory follows it; the provider's other notes are recorded only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from application.actions import ActionNotResolvedError, ActionResult, Actions, Actor
from application.attachments import Attachment, encoded
from application.inbound import Inbound
from application.media import SPOKEN_KINDS, VISUAL_KINDS, InboundMedia, MediaOutcome
from application.media_texts import say, size_in_words
from application.message_kinds import (
    MessageEdited,
    NumberChanged,
    OrderPlaced,
    Reaction,
    SharedContacts,
    SharedLocation,
    SystemNotice,
    WelcomeRequested,
)
from application.ports import Intent, Site, Subcontractor
from application.replies import choice, compose
from application.texts import say as say_common
from domain.conversation import Conversation
from domain.identity import media_id_for
from domain.values import Reply

SILENT = Reply(text="", style="none", choices=[])  # recorded, and nothing is sent
THUMBS_UP = frozenset({"👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"})
_PROBLEM_INTENTS = ("report_problem", "describe_problem")
# What understanding says of text it could not read: with a photo, that text describes the photo.
_UNREAD = ("unknown", "not_understood")
# Media not fetched for reasons the person can do nothing about: not worth a word to them.
_NOT_THEIR_DOING = ("channel_not_configured", "sender_not_registered")
NEAR_METRES = 1000.0  # a location this close to a site puts it in focus

# (channel, provider message id) -> the id of the message whose turn sent it, if we sent it.
ReplyLookup = Callable[[str, str], str | None]


class SitePositions(Protocol):
    def nearest(self, subcontractor_id: str, latitude: float, longitude: float) -> tuple[Site, float] | None:
        """The sender's site closest to a position, and how far it is in metres."""
        ...


class TurnSteps(Protocol):
    """The parts of a turn the pipeline lends: the same steps as for text, in the same order."""

    def begin(self, conversation: Conversation, message_id: str, at: datetime) -> None: ...

    def actor_for(
        self, conversation: Conversation, inbound: Inbound, subcontractor: Subcontractor, at: datetime
    ) -> Actor: ...

    def understand(self, conversation: Conversation, text: str, actor: Actor) -> Intent: ...

    def act(self, intent: Intent, conversation: Conversation, actor: Actor) -> ActionResult: ...

    def answer(self, conversation: Conversation, actor: Actor, *, accepted: bool) -> ActionResult: ...

    def finish(
        self, conversation: Conversation, inbound: Inbound, result: ActionResult, at: datetime
    ) -> Reply: ...


def takes(inbound: Inbound) -> bool:
    return bool(inbound.media) or inbound.other is not None or inbound.media_outcome is not None


class MessageKinds:
    def __init__(
        self,
        actions: Actions,
        *,
        transcription: bool = False,
        replies_of: ReplyLookup | None = None,
        positions: SitePositions | None = None,
    ) -> None:
        self._actions = actions
        self._transcription = transcription
        self._replies_of = replies_of
        self._positions = positions

    def play(
        self,
        conversation: Conversation,
        inbound: Inbound,
        subcontractor: Subcontractor | None,
        at: datetime,
        steps: TurnSteps,
    ) -> Reply:
        if inbound.media_outcome is not None:
            return self._follow_up(conversation, inbound, inbound.media_outcome, subcontractor, at, steps)
        steps.begin(conversation, inbound.message_id, at)
        result = self._first_hand(conversation, inbound, subcontractor, at, steps)
        return steps.finish(conversation, inbound, result, at) if result is not None else SILENT

    # -- the message itself ----------------------------------------------------------------------

    def _first_hand(
        self,
        conversation: Conversation,
        inbound: Inbound,
        subcontractor: Subcontractor | None,
        at: datetime,
        steps: TurnSteps,
    ) -> ActionResult | None:
        attachments = self._record(conversation, inbound, at)
        other = inbound.other
        if subcontractor is None:
            if isinstance(other, Reaction | NumberChanged | SystemNotice):
                return None  # not from the person, or not worth an answer
            conversation.refuse_unregistered_sender(message_id=inbound.message_id)
            return ActionResult(reply=compose(say_common(conversation.language, "not_registered")))
        actor = steps.actor_for(conversation, inbound, subcontractor, at)
        if inbound.media:
            return self._media(conversation, inbound, actor, attachments, steps)
        if isinstance(other, Reaction):
            return self._reaction(conversation, inbound, other, actor, steps)
        if isinstance(other, SharedLocation):
            return self._location(other, actor)
        if isinstance(other, NumberChanged):
            conversation.decide_number_change(
                message_id=inbound.message_id, change_id=actor.change_id, new_number=other.new_number, at=at
            )
            return None  # the person writes from the new number now: nothing to send to the old one
        if isinstance(other, WelcomeRequested):
            return self._actions.main_menu(actor)
        focus = dict(conversation.open_session["focus"])
        if isinstance(other, SharedContacts):
            return ActionResult(reply=compose(say(actor.language, "contacts")), focus=focus)
        if isinstance(other, OrderPlaced):
            return replace(self._actions.main_menu(actor, say(actor.language, "order")), focus=focus)
        if isinstance(other, MessageEdited):
            text = say(actor.language, "edited", text=other.text[:300])
            return ActionResult(reply=compose(text), focus=focus)
        return None  # a provider's note (SystemNotice): on record for operators

    def _record(self, conversation: Conversation, inbound: Inbound, at: datetime) -> list[Attachment]:
        """Puts the fact on record; returns the media that can go with a problem report."""
        message_id = inbound.message_id
        attachments = []
        for index, media in enumerate(inbound.media):
            media_id = str(media_id_for(conversation.id, message_id, index))
            conversation.receive_media(
                message_id=message_id,
                media_id=media_id,
                kind=media.kind,
                mime_type=media.mime_type,
                size=media.size,
                sha256=media.sha256,
                caption=inbound.text if index == 0 else None,
                provider_media_id=media.provider_media_id,
                filename=media.filename,
                channel=inbound.channel,
                reply_to=inbound.reply_to,
                at=at,
            )
            if media.kind in VISUAL_KINDS:
                attachments.append(Attachment(media_id, media.kind, media.mime_type))
        other = inbound.other
        if isinstance(other, Reaction):
            reacted_to = self._replies_of(inbound.channel, other.to_message) if self._replies_of else None
            conversation.receive_reaction(
                message_id=message_id,
                emoji=other.emoji,
                to_message=other.to_message,
                reacted_to=reacted_to,
                at=at,
            )
        elif isinstance(other, SharedLocation):
            conversation.receive_location(
                message_id=message_id,
                latitude=other.latitude,
                longitude=other.longitude,
                name=other.name,
                address=other.address,
                at=at,
            )
        elif other is not None and not isinstance(other, NumberChanged):
            conversation.receive_other(
                message_id=message_id, kind=_kind_of(other), detail=_detail_of(other), at=at
            )
        return attachments

    def _media(
        self,
        conversation: Conversation,
        inbound: Inbound,
        actor: Actor,
        attachments: list[Attachment],
        steps: TurnSteps,
    ) -> ActionResult | None:
        caption = inbound.text
        focus = dict(conversation.open_session["focus"])
        if not attachments:
            return self._not_visual(conversation, inbound, inbound.media, actor, steps, focus)
        actor = replace(actor, attachments=tuple(attachments))
        if caption is None:
            project_id = focus.get("project_id")
            if conversation.open_session["awaiting"] == "problem_description" and project_id:
                # "Report a problem", then the photo: the photo is the report.
                return self._actions.report_problem(actor, project_id, say(actor.language, "photo_only"))
            return self._ask_about(conversation, actor, focus, "")
        intent = steps.understand(conversation, caption, actor)
        if intent.name in _PROBLEM_INTENTS and not intent.arguments.get("description"):
            intent = replace(intent, arguments={**intent.arguments, "description": caption})
        if intent.name in _UNREAD:
            return self._ask_about(conversation, actor, focus, " ".join(caption.split()))
        return steps.act(intent, conversation, actor)

    def _not_visual(
        self,
        conversation: Conversation,
        inbound: Inbound,
        media: tuple[InboundMedia, ...],
        actor: Actor,
        steps: TurnSteps,
        focus: dict[str, str],
    ) -> ActionResult | None:
        if inbound.text is not None:  # an audio file or a sticker with a caption: the caption speaks
            return steps.act(steps.understand(conversation, inbound.text, actor), conversation, actor)
        if any(m.kind in SPOKEN_KINDS for m in media):
            if self._transcription and inbound.reply_to is not None:
                return None  # the turn of its transcript answers, in a few seconds
            return ActionResult(reply=compose(say(actor.language, "voice_type_it")), focus=focus)
        # A sticker: a "hello" when it opens the conversation, otherwise like a reaction.
        return self._actions.main_menu(actor) if conversation.open_session["turns"] == 0 else None

    def _ask_about(
        self, conversation: Conversation, actor: Actor, focus: dict[str, str], description: str
    ) -> ActionResult:
        """Is this a problem to report on the site in focus? Yes or no; or first, which site."""
        language = actor.language
        project_id = focus.get("project_id")
        sites = [] if project_id else self._actions.directory.sites_of(actor.subcontractor.id)
        if not project_id and len(sites) == 1:
            project_id = sites[0].id
        photos = encoded(actor.attachments)
        if project_id:
            try:
                site = self._actions.site(actor, project_id, None)
            except ActionNotResolvedError:
                return self._ask_about(conversation, actor, {}, description)  # no longer theirs
            conversation.ask_confirmation(
                message_id=actor.message_id,
                action={
                    "kind": "report_problem",
                    "project_id": project_id,
                    "description": description or say(language, "photo_only"),
                    "photos": photos,
                },
            )
            if description:
                text = say_common(language, "confirm_problem", site=site.name, description=description)
            else:
                this = say(language, f"this.{actor.attachments[0].kind}")
                text = say(language, "confirm_photo_problem", site=site.name, this=this)
            yes_no = [
                choice("confirm.yes", say_common(language, "yes")),
                choice("confirm.no", say_common(language, "no")),
            ]
            return ActionResult(reply=compose(text, yes_no), focus={"project_id": project_id})
        if not sites:
            return ActionResult(
                reply=compose(say(language, "photo_no_site"), self._actions.menu_choices(language))
            )
        conversation.ask_confirmation(
            message_id=actor.message_id,
            action={
                "kind": "report_problem_site",
                "description": description or say(language, "photo_only"),
                "photos": photos,
                "sure": "yes",  # sent as a report: filed once its site is chosen, as before
            },
        )
        choices = [choice(f"project.{s.id}", s.name, s.city) for s in sites]
        return ActionResult(reply=compose(say(language, "photo_which_site"), choices), listing_kind="sites")

    def _reaction(
        self, conversation: Conversation, inbound: Inbound, reaction: Reaction, actor: Actor, steps: TurnSteps
    ) -> ActionResult | None:
        pending = conversation.pending_confirmation
        reacted_to = self._replies_of(inbound.channel, reaction.to_message) if self._replies_of else None
        if reaction.emoji in THUMBS_UP and pending is not None and reacted_to == pending["asked_by"]:
            return steps.answer(conversation, actor, accepted=True)  # 👍 on the question itself: yes
        return None

    def _location(self, location: SharedLocation, actor: Actor) -> ActionResult:
        language = actor.language
        nearest = (
            self._positions.nearest(actor.subcontractor.id, location.latitude, location.longitude)
            if self._positions is not None
            else None
        )
        if nearest is None:
            return self._actions.main_menu(actor, say(language, "location_thanks"))
        site, metres = nearest
        if metres > NEAR_METRES:
            return self._actions.main_menu(actor, say(language, "location_far", km=f"{NEAR_METRES / 1000:g}"))
        listed = self._actions.list_tasks(actor, site.id)
        heading = say(language, "location_near", site=site.name)
        reply = compose(f"{heading}\n{listed.reply['text']}", list(listed.reply["choices"]))
        return replace(listed, reply=reply)

    # -- the fetcher's follow-up: what became of a media -----------------------------------------

    def _follow_up(
        self,
        conversation: Conversation,
        inbound: Inbound,
        outcome: MediaOutcome,
        subcontractor: Subcontractor | None,
        at: datetime,
        steps: TurnSteps,
    ) -> Reply:
        message_id = inbound.message_id
        if outcome.stored:
            conversation.record_media_stored(
                message_id=message_id,
                media_id=outcome.media_id,
                sha256=outcome.sha256 or "",
                size=outcome.size or 0,
                mime_type=outcome.mime_type,
            )
        else:
            conversation.record_media_fetch_failed(
                message_id=message_id, media_id=outcome.media_id, reason=outcome.reason or "unknown"
            )
        key = self._what_to_say(outcome)
        # Nothing to say, or no way to say it: a channel that answers only in its webhook's
        # response (Twilio) cannot be told later, and unregistered senders are not answered.
        if key is None or subcontractor is None or inbound.reply_to is None:
            return SILENT
        steps.begin(conversation, message_id, at)
        actor = steps.actor_for(conversation, inbound, subcontractor, at)
        focus = dict(conversation.open_session["focus"])
        if outcome.transcript is not None:
            transcript = outcome.transcript
            conversation.transcribe_voice_note(
                message_id=message_id,
                media_id=outcome.media_id,
                text=transcript.text,
                model=transcript.model,
                latency_ms=transcript.latency_ms,
                language=transcript.language,
                at=at,
            )
            result = steps.act(steps.understand(conversation, transcript.text, actor), conversation, actor)
        else:
            if outcome.kind in SPOKEN_KINDS:
                reason = outcome.transcription_failure or outcome.reason or "unknown"
                conversation.fail_voice_note(
                    message_id=message_id, media_id=outcome.media_id, reason=reason, at=at
                )
            result = ActionResult(reply=compose(_told(key, outcome, actor.language)), focus=focus)
        return steps.finish(conversation, inbound, result, at)

    def _what_to_say(self, outcome: MediaOutcome) -> str | None:
        """What the follow-up answers: a text's key ("" for a transcript, understanding answers it),
        or None to answer nothing."""
        if outcome.transcript is not None:
            return ""
        spoken = outcome.kind in SPOKEN_KINDS
        if outcome.stored:
            # Stored and not transcribed: heard and not understood, or no transcription at all
            # (the person was asked to type it at once).
            return "voice_not_heard" if spoken and outcome.transcription_failure else None
        reason = outcome.reason or ""
        if outcome.kind == "sticker" or reason.startswith(_NOT_THEIR_DOING):
            return None
        if reason.startswith("too_large"):
            return "media_too_large"
        if reason.startswith("type_not_accepted"):
            return "media_type_refused"
        if spoken and self._transcription:
            return "voice_not_heard"
        return "media_not_fetched"


def _told(key: str, outcome: MediaOutcome, language: str) -> str:
    your = say(language, f"your.{outcome.kind}")
    if key == "media_too_large":
        size = size_in_words(language, outcome.size) if outcome.size else "?"
        limit = size_in_words(language, outcome.limit) if outcome.limit else "?"
        return say(language, key, your=your[:1].upper() + your[1:], size=size, limit=limit)
    if key == "media_type_refused":
        return say(language, key, type=outcome.mime_type.split(";")[0] or "?")
    return say(language, key, your=your)


def _kind_of(other: object) -> str:
    return {
        SharedContacts: "contacts",
        OrderPlaced: "order",
        MessageEdited: "edited",
        WelcomeRequested: "request_welcome",
        SystemNotice: "system",
    }.get(type(other), type(other).__name__)


def _detail_of(other: object) -> dict[str, str]:
    """What is kept of it: counts and the person's own words, never a third party's details."""
    if isinstance(other, SharedContacts):
        return {"count": str(other.count)}
    if isinstance(other, OrderPlaced):
        return {"items": str(other.items)}
    if isinstance(other, MessageEdited):
        return {"text": other.text, "original_message": other.original_message}
    if isinstance(other, SystemNotice):
        return {"type": other.kind, "body": other.body}
    return {}
