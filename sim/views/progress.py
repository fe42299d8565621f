"""A progress bar for long runs, shown on a terminal only."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")


def is_terminal() -> bool:
    """Whether stdout is a terminal: the progress bar is shown only there."""
    return sys.stdout.isatty()


def with_progress(items: Iterable[Item], done: int, total: int, name: str) -> Iterator[Item]:
    """Pass a sweep's points on while a bar shows how many of `total` are done, rate and time left.

    `done` points were finished before, by an interrupted run.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("points"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task(name, total=total, completed=done, rate="")
        for item in items:
            yield item
            bar.advance(task)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:.1f}/s" if speed else "")
