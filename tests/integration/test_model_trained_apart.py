"""A process without the model's cache file has it trained by a child process, and keeps
scikit-learn out of itself; where the cache cannot be written, it trains itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Run in a fresh interpreter: whether scikit-learn was imported is a fact about one process.
_PROBE = """
import json, sys
from application.understanding.model import trained_model
from application.understanding.text import normalise
model = trained_model()
print(json.dumps({
    "sklearn": "sklearn" in sys.modules,
    "guess": model.guess(normalise("mes chantiers svp")).intent,
}))
"""


def _probe(cache_dir: Path) -> dict[str, object]:
    env = {**os.environ, "CONVO_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_a_child_trains_and_leaves_the_weights_for_every_process(tmp_path: Path) -> None:
    first = _probe(tmp_path)
    assert first["sklearn"] is False
    assert len(list(tmp_path.glob("understanding-*.npz"))) == 1
    again = _probe(tmp_path)  # loads what the child left
    assert again == first


def test_where_the_cache_cannot_be_written_the_process_trains_itself(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    trained_here = _probe(blocker / "cache")
    assert trained_here["sklearn"] is True
    assert trained_here["guess"] == _probe(tmp_path / "writable")["guess"]
