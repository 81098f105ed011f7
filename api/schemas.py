"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from application.inbound import TurnOutcome
from application.storable import unstorable_in
from domain.values import MAX_TEXT_LENGTH


def _storable(value: str | None) -> str | None:
    # The caller of this webhook can fix its message, so it is told instead of having it
    # changed under it (the provider channels drop these characters: see Inbound).
    problem = unstorable_in(value) if value is not None else None
    if problem is not None:
        raise ValueError(f"must not contain {problem}")
    return value


class ButtonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=256, description="The choice id, e.g. `menu.sites`.")
    title: str = Field(default="", max_length=256, description="The label the user saw.")

    storable = field_validator("id", "title")(_storable)


class GenericMessageIn(BaseModel):
    """The channel-neutral message every channel maps to: text or a button press."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {"message_id": "m-1", "from": "+33600000001", "text": "Bonjour"},
                {
                    "message_id": "m-2",
                    "from": "+33600000001",
                    "button": {"id": "menu.sites", "title": "Mes chantiers"},
                },
            ]
        },
    )

    message_id: str = Field(min_length=1, max_length=256, description="The provider's message id.")
    sender: str = Field(alias="from", min_length=1, max_length=64, description="E.164 phone number.")
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_LENGTH)
    button: ButtonIn | None = None

    storable = field_validator("message_id", "sender", "text")(_storable)

    @model_validator(mode="after")
    def _text_or_button(self) -> GenericMessageIn:
        if (self.text is None) == (self.button is None):
            raise ValueError("give either `text` or `button`, not both or neither")
        return self


class ChoiceOut(BaseModel):
    id: str
    title: str
    description: str = ""


class ReplyOut(BaseModel):
    text: str
    style: Literal["buttons", "list", "none"]
    choices: list[ChoiceOut]


class TurnOut(BaseModel):
    conversation_id: UUID
    session_id: UUID
    duplicate: bool = Field(description="True when this message id was handled before.")
    reply: ReplyOut

    @classmethod
    def of(cls, outcome: TurnOutcome) -> TurnOut:
        reply = outcome.reply
        return cls(
            conversation_id=outcome.conversation_id,
            session_id=UUID(outcome.session_id),
            duplicate=outcome.duplicate,
            reply=ReplyOut(
                text=reply["text"],
                style=reply["style"],
                choices=[ChoiceOut(**choice) for choice in reply["choices"]],
            ),
        )
