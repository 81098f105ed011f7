"""Progress bars with rate and ETA for long work (rebuilds, exports, catch-up)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} positions/s" if speed else "", style="progress.data.speed")


@contextmanager
def log_progress(
    console: Console, label: str, *, total: int, start: int = 0
) -> Iterator[Callable[[int], None]]:
    """Yields `advance(position)`; shows position/total, rate and time left on `console`."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=max(total, 1), completed=min(start, total))

        def advance(position: int) -> None:
            progress.update(task, completed=min(position, total))

        yield advance
        progress.update(task, completed=max(total, 1))
