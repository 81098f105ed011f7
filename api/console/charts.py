"""Line charts as SVG, drawn on the server: no script, nothing to download, readable without colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 12, 28


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    values: list[float | None]  # one per day; None where a rate has no denominator
    percent: bool = False


def line_chart(series: Series, days: Sequence[date]) -> str:
    """One series over `days`: a polyline, a point per day (with its value as a tooltip), axes."""
    values = series.values
    known = [v for v in values if v is not None]
    top = 1.0 if series.percent else _nice(max(known, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(days) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(days) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h if top else TOP + plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(series.title)}" data-series="{escape(series.key)}" data-points="{len(days)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(series.title)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        gy = y(top * fraction)
        label = _label(top * fraction, series.percent)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end">{label}</text>')
    for i in _tick_indexes(len(days)):
        parts.append(
            f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{days[i]:%d/%m}</text>'
        )
    segment: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            parts.extend(_polyline(segment))
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
    parts.extend(_polyline(segment))
    for i, value in enumerate(values):
        shown = "no data" if value is None else _label(value, series.percent)
        cy = y(value) if value is not None else TOP + plot_h
        css = "point" if value is not None else "point empty"
        parts.append(
            f'<circle class="{css}" cx="{x(i):.1f}" cy="{cy:.1f}" r="3.5">'
            f"<title>{days[i].isoformat()}: {shown}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: list[str]) -> list[str]:
    return [f'<polyline class="line" points="{" ".join(points)}"/>'] if len(points) > 1 else []


def _tick_indexes(count: int) -> list[int]:
    if count <= 1:
        return list(range(count))
    every = max(1, round(count / 7))
    ticks = list(range(0, count, every))
    if ticks[-1] != count - 1 and count - 1 - ticks[-1] >= every / 2:
        ticks.append(count - 1)
    return ticks


def _nice(value: float) -> float:
    """A round top for the y axis, at or above the largest value."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
