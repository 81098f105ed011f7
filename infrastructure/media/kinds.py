"""What the turn needs to handle photos, voice notes, reactions and locations, built from settings."""

from __future__ import annotations

from application.actions import Actions
from application.event_store import ConversationStore
from application.media_turn import MessageKinds
from infrastructure.database import Database
from infrastructure.settings import Settings
from infrastructure.site_positions import SqlSitePositions


def message_kinds_for(
    settings: Settings, actions: Actions, store: ConversationStore, database: Database
) -> MessageKinds:
    def replied_by(channel: str, provider_message_id: str) -> str | None:
        """Which turn sent the message a reaction is on: its delivery knows the provider's id."""
        delivery = store.delivery_of_provider_message(channel, provider_message_id)
        return delivery.message_id if delivery is not None else None

    return MessageKinds(
        actions,
        transcription=bool(settings.transcription_url),
        replies_of=replied_by,
        positions=SqlSitePositions(database),
    )
