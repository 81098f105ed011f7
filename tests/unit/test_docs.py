"""The README's settings table lists exactly the settings that exist."""

from __future__ import annotations

import re

from infrastructure.settings import PROJECT_ROOT, Settings


def test_every_setting_is_documented_and_nothing_else() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(CONVO_[A-Z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == {f"CONVO_{name.upper()}" for name in Settings.model_fields}
