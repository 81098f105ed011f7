"""`daily_metrics`: per day, how much the bot was used and how well it understood."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, fields
from datetime import date

from application.analytics import DailyDelta, fold_daily
from application.event_log.records import EventRecord
from infrastructure.database import Cursor
from infrastructure.projections.base import SqlProjection, between_erasures

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
        "Erased",
    )
    opens = ()  # counts, intents and times are in clear

    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        for run, erased in between_erasures(records):
            if run:
                self._fold(cursor, run, tables)
            if erased is not None:
                # Which days they were active goes; the days' counts stay as they were.
                cursor.execute(
                    f"DELETE FROM {tables['daily_active_conversations']} WHERE conversation_id = %s",
                    (str(erased),),
                )

    def _fold(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        active, metrics = tables["daily_active_conversations"], tables["daily_metrics"]
        days, active_pairs = fold_daily(records)
        touched = sorted({day for day, _ in active_pairs})
        before = _active_counts(cursor, active, touched)
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
        # Distinct conversations cannot be added up: add the pairs new to each day touched.
        # (Not a recount, so a day keeps counting a conversation erased since.)
        after = _active_counts(cursor, active, touched)
        cursor.execute_many(
            f"UPDATE {metrics} SET active_conversations = active_conversations + %s WHERE day = %s",
            [(after[day] - before[day], day) for day in touched if after[day] != before[day]],
        )


def _active_counts(cursor: Cursor, active: str, days: list[date]) -> dict[date, int]:
    counts = dict.fromkeys(days, 0)
    if not days:
        return counts
    by_text = {day.isoformat(): day for day in days}
    marks = ", ".join(["%s"] * len(days))
    rows = cursor.fetch_all(
        f"SELECT day, count(*) AS n FROM {active} WHERE day IN ({marks}) GROUP BY day", days
    )
    for row in rows:
        day = row["day"]
        counts[by_text[day.isoformat() if isinstance(day, date) else str(day)]] = int(row["n"])
    return counts
