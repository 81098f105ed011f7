"""Channel limits on replies, and phone number normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.inbound import Inbound, InvalidInboundError, PressedButton
from application.phone import normalise_phone
from application.replies import choice, compose
from domain.values import MAX_BUTTON_TITLE, MAX_LIST_ROW_DESCRIPTION, MAX_LIST_ROW_TITLE, MAX_LIST_ROWS

titles = st.text(min_size=1, max_size=80).filter(lambda s: s.strip())


@given(st.lists(titles, min_size=0, max_size=15), st.text(max_size=100))
def test_replies_always_fit_the_strictest_channel(names: list[str], description: str) -> None:
    reply = compose("text", [choice(f"task.{i}", n, description) for i, n in enumerate(names)])
    count = len(reply["choices"])
    assert count == min(len(names), MAX_LIST_ROWS)
    if count == 0:
        assert reply["style"] == "none"
    elif count <= 3:
        assert reply["style"] == "buttons"
        assert all(len(c["title"]) <= MAX_BUTTON_TITLE for c in reply["choices"])
    else:
        assert reply["style"] == "list"
        assert all(len(c["title"]) <= MAX_LIST_ROW_TITLE for c in reply["choices"])
        assert all(len(c.get("description", "")) <= MAX_LIST_ROW_DESCRIPTION for c in reply["choices"])
    assert [c["id"] for c in reply["choices"]] == [f"task.{i}" for i in range(count)]


def test_long_titles_are_cut_with_an_ellipsis() -> None:
    reply = compose("t", [choice("project.1", "Groupe scolaire Jean Jaurès")])
    assert reply["choices"][0]["title"] == "Groupe scolaire Jea…"


@pytest.mark.parametrize(
    "raw",
    [
        "+33600000001",
        "whatsapp:+33600000001",
        "33600000001",
        "0033600000001",
        "+33 6 00 00 00 01",
        "+33600000001\n",
    ],
)
def test_phone_spellings_name_one_subcontractor(raw: str) -> None:
    assert normalise_phone(raw) == "+33600000001"


@given(
    st.text(alphabet="+0123456789 \n\t.-()whatsp:", max_size=24)
    | st.from_regex(r"\+[1-9][0-9]{6,14}\s?", fullmatch=True)
)
def test_a_normalised_number_is_its_own_normal_form(raw: str) -> None:
    # A number already in E.164 is returned at once; anything else (a newline after it
    # included) must come out as the full path makes it, and stay so.
    try:
        normalised = normalise_phone(raw)
    except InvalidInboundError:
        return
    assert normalised == normalised.strip() and normalised.startswith("+")
    assert normalise_phone(normalised) == normalised
    assert normalise_phone(f" {normalised}\n") == normalised


@pytest.mark.parametrize("raw", ["", "hello", "+0123", "12", "+33 6 00 00 00 01 99 99 99 99"])
def test_non_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInboundError):
        normalise_phone(raw)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"text": "hi", "button": PressedButton("menu.sites", "x")},
        {"text": "   "},
        {"text": "x" * 4097},
        {"button": PressedButton("", "x")},
    ],
)
def test_inbound_needs_exactly_one_valid_payload(kwargs: dict) -> None:
    with pytest.raises(InvalidInboundError):
        Inbound(channel="generic", message_id="m-1", sender="+33600000001", **kwargs)
