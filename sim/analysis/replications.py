"""Experiments: replications of a scenario, all through `simulate_replication`.

Replications may run on several processes (`workers`): they are handed out in blocks,
and each block's tables are taken in replication order whatever order the blocks
finish in, so the results are the same, byte for byte, for any number of workers.
The deal table grows in place as replications arrive (`DealColumns`): a run holds
one copy of it, not the replications' parts and their concatenation at once.
"""

from __future__ import annotations

import math
import mmap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.records import CATEGORIES
from ..model.world import simulate_replication
from ..scenario import DEFAULT_SEED, Scenario, apply_overrides, load_scenario, validate
from .budget import estimate
from .executors import default_workers, execute

if TYPE_CHECKING:
    import pandas as pd  # imported when a table is made: worker processes never need it

Progress = Callable[[int], None]  # told how many more replications have finished
Replicate = Callable[[Scenario, int, int], Any]  # (scenario, seed, replication) -> its output

# Blocks of replications handed to worker processes: about this many per worker, so that
# a slow block does not leave the others idle at the end, and at most MAX_BLOCK
# replications each, so that the tables in flight (and a progress bar's steps) stay small.
BLOCKS_PER_WORKER = 8
MAX_BLOCK = 16
# Starting a process pool costs about half a second (its server imports the model): a run
# estimated to take less than this on one core runs here unless workers are asked for.
POOL_PAYS_AFTER_SECONDS = 1.0
# Room for the deal table, as a multiple of the first replication's deals times the
# replications: replications vary by a few percent, and room never written costs no memory.
ROOM = 1.25
GROWTH = 1.5  # when the room runs out after all


@dataclass(frozen=True)
class Results:
    """A run: its result tables, the validated scenario it ran and its root seed.

    The tables have one row per deal, per replication, per partner and replication,
    and per rep and replication. Together that is all `summarise`, the plots and the
    report need. Without `reps` (results made by hand) the per-rep figures are NaN.
    """

    deals: pd.DataFrame
    replications: pd.DataFrame
    partners: pd.DataFrame
    scenario: Scenario
    seed: int
    reps: pd.DataFrame | None = None

    @property
    def replication_count(self) -> int:
        """How many replications were run (the rows of `replications`)."""
        return len(self.replications)


def simulate(
    scenario: Scenario | str | Path,
    replications: int = 20,
    seed: int = DEFAULT_SEED,
    overrides: list[str] | tuple[str, ...] = (),
    workers: int | None = 1,
    progress: Progress | None = None,
) -> Results:
    """Run replications of a scenario and return its result tables.

    `scenario` is a Scenario or the path of a scenario file; `overrides` are
    'section.key=value' strings applied like the command line's --set. `workers`
    processes share the replications (None: all cores, for a run long enough to gain
    from them); the results are the same for any number. `progress(k)`, if given, is
    called each time k more replications are done.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        scenario = validate(apply_overrides(scenario.to_dict(), overrides), source="overrides")
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    collector = Collector(scenario, seed, replications)
    for _, parts in in_order(
        simulate_replication, [scenario], replications, seed, workers, progress
    ):
        for part in parts:
            collector.add(part)
    return collector.results()


def in_order(
    replicate: Replicate,
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    workers: int | None = 1,
    progress: Progress | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """`replicate(scenario, seed, r)` for r = 0 to `replications` - 1 and each scenario.

    Yields (index of the scenario, the outputs of a block of its replications), each
    scenario's blocks in replication order, whatever order the `workers` processes
    finish them in (a block finished early waits for those before it). `replicate`
    must be a module-level function, as worker processes import it. Closing the
    generator stops the workers.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1 (or None: all cores), got {workers}")
    if workers is None and _one_core_seconds(scenarios, replications) < POOL_PAYS_AFTER_SECONDS:
        workers = 1  # all cores would finish no sooner
    size = block_size(replications * len(scenarios), workers)
    tasks = [
        (replicate, index, scenario, seed, first, min(first + size, replications))
        for index, scenario in enumerate(scenarios)
        for first in range(0, replications, size)
    ]
    waiting: dict[tuple[int, int], list[Any]] = {}  # (scenario, first replication) -> outputs
    next_first = [0] * len(scenarios)
    work = execute(replicate_block, tasks, workers)
    try:
        for index, first, outputs in work:
            if progress is not None:
                progress(len(outputs))
            waiting[index, first] = outputs
            while (index, next_first[index]) in waiting:
                outputs = waiting.pop((index, next_first[index]))
                next_first[index] += len(outputs)
                yield index, list(outputs)
                # The pool may still hold the block (its future) a moment longer: emptied,
                # its tables are freed as soon as they are taken.
                outputs.clear()
    finally:
        work.close()  # stopped early (an error, Ctrl-C): stops the worker processes now


