"""Deterministic identities: every code path derives the same ids from the same facts."""

from uuid import UUID, uuid5

# Fixed forever: changing it would orphan every stored conversation.
CONVO_NAMESPACE = UUID("6f1c2a8e-3b4d-5e6f-8a9b-0c1d2e3f4a5b")


def conversation_id_for(contact: str) -> UUID:
    """One conversation per subcontractor contact (E.164 phone number)."""
    return uuid5(CONVO_NAMESPACE, f"conversation:{contact}")


def receipt_id_for(channel: str, provider_message_id: str) -> UUID:
    """One receipt per provider message, so a redelivery finds the first answer."""
    return uuid5(CONVO_NAMESPACE, f"receipt:{channel}:{provider_message_id}")


def session_id_for(conversation_id: UUID, session_number: int) -> UUID:
    """Sessions are numbered within their conversation, so their ids replay identically."""
    return uuid5(conversation_id, f"session:{session_number}")


def delivery_id_for(conversation_id: UUID, message_id: str) -> UUID:
    """One delivery per reply, and a reply per inbound message: racing senders meet here."""
    return uuid5(CONVO_NAMESPACE, f"delivery:{conversation_id}:{message_id}")


def outbound_message_id_for(channel: str, provider_message_id: str) -> UUID:
    """Finds a delivery from the id a provider gave the message it sent (wamid...)."""
    return uuid5(CONVO_NAMESPACE, f"outbound:{channel}:{provider_message_id}")
