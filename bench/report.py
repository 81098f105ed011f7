"""Result lines, the printed table and the JSON file."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    op: str  # ">=" or "<="
    limit: float

    def met(self, ratio: float) -> bool:
        return ratio >= self.limit if self.op == ">=" else ratio <= self.limit

    def __str__(self) -> str:
        return f"{self.op} {self.limit:g}"


@dataclass
class Line:
    """One measurement: the median of its rounds, and a baseline when it has one."""

    section: str
    label: str
    value: float
    unit: str
    samples: list[float] = field(default_factory=list)
    baseline: float | None = None
    baseline_label: str = ""
    baseline_samples: list[float] = field(default_factory=list)
    target: Target | None = None
    must_pass: bool = False  # a correctness check: missing it fails the run

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def verdict(self) -> str:
        ratio = self.ratio
        if self.target is None or ratio is None or math.isnan(ratio):
            return ""
        return "ok" if self.target.met(ratio) else "MISSED"


def _number(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f} {unit}".strip()


def render(lines: list[Line]) -> str:
    header = ("measurement (median of rounds)", "value", "baseline (same run)", "ratio", "target")
    rows: list[tuple[str, ...] | str] = []
    section = None
    for line in lines:
        if line.section != section:
            section = line.section
            rows.append(section)
        baseline = ""
        if line.baseline is not None:
            baseline = f"{_number(line.baseline, line.unit)}  {line.baseline_label}".strip()
        ratio = f"{line.ratio:.2f}" if line.ratio is not None else ""
        target = f"{line.target} {line.verdict}" if line.target else ""
        rows.append(("  " + line.label, _number(line.value, line.unit), baseline, ratio, target))
    cells = [header, *[r for r in rows if isinstance(r, tuple)]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        left, value, baseline, ratio, target = row
        return (
            f"{left:<{widths[0]}}  {value:>{widths[1]}}  {baseline:<{widths[2]}}  "
            f"{ratio:>{widths[3]}}  {target}"
        ).rstrip()

    rule = "-" * (sum(widths) + 2 * len(widths) + 6)
    out = [fmt(header), rule]
    for row in rows:
        out.append(row if isinstance(row, str) else fmt(row))
    return "\n".join(out)


def write_json(path: Path, lines: list[Line], meta: dict[str, Any]) -> None:
    results = [
        {**asdict(line), "target": str(line.target) if line.target else None}
        | {"ratio": line.ratio, "verdict": line.verdict or None}
        for line in lines
    ]
    path.write_text(json.dumps({**meta, "results": results}, indent=2, default=str) + "\n", encoding="utf-8")
