"""How many replications: add them until the interval of the mean is narrow enough.

The replication algorithm of Hoad, Robinson & Davies (2010), as sim-tools implements
it in ReplicationsAlgorithm: once the confidence interval's half-width is at or below
the target, run a few more (the look-ahead) and accept only if it stays there, since
a narrow interval after few replications is often luck in the spread.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Sequential:
    """What the replications gave, and whether they reached the target precision.

    `values` holds one metric per replication run (NaN where it had none); `mean` and
    `half_width` use all of them, look-ahead included. `precision` is the history after
    each replication, in the target's units (NaN while fewer than two values).
    `needed` is the algorithm's answer, the number after which the precision held
    through the look-ahead; None when the budget ran out first.
    """

    values: np.ndarray
    mean: float
    half_width: float
    precision: np.ndarray
    target: float
    relative: bool
    needed: int | None

    @property
    def replications(self) -> int:
        """Replications run, look-ahead included."""
        return len(self.values)

    @property
    def reached(self) -> bool:
        """The precision reached the target and held through the look-ahead."""
        return self.needed is not None


def replicate_until(
    next_value: Callable[[int], float],
    target: float,
    *,
    initial: int = 3,
    look_ahead: int = 5,
    budget: int = 1000,
    relative: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Sequential:
    """Call `next_value(0)`, `next_value(1)`, ... until the mean is known to within `target`.

    Each call runs one replication and returns its metric, or NaN when it had none (it
    counts as run but not in the interval). From `initial` replications on, the
    precision is the CONFIDENCE Student t half-width of the mean, divided by |mean| when
    `relative`. When it is at or below `target` at n replications, it must stay there
    for each of the next `look_ahead` replications (n * look_ahead / 100, rounded down,
    beyond n = 100); otherwise the search goes on from where it failed. Never more than
    `budget` replications; `progress(r)` is called after the r-th.

    For a comparison, let `next_value(r)` return replication r of one setting less
    replication r of the other (common random numbers): the interval is then that of
    the paired difference.
    """
    # statistics imports scipy.special (a quarter of a second): only when replications are run.
    from sim.analysis.statistics import half_width

    values: list[float] = []
    precision: list[float] = []
    met_at: int | None = None
    while len(values) < budget:
        values.append(float(next_value(len(values))))
        if progress is not None:
            progress(len(values))
        half, mean = _interval(np.array(values), half_width)
        precision.append(_precision(half, mean, relative))
        if len(values) < initial or not precision[-1] <= target:
            met_at = None
            continue
        if met_at is None:
            met_at = len(values)
        if len(values) - met_at >= _look_ahead(met_at, look_ahead):
            break
    else:
        met_at = None  # the budget ran out before the look-ahead was through
    array = np.array(values)
    half, mean = _interval(array, half_width)
    return Sequential(array, mean, half, np.array(precision), target, relative, met_at)


def _interval(values: np.ndarray, half_width: Callable) -> tuple[float, float]:
    """Half-width and mean of the values that are not NaN (NaN for fewer than two)."""
    present = values[~np.isnan(values)]
    if len(present) < 2:
        return math.nan, float(present.mean()) if len(present) else math.nan
    return float(half_width(present.std(ddof=1), len(present))), float(present.mean())


def _precision(half: float, mean: float, relative: bool) -> float:
    """The half-width, or the half-width relative to |mean| (infinite when the mean is 0)."""
    if not relative:
        return half
    return half / abs(mean) if mean != 0 else math.inf


def _look_ahead(replications: int, look_ahead: int) -> int:
    """More replications to confirm a precision met at `replications` (HRD's kLimit)."""
    return look_ahead if replications <= 100 else replications * look_ahead // 100
