"""Progress bars for long runs, shown on a terminal only."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")


def is_terminal() -> bool:
    """Whether stdout is a terminal: the progress bar is shown only there."""
    return sys.stdout.isatty()


@contextlib.contextmanager
def progress_bar(
    total: int, name: str, unit: str, done: int = 0, transient: bool = False
) -> Iterator[Callable[[int], None]]:
    """A bar of how many of `total` `unit` are done, with the rate and the time left.

    Inside, call what it gives with the number of units just finished. `done` units were
    finished before (by an interrupted run). A `transient` bar is erased at the end.
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
        TextColumn(unit),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=transient) as bar:
        task = bar.add_task(name, total=total, completed=done, rate="")

        def advance(count: int) -> None:
            bar.advance(task, count)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:.1f}/s" if speed else "")

        yield advance


def with_progress(items: Iterable[Item], done: int, total: int, name: str) -> Iterator[Item]:
    """Pass a sweep's points on while a bar shows how many of `total` are done, rate and time left.

    `done` points were finished before, by an interrupted run.
    """
    with progress_bar(total, name, "points", done) as advance:
        for item in items:
            yield item
            advance(1)


@contextlib.contextmanager
def working(what: str, shown: bool = True) -> Iterator[None]:
    """While inside, a spinner says `what` is going on and for how long (if `shown`); erased after.

    For work that cannot say how far it has got, such as the one replication of a trace.
    """
    if not shown:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as spinner:
        spinner.add_task(what, total=None)
        yield
