"""`daily_metrics`: per day, how much the bot was used and how well it understood."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, fields

from application.analytics import DailyDelta, fold_daily
from application.event_records import EventRecord
from infrastructure.database import Cursor
from infrastructure.projections.base import SqlProjection

_COUNTS = tuple(f.name for f in fields(DailyDelta))


class DailyMetricsProjection(SqlProjection):
    name = "daily_metrics"
    tables = ("daily_active_conversations", "daily_metrics")
    event_types = (
        "SessionOpened",
        "MessageReceived",
        "ButtonPressed",
        "DirectActionFailed",
        "IntentClassified",
    )

    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        active, metrics = tables["daily_active_conversations"], tables["daily_metrics"]
        days, active_pairs = fold_daily(records)
        cursor.insert_many(
            active,
            (("day", "date"), ("conversation_id", "uuid")),
            sorted(active_pairs),
            "ON CONFLICT DO NOTHING",
        )
        added = ", ".join(f"{c} = {metrics}.{c} + excluded.{c}" for c in _COUNTS)
        cursor.insert_many(
            metrics,
            (("day", "date"), *((c, "integer") for c in _COUNTS)),
            [(day, *astuple(delta)) for day, delta in sorted(days.items())],
            f"ON CONFLICT (day) DO UPDATE SET {added}",
        )
        # Distinct conversations cannot be added up; count them again for the days touched.
        touched = sorted({day for day, _ in active_pairs})
        cursor.execute_many(
            f"UPDATE {metrics} SET active_conversations = "
            f"(SELECT count(*) FROM {active} a WHERE a.day = %s) WHERE day = %s",
            [(day, day) for day in touched],
        )
