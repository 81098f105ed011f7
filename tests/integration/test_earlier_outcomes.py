"""The messages of a batch handled before, found with one read, on SQLite and PostgreSQL."""

from __future__ import annotations

from application.inbound import Inbound
from infrastructure.bootstrap import Container
from tests.turns import KARIM


def whatsapp(message_id: str, text: str) -> Inbound:
    return Inbound(channel="whatsapp", message_id=message_id, sender=KARIM, text=text)


def test_only_the_messages_handled_before_have_earlier_outcomes(container: Container) -> None:
    service = container.service
    first = (("w1", "Bonjour"), ("w2", "mes chantiers"))
    handled = {m: service.handle(whatsapp(m, text)) for m, text in first}
    batch = [whatsapp("w1", "Bonjour"), whatsapp("w3", "merci"), whatsapp("w2", "mes chantiers")]
    earlier = service.earlier_outcomes(batch)
    assert set(earlier) == {"w1", "w2"}
    for message_id, outcome in earlier.items():
        assert outcome.duplicate
        assert outcome.reply == handled[message_id].reply
        assert outcome.conversation_id == handled[message_id].conversation_id
