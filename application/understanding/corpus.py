"""The labelled corpus: messages as people type them, the context they typed them in, what they meant."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).parent / "corpus"
TUNE = CORPUS_DIR / "tune.jsonl"  # rules and model may be tuned and trained on these
HELDOUT = CORPUS_DIR / "heldout.jsonl"  # never: the honest figure


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    sender: str  # a persona of the demo directory: karim, sophie, james
    before: list[dict[str, str]]  # earlier steps of the session: {"text": ...} or {"press": ...}
    text: str
    expect: dict[str, Any]
    note: str = ""
    split: str = field(default="", compare=False)

    @property
    def intent(self) -> str:
        return str(self.expect["intent"])

    @property
    def effects(self) -> list[str]:
        return list(self.expect.get("effects", ["none"]))


def load(path: Path) -> list[Case]:
    """Every case of a JSON Lines file; a malformed line is an error naming it."""
    cases = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                cases.append(
                    Case(
                        id=raw["id"],
                        lang=raw["lang"],
                        sender=raw["sender"],
                        before=list(raw.get("before", [])),
                        text=raw["text"],
                        expect=dict(raw["expect"]),
                        note=raw.get("note", ""),
                        split=path.stem,
                    )
                )
            except (KeyError, TypeError, json.JSONDecodeError) as error:
                raise CorpusError(f"{path.name}:{number}: {error}") from error
    return cases
