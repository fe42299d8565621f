"""Warm-up: where the start-up transient of an output series ends.

A run starts with an empty pipeline, so early periods are not typical of the steady
state. MSER-5 (White 1997; Hoad, Robinson & Davies 2011) picks the truncation point
automatically; Welch's moving average (Law & Kelton) is the picture to check it by eye.
Both are usually applied to the mean over replications of a per-period series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The statistic over the last few batch means rests on too few values and falls towards
# zero (it is exactly zero with one batch left), so the search leaves them out, as
# kim-convergence's mser_m does by default.
END_BATCHES_IGNORED = 5


@dataclass(frozen=True, eq=False)
class Truncation:
    """Where MSER says the warm-up ends.

    `observations` to delete from the start (`batches` times the batch size), the MSER
    statistic for each number of batches deleted, and `too_short`: the statistic's
    minimum lies in the second half of the series, so the run does not reach a steady
    state long enough to trust; make it longer.
    """

    observations: int
    batches: int
    statistic: np.ndarray
    too_short: bool


def mser(series: np.ndarray, batch: int = 5) -> Truncation:
    """MSER-`batch` truncation of `series`: delete the start that minimises the MSER statistic.

    The series is cut into means of `batch` consecutive observations (an incomplete last
    batch is dropped); deleting d batch means of m leaves Z_{d+1..m}, and the statistic
    sum (Z_i - mean)^2 / (m - d)^2 weighs the bias removed against the precision lost.
    Only d up to m // 2 are chosen; a smaller statistic further on sets `too_short`, as
    does a series too short to look past its middle (under 13 batches: no truncation).
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    means = batch_means(np.asarray(series, float), batch)
    statistic = mser_statistic(means)
    half = len(means) // 2
    searched = statistic[: len(means) - END_BATCHES_IGNORED]
    if len(searched) <= half + 1:  # nothing past the middle to compare with
        return Truncation(observations=0, batches=0, statistic=statistic, too_short=True)
    chosen = int(np.argmin(statistic[: half + 1]))
    too_short = int(np.argmin(searched)) > half
    return Truncation(chosen * batch, chosen, statistic, too_short)


def mser_statistic(means: np.ndarray) -> np.ndarray:
    """For each d, the spread of means[d:] about their mean, over (m - d) squared."""
    centred = means - means.mean() if len(means) else means  # less cancellation in the sums
    left = np.arange(len(means), 0, -1)  # m - d
    total = np.cumsum(centred[::-1])[::-1]
    squares = np.cumsum((centred**2)[::-1])[::-1]
    spread = np.maximum(squares - total**2 / left, 0.0)
    return spread / left**2


def batch_means(series: np.ndarray, batch: int) -> np.ndarray:
    """Means of consecutive batches of `batch` observations; an incomplete last one is dropped."""
    count = len(series) // batch
    return series[: count * batch].reshape(count, batch).mean(axis=1)


def welch_moving_average(series: np.ndarray, window: int) -> np.ndarray:
    """Welch's moving average over 2 `window` + 1 observations, shorter at the start.

    Value i (from 1) averages the 2i - 1 observations centred on i while i <= `window`,
    then the 2 `window` + 1 centred on i; there are n - `window` values.
    """
    if window < 0:
        raise ValueError(f"window must not be negative, not {window}")
    values = np.asarray(series, float)
    sums = np.concatenate(([0.0], np.cumsum(values)))
    centre = np.arange(max(len(values) - window, 0))
    reach = np.minimum(centre, window)
    return (sums[centre + reach + 1] - sums[centre - reach]) / (2 * reach + 1)


def running_mean(series: np.ndarray) -> np.ndarray:
    """The mean of the first 1, 2, ..., n observations."""
    values = np.asarray(series, float)
    return np.cumsum(values) / np.arange(1, len(values) + 1)


def mean_over_replications(matrix: np.ndarray) -> np.ndarray:
    """Mean of each period (column) over the replications (rows), NaN ignored.

    A period with no value in any replication is NaN, without numpy's warning.
    """
    values = np.atleast_2d(np.asarray(matrix, float))
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, values, 0.0).sum(axis=0) / present.sum(axis=0)
