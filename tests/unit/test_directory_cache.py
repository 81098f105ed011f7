"""Who a phone number belongs to is remembered for a while, then asked again."""

from __future__ import annotations

from application.ports import Subcontractor
from infrastructure.directory_cache import SubcontractorCache

KARIM = Subcontractor("S-001", "+33600000001", "Karim Benali", "Benali Électricité", "fr")


class CountingDirectory:
    def __init__(self) -> None:
        self.asked = 0
        self.known: dict[str, Subcontractor] = {}

    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        self.asked += 1
        return self.known.get(phone)


def test_answers_are_remembered_until_they_expire() -> None:
    directory = CountingDirectory()
    now = [0.0]
    cache = SubcontractorCache(directory, ttl_seconds=30, monotonic=lambda: now[0])  # type: ignore[arg-type]
    assert cache.find_subcontractor(KARIM.phone) is None
    directory.known[KARIM.phone] = KARIM  # registered meanwhile
    now[0] = 29.0
    assert cache.find_subcontractor(KARIM.phone) is None  # still the remembered answer
    assert directory.asked == 1
    now[0] = 30.5
    assert cache.find_subcontractor(KARIM.phone) == KARIM
    assert directory.asked == 2
