"""Phone numbers as E.164, so every way of writing one names the same subcontractor."""

from __future__ import annotations

import re

from application.inbound import InvalidInboundError

# ASCII digits only: `\d` would also take "６" or "٣", and make the same number another contact.
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_ALREADY_E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # whole, with fullmatch: not even a newline after
_TELEGRAM_USER = re.compile(r"^telegram:[1-9][0-9]{0,19}$")
TELEGRAM_PREFIX = "telegram:"
_FRENCH_SPEAKING_PREFIXES = ("+33", "+32", "+41", "+352", "+377", "+262", "+590", "+596", "+594")


def normalise_phone(raw: str) -> str:
    """`whatsapp:+33 6 00 00 00 01`, `0033600000001` and `33600000001` -> `+33600000001`."""
    if _ALREADY_E164.fullmatch(raw):
        return raw  # most calls: a number normalised before (a sender, a contact)
    value = raw.strip()
    for prefix in ("whatsapp:", "sms:", "tel:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    value = re.sub(r"[\s().\-]", "", value)
    if value.startswith("00"):
        value = "+" + value[2:]
    elif not value.startswith("+"):
        value = "+" + value
    if not _E164.match(value):
        raise InvalidInboundError(f"'{raw}' is not a phone number in international format")
    return value


def telegram_user_of(sender: str) -> str | None:
    """The Telegram user id of a `telegram:<id>` sender; None for phone numbers."""
    if not sender.startswith(TELEGRAM_PREFIX):
        return None
    if not _TELEGRAM_USER.match(sender):
        raise InvalidInboundError(f"'{sender}' is not a Telegram user")
    return sender.removeprefix(TELEGRAM_PREFIX)


def guess_language(phone: str) -> str:
    """For senders the directory does not know: French for French-speaking countries."""
    return "fr" if phone.startswith(_FRENCH_SPEAKING_PREFIXES) else "en"
