"""Phrase groups match as a tree of shared beginnings, exactly as a plain alternation sorted
longest first would (application/understanding/matching.py)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from application.understanding import phrases
from application.understanding.matching import alternation, find_all, has, without

# Few letters and spaces: phrases that share beginnings, and texts that contain them.
_WORDS = st.text(alphabet="abc '?.", min_size=1, max_size=6)
_PHRASES = st.lists(_WORDS, min_size=1, max_size=12).map(tuple)
_TEXTS = st.lists(st.text(alphabet="abc '?.", max_size=5), max_size=8).map(" ".join)


def _sorted_alternation(group: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(group, key=len, reverse=True)
    return re.compile(r"(?:^|(?<=\s))(?:" + "|".join(re.escape(p) for p in ordered) + r")(?=\s|$)")


def _as_tree(group: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=\s))(?:{alternation(group)})(?=\s|$)")


@settings(max_examples=300, deadline=None)
@given(group=_PHRASES, text=_TEXTS)
def test_a_tree_finds_and_removes_what_the_sorted_alternation_does(group: tuple[str, ...], text: str) -> None:
    plain, tree = _sorted_alternation(group), _as_tree(group)
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert tree.sub(" ", text) == plain.sub(" ", text)


def test_the_longer_phrase_wins_where_both_start() -> None:
    group = ("fait", "c est fait", "c est", "c est fini")
    assert [f.phrase for f in find_all("bon c est fait merci", group)] == ["c est fait"]
    # The longer does not fit ("c est faite"): the shorter one that does is taken.
    assert [f.phrase for f in find_all("c est faite", group)] == ["c est"]


def test_the_real_groups_match_as_before() -> None:
    texts = ["c est fait", "ok merci", "bonjour a tous", "pas encore fini", "il y a une fuite", "1"]
    groups = [value for value in vars(phrases).values() if isinstance(value, tuple) and value]
    groups = [g for g in groups if all(isinstance(p, str) for p in g)]
    assert len(groups) > 10
    for group in groups:
        plain = _sorted_alternation(group)
        for text in texts:
            assert has(text, group) == (plain.search(text) is not None)
            assert without(text, group) == plain.sub(" ", text)
