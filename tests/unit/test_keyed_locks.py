"""Per-key locks serialise one key and leave others free, with real threads."""

from __future__ import annotations

import threading
import time

from application.keyed_locks import KeyedLocks


def test_one_key_runs_one_at_a_time_and_other_keys_run_alongside() -> None:
    locks = KeyedLocks()
    inside: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}
    guard = threading.Lock()

    def work(key: str) -> None:
        with locks.hold(key):
            with guard:
                inside[key] += 1
                most[key] = max(most[key], inside[key])
                both = inside["a"] > 0 and inside["b"] > 0
                if both:
                    overlapped.set()
            time.sleep(0.01)
            with guard:
                inside[key] -= 1

    overlapped = threading.Event()
    threads = [threading.Thread(target=work, args=(k,)) for k in "ab" * 8]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == {"a": 1, "b": 1}
    assert overlapped.is_set()
    assert len(locks) == 0  # nothing kept once nobody holds or waits
