"""Checks that the site directory and the log agree: every change has exactly one decision."""

from __future__ import annotations

from collections import Counter

from application.event_log.records import EventRecord, record_of_notification, topics_for
from application.world import DECISION_EVENT_TYPES
from infrastructure.bootstrap import Container


def decisions(container: Container) -> list[EventRecord]:
    """Every decision event in the whole log, in log order."""
    recorder = container.store.recorder
    notifications = recorder.select_notifications(
        start=0, limit=1_000_000, topics=topics_for(list(DECISION_EVENT_TYPES)), inclusive_of_start=False
    )
    return [record_of_notification(container.store.mapper, n) for n in notifications]


def applied_change_ids(container: Container) -> Counter[str]:
    rows = container.database.fetch_all(
        "SELECT change_id FROM task_status_changes UNION ALL SELECT change_id FROM problem_reports"
    )
    return Counter(str(row["change_id"]) for row in rows)


def assert_directory_matches_log(container: Container) -> list[EventRecord]:
    """Joins the directory's change tables with the log, both ways; returns the decisions."""
    decided = decisions(container)
    by_change = Counter(str(record.payload["change_id"]) for record in decided)
    twice = [change for change, count in by_change.items() if count > 1]
    assert not twice, f"changes decided more than once: {twice}"
    applied = applied_change_ids(container)
    assert all(count == 1 for count in applied.values())
    undecided = set(applied) - set(by_change)
    assert not undecided, f"directory changes no committed turn decided: {sorted(undecided)}"
    missing = set(by_change) - set(applied)
    assert not missing, f"decided changes never applied: {sorted(missing)}"
    return decided


def final_statuses_follow_the_log(container: Container) -> None:
    """Each task ends with the status its conversation decided last."""
    last: dict[str, str] = {}
    for record in decisions(container):
        if record.type == "TaskStatusChangeDecided":
            last[str(record.payload["task_id"])] = str(record.payload["status"])
    for task_id, status in last.items():
        row = container.database.fetch_one("SELECT status FROM tasks WHERE id = %s", (task_id,))
        assert row is not None and row["status"] == status, f"{task_id}: {row} but decided {status}"
