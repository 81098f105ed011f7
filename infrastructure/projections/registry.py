"""Every projection, by name."""

from __future__ import annotations

from infrastructure.projections.attention import AttentionProjection
from infrastructure.projections.base import SqlProjection
from infrastructure.projections.daily_metrics import DailyMetricsProjection
from infrastructure.projections.sessions import SessionsProjection
from infrastructure.projections.tool_usage import ToolUsageProjection

PROJECTIONS: dict[str, SqlProjection] = {
    p.name: p
    for p in (SessionsProjection(), DailyMetricsProjection(), ToolUsageProjection(), AttentionProjection())
}


class UnknownProjectionError(KeyError):
    def __str__(self) -> str:
        return f"no projection named {self.args[0]!r}; known: {', '.join(PROJECTIONS)}"


def projection_named(name: str) -> SqlProjection:
    try:
        return PROJECTIONS[name]
    except KeyError:
        raise UnknownProjectionError(name) from None
