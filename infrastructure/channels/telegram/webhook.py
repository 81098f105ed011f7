"""Telegram Bot API webhooks: messages and inline keyboard presses, one update at a time."""

from __future__ import annotations

import hmac

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from application.inbound import Inbound, PressedButton
from application.message_kinds import MessageEdited
from application.phone import TELEGRAM_PREFIX
from domain.identity import telegram_message_key
from domain.values import MAX_TEXT_LENGTH
from infrastructure.channels.payloads import payload_error
from infrastructure.channels.telegram.kinds import MessageReactionUpdated, parts_of, reaction_of

CHANNEL = "telegram"
NUMBERED_CHOICE = "#"  # callback data "#2": the second choice shown, for ids over 64 bytes
# What a message the bot cannot read carries instead of text, most telling first.
_UNSUPPORTED_KINDS = (
    "photo", "document", "voice", "audio", "video", "video_note", "sticker", "animation",
    "location", "venue", "contact", "poll", "dice",
)  # fmt: skip


def is_authentic(configured_secret: str, given: str) -> bool:
    return hmac.compare_digest(configured_secret.encode(), given.encode())


class _User(BaseModel):
    id: int
    is_bot: bool = False
    language_code: str | None = None


class _Chat(BaseModel):
    id: int


class _Button(BaseModel):
    text: str
    callback_data: str | None = None


class _Keyboard(BaseModel):
    inline_keyboard: list[list[_Button]] = []


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")  # media fields tell what kind of message it is

    message_id: int
    sender: _User | None = Field(default=None, alias="from")
    chat: _Chat
    text: str | None = None
    reply_markup: _Keyboard | None = None


class _CallbackQuery(BaseModel):
    id: str
    sender: _User = Field(alias="from")
    message: _Message | None = None
    data: str | None = None


class _Update(BaseModel):
    update_id: int
    message: _Message | None = None
    callback_query: _CallbackQuery | None = None
    edited_message: _Message | None = None
    message_reaction: MessageReactionUpdated | None = None


def parse(body: bytes) -> Inbound | None:
    """The update as the turn's inbound; None for updates the bot does not answer
    (channel posts, membership changes, messages from bots)."""
    try:
        update = _Update.model_validate_json(body)
    except ValidationError as error:
        raise payload_error("Telegram update", error) from None
    message_id = str(update.update_id)  # Telegram's redeliveries repeat the update id
    if update.callback_query is not None:
        return _press(message_id, update.callback_query)
    if update.message_reaction is not None:
        return _reaction(message_id, update.message_reaction)
    if update.edited_message is not None:
        return _edit(message_id, update.edited_message)
    message = update.message
    if message is None or message.sender is None or message.sender.is_bot:
        return None
    sender = f"{TELEGRAM_PREFIX}{message.sender.id}"
    reply_to = {"chat_id": str(message.chat.id)}
    language = message.sender.language_code
    if message.text is not None and message.text.strip():
        text = message.text[:MAX_TEXT_LENGTH]
        return Inbound(CHANNEL, message_id, sender, text=text, reply_to=reply_to, language_hint=language)
    extra = message.model_extra or {}
    parts = parts_of(extra)
    if parts is not None:
        return Inbound(
            CHANNEL,
            message_id,
            sender,
            text=parts.caption,
            media=parts.media,
            other=parts.other,
            reply_to=reply_to,
            language_hint=language,
        )
    kind = next((k for k in _UNSUPPORTED_KINDS if k in extra), "message")
    return Inbound(CHANNEL, message_id, sender, unsupported=kind, reply_to=reply_to, language_hint=language)


def _reaction(message_id: str, update: MessageReactionUpdated) -> Inbound | None:
    user = update.user
    if user is None or user.is_bot:
        return None  # an anonymous admin of a group: nobody to answer
    sender = f"{TELEGRAM_PREFIX}{user.id}"
    return Inbound(
        CHANNEL,
        message_id,
        sender,
        other=reaction_of(update),
        reply_to={"chat_id": str(update.chat.id)},
        language_hint=user.language_code,
    )


def _edit(message_id: str, message: _Message) -> Inbound | None:
    if message.sender is None or message.sender.is_bot:
        return None
    extra = message.model_extra or {}
    text = message.text if message.text is not None else str(extra.get("caption") or "")
    edited = MessageEdited(
        text=text[:MAX_TEXT_LENGTH],
        original_message=telegram_message_key(str(message.chat.id), str(message.message_id)),
    )
    return Inbound(
        CHANNEL,
        message_id,
        f"{TELEGRAM_PREFIX}{message.sender.id}",
        other=edited,
        reply_to={"chat_id": str(message.chat.id)},
        language_hint=message.sender.language_code,
    )


def _press(message_id: str, query: _CallbackQuery) -> Inbound | None:
    if query.sender.is_bot or not (query.data or "").strip():
        return None
    data = query.data or ""
    # Private chats share the user's id; the message is absent only for inline-mode buttons.
    chat_id = query.message.chat.id if query.message is not None else query.sender.id
    reply_to = {"chat_id": str(chat_id), "callback_query_id": query.id}
    sender = f"{TELEGRAM_PREFIX}{query.sender.id}"
    language = query.sender.language_code
    if data.startswith(NUMBERED_CHOICE) and data[1:].isdigit():
        return Inbound(CHANNEL, message_id, sender, text=data[1:], reply_to=reply_to, language_hint=language)
    pressed = PressedButton(data, _label_of(data, query.message) or data)
    return Inbound(CHANNEL, message_id, sender, button=pressed, reply_to=reply_to, language_hint=language)


def _label_of(data: str, message: _Message | None) -> str | None:
    """The pressed button's label, from the keyboard of the message it was on."""
    if message is None or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