def _one_core_seconds(scenarios: Sequence[Scenario], replications: int) -> float:
    """The estimated time of the replications of every scenario on one core."""
    return sum(estimate(scenario, replications).seconds for scenario in scenarios)


def block_size(replications: int, workers: int | None) -> int:
    """How many replications one task runs: one at a time here, in blocks on a pool."""
    workers = workers or default_workers()
    if workers == 1:
        return 1  # no pool: nothing to save by grouping, and the finest progress
    return max(1, min(MAX_BLOCK, math.ceil(replications / (workers * BLOCKS_PER_WORKER))))


def replicate_block(
    replicate: Replicate, index: int, scenario: Scenario, seed: int, first: int, stop: int
) -> tuple[int, int, list[Any]]:
    """One task: replications `first` to `stop` - 1 of a scenario, and where they belong."""
    return index, first, [replicate(scenario, seed, r) for r in range(first, stop)]


class Collector:
    """The tables of a run, taken replication by replication (in order) as they are made."""

    def __init__(self, scenario: Scenario, seed: int, replications: int = 1):
        self.scenario = scenario
        self.seed = seed
        self.deals = DealColumns(replications)
        self.stats: list[dict[str, Any]] = []
        self.partners: list[dict[str, np.ndarray]] = []
        self.reps: list[dict[str, np.ndarray]] = []

    def add(self, part: dict[str, Any]) -> None:
        """The next replication's tables, as `simulate_replication` returns them."""
        self.deals.add(part["deals"])
        self.stats.append(part["stats"])
        self.partners.append(part["partners"])
        self.reps.append(part["reps"])

    def results(self) -> Results:
        import pandas as pd

        return Results(
            deals=self.deals.table(),
            replications=pd.DataFrame(self.stats),
            partners=pd.DataFrame(_stack(self.partners)),
            scenario=self.scenario,
            seed=self.seed,
            reps=pd.DataFrame(_stack(self.reps)),
        )


def collect(parts: list[dict[str, Any]], scenario: Scenario, seed: int) -> Results:
    """Stack the tables of several replications of `scenario` run with `seed`."""
    collector = Collector(scenario, seed, len(parts))
    for part in parts:
        collector.add(part)
    return collector.results()


def deal_table(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Stack per-replication deal columns into one DataFrame with labelled categories."""
    columns = DealColumns(len(parts))
    for part in parts:
        columns.add(part)
    return columns.table()


class DealColumns:
    """The deal table's columns, filled in place replication by replication.

    Each column is one array with room for the rows expected (`replications` times
    the first replication's deals, and some), copied into a larger one only if that
    is not enough, one column at a time. `table()` hands the filled rows to pandas
    without copying them.
    """

    def __init__(self, replications: int):
        self.replications = replications
        self.rows = 0
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, part: dict[str, np.ndarray]) -> None:
        """Append one replication's columns (every replication has the same ones)."""
        size = len(next(iter(part.values())))
        if not self.arrays:
            room = math.ceil(ROOM * size * self.replications) + 16
            self.arrays = {name: _room(room, column.dtype) for name, column in part.items()}
        end = self.rows + size
        if end > self.room:
            self._grow(max(end, math.ceil(self.room * GROWTH)))
        for name, column in part.items():
            self.arrays[name][self.rows : end] = column
        self.rows = end

    @property
    def room(self) -> int:
        return len(next(iter(self.arrays.values()))) if self.arrays else 0

    def _grow(self, room: int) -> None:
        for name, old in self.arrays.items():  # one column at a time: one extra column at most
            new = _room(room, old.dtype)
            new[: self.rows] = old[: self.rows]
            self.arrays[name] = new
            del old

    def table(self) -> pd.DataFrame:
        """The DataFrame, category columns labelled; the columns are no longer added to."""
        import pandas as pd

        columns: dict[str, Any] = {}
        for name, array in self.arrays.items():
            rows = array[: self.rows]
            labels = CATEGORIES.get(name)
            columns[name] = (
                rows if labels is None else pd.Categorical.from_codes(rows, categories=list(labels))
            )
        self.arrays = {}
        return pd.DataFrame(columns, copy=False)


def _room(size: int, dtype: np.dtype) -> np.ndarray:
    """An empty array of `size` elements in memory of its own (a private anonymous mapping).

    The operating system provides its pages as they are first written, 4 KiB at a time,
    so room that is never written takes no memory, and all of it is given back when
    the array is dropped. (numpy's own arrays of this size ask for 2 MiB pages, and
    the page holding the last row written then takes up to 2 MiB per column.)
    """
    dtype = np.dtype(dtype)
    private = getattr(mmap, "MAP_PRIVATE", None)  # copy-on-write in a forked process
    if private is None:  # Windows: numpy's own
        return np.empty(size, dtype=dtype)
    memory = mmap.mmap(-1, max(size * dtype.itemsize, 1), flags=private)
    return np.frombuffer(memory, dtype=dtype, count=size)


def _stack(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
