"""`tool_usage`: per tool and day, how often it ran and how often it failed."""

from __future__ import annotations

from collections.abc import Sequence

from application.analytics import fold_tools
from application.event_log.records import EventRecord
from infrastructure.database import Cursor
from infrastructure.projections.base import SqlProjection


class ToolUsageProjection(SqlProjection):
    name = "tool_usage"
    tables = ("tool_usage",)
    event_types = ("ToolOutputRecorded",)
    opens = ()  # tool names and outcomes are in clear

    def apply(self, cursor: Cursor, records: Sequence[EventRecord], tables: dict[str, str]) -> None:
        usage = tables["tool_usage"]
        cursor.insert_many(
            usage,
            (("day", "date"), ("tool", "text"), ("calls", "integer"), ("failures", "integer")),
            [(day, tool, d.calls, d.failures) for (day, tool), d in sorted(fold_tools(records).items())],
            f"ON CONFLICT (day, tool) DO UPDATE SET calls = {usage}.calls + excluded.calls, "
            f"failures = {usage}.failures + excluded.failures",
        )
