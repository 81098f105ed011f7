"""Composing replies within the strictest channel limits."""

from __future__ import annotations

from domain.values import (
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    MAX_LIST_ROW_DESCRIPTION,
    MAX_LIST_ROW_TITLE,
    MAX_LIST_ROWS,
    MAX_TEXT_LENGTH,
    Choice,
    Reply,
    cut,
    shorten,
)


def choice(choice_id: str, title: str, description: str = "") -> Choice:
    made = Choice(id=choice_id, title=title)
    if description:
        made["description"] = description
    return made


def compose(text: str, choices: list[Choice] | None = None) -> Reply:
    """Up to 3 choices become buttons, up to 10 a list; more are cut to the first 10."""
    offered = list(choices or [])[:MAX_LIST_ROWS]
    text = shorten_text(text)
    if not offered:
        return Reply(text=text, style="none", choices=[])
    if len(offered) <= MAX_BUTTONS:
        buttons = [Choice(id=c["id"], title=shorten(c["title"], MAX_BUTTON_TITLE)) for c in offered]
        return Reply(text=text, style="buttons", choices=buttons)
    rows: list[Choice] = []
    for c in offered:
        row = Choice(id=c["id"], title=shorten(c["title"], MAX_LIST_ROW_TITLE))
        if c.get("description"):
            row["description"] = shorten(c["description"], MAX_LIST_ROW_DESCRIPTION)
        rows.append(row)
    return Reply(text=text, style="list", choices=rows)


def shorten_text(text: str) -> str:
    return cut(text, MAX_TEXT_LENGTH)
