"""Who a phone number belongs to is remembered for a while, then asked again."""

from __future__ import annotations

from datetime import UTC, datetime

from application.ports import Site, Subcontractor, Task, TaskStatusChange
from infrastructure.directory_cache import SubcontractorCache

KARIM = Subcontractor("S-001", "+33600000001", "Karim Benali", "Benali Électricité", "fr")


class CountingDirectory:
    def __init__(self) -> None:
        self.asked = 0
        self.known: dict[str, Subcontractor] = {}

        self.sites: dict[str, list[Site]] = {}
        self.sites_asked = 0

    def find_subcontractor(self, phone: str) -> Subcontractor | None:
        self.asked += 1
        return self.known.get(phone)

    def sites_of(self, subcontractor_id: str) -> list[Site]:
        self.sites_asked += 1
        return list(self.sites.get(subcontractor_id, []))

    def site_tasks(self, subcontractor_id: str, project_id: str) -> tuple[Site, list[Task]] | None:
        site = next((s for s in self.sites.get(subcontractor_id, []) if s.id == project_id), None)
        return (site, []) if site is not None else None


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


def test_sites_are_remembered_until_they_expire_but_a_chosen_site_is_always_checked() -> None:
    directory = CountingDirectory()
    jaures = Site("P-JAU", "Groupe scolaire Jean Jaurès", "Lyon", "12 rue Jaurès")
    directory.sites[KARIM.id] = [jaures]
    now = [0.0]
    cache = SubcontractorCache(directory, ttl_seconds=30, monotonic=lambda: now[0])  # type: ignore[arg-type]
    listed = cache.sites_of(KARIM.id)
    listed.clear()  # a caller's list is its own
    directory.sites[KARIM.id] = []  # the site is taken away meanwhile
    now[0] = 29.0
    assert cache.sites_of(KARIM.id) == [jaures]  # still the remembered listing
    assert cache.site_tasks(KARIM.id, "P-JAU") is None  # but choosing it asks the directory
    assert directory.sites_asked == 1
    now[0] = 30.5
    assert cache.sites_of(KARIM.id) == []
    assert directory.sites_asked == 2


def _numbers(count: int) -> list[str]:
    return [f"+3360000{n:04d}" for n in range(count)]


def test_expired_answers_are_forgotten_not_kept() -> None:
    now = [0.0]
    cache = SubcontractorCache(CountingDirectory(), ttl_seconds=30, monotonic=lambda: now[0])  # type: ignore[arg-type]
    for phone in _numbers(100):
        cache.find_subcontractor(phone)
    assert len(cache) == 100
    now[0] = 31.0
    cache.find_subcontractor(KARIM.phone)
    assert len(cache) == 1  # a worker's memory follows the last ttl's numbers, not every number seen


def test_past_the_bound_the_oldest_answers_go_first() -> None:
    directory = CountingDirectory()
    cache = SubcontractorCache(directory, ttl_seconds=30, max_entries=3, monotonic=lambda: 0.0)  # type: ignore[arg-type]
    first, *_, last = numbers = _numbers(5)
    for phone in numbers:
        cache.find_subcontractor(phone)
    assert len(cache) == 3
    cache.find_subcontractor(last)
    assert directory.asked == 5  # the newest is still remembered
    cache.find_subcontractor(first)
    assert directory.asked == 6  # the oldest was forgotten


def test_task_names_are_remembered_and_forgotten_when_this_process_changes_a_status() -> None:
    grid = Task("T-1", "P-JAU", "Chemins de câbles préau", "todo", None, "")
    directory = CountingDirectory()
    asked: list[str] = []

    def tasks_of(subcontractor_id: str) -> list[Task]:
        asked.append(subcontractor_id)
        return [grid]

    def apply_change(_change: object) -> bool:
        return True

    directory.tasks_of = tasks_of  # type: ignore[attr-defined]
    directory.apply_change = apply_change  # type: ignore[attr-defined]
    now = [0.0]
    cache = SubcontractorCache(directory, ttl_seconds=30, monotonic=lambda: now[0])  # type: ignore[arg-type]
    assert cache.task_names_of(KARIM.id) == [grid]
    assert cache.task_names_of(KARIM.id) == [grid]
    assert asked == [KARIM.id]
    assert cache.tasks_of(KARIM.id) == [grid]  # what is shown or changed is always read
    assert len(asked) == 2
    cache.apply_change(TaskStatusChange("c-1", KARIM.id, "T-1", "done", datetime.now(UTC)))
    cache.task_names_of(KARIM.id)
    assert len(asked) == 3
    now[0] = 31.0
    cache.task_names_of(KARIM.id)
    assert len(asked) == 4
