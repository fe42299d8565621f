"""Statistics: the confidence level, the Student t interval of a mean, tests of differences, Wilson.

Every interval in the project comes from here: summary.json's win-rate interval, the
paired and independent differences of `compare` and the report, and the per-point
intervals of a sweep (`half_width` works on whole columns at once).

The t quantile and the paired t-test's p-value come from `scipy.special` (the functions
`scipy.stats` itself calls, with its arithmetic, so the numbers are the same to the last
bit; tests/test_light_statistics.py checks): `scipy.stats` takes about a second to
import, `scipy.special` is loaded by the model anyway. Welch's test and Wilson's
interval, used by the report and scripts only, import `scipy.stats` when called.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

CONFIDENCE = 0.95


def half_width(spread: Any, count: Any) -> Any:
    """Half-width of the Student t interval of the mean of `count` values with spread `spread`.

    Works on numbers or on numpy arrays alike (one interval per element); with fewer
    than two values the result is NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return t_quantile(0.5 + CONFIDENCE / 2, count - 1) * spread / np.sqrt(count)


def t_quantile(probability: float, df: Any) -> Any:
    """The Student t distribution's `probability` quantile with `df` degrees of freedom.

    `scipy.stats.t.ppf` exactly (NaN for df <= 0), without importing scipy.stats.
    """
    return special.stdtrit(df, probability)


def t_interval(values: np.ndarray) -> tuple[float, float]:
    """The Student t interval of the mean of `values`.

    NaN with fewer than two values; the mean itself when all values are equal.
    """
    if len(values) < 2:
        return math.nan, math.nan
    centre = float(values.mean())
    if no_spread(values):
        return centre, centre
    half = float(half_width(values.std(ddof=1), len(values)))
    return centre - half, centre + half


def mean_interval(differences: np.ndarray) -> dict[str, Any]:
    """Mean of paired differences, its t interval and the two-sided p-value of 'mean = 0'."""
    estimate = mean(differences)
    if len(differences) < 2 or no_spread(differences):
        return {"estimate": estimate, **_degenerate(estimate, len(differences))}
    low, high = t_interval(differences)
    return {
        "estimate": estimate,
        "ci": [low, high],
        "p_value": t_test_p_value(differences),
    }


def t_test_p_value(values: np.ndarray) -> float:
    """Two-sided p-value of the one-sample t-test of 'mean = 0' (at least two values).

    `scipy.stats.ttest_1samp(values, 0.0).pvalue` with its arithmetic step by step (mean,
    variance from the demeaned squares, standard error, 2 * t.sf(|t|)), so it is the
    same number, without importing scipy.stats.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    centre = np.mean(values)
    variance = np.mean((values - np.mean(values, keepdims=True)) ** 2) * (float(n) / (n - 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.divide(centre - 0.0, np.sqrt(variance / n))
    return float(2 * special.stdtr(float(n - 1), -np.abs(statistic)))


def welch_difference(left: np.ndarray, right: np.ndarray) -> dict[str, Any]:
    """Mean of `right` less mean of `left`, independent samples: Welch's t interval and p-value."""
    estimate = mean(right) - mean(left)
    from scipy import stats  # a second to import: only the report and scripts come here

    n = min(len(left), len(right))
    if n < 2 or (np.ptp(left) == 0 and np.ptp(right) == 0):
        return {"estimate": estimate, **_degenerate(estimate, n)}
    test = stats.ttest_ind(right, left, equal_var=False)
    interval = test.confidence_interval(CONFIDENCE)
    return {
        "estimate": estimate,
        "ci": [float(interval.low), float(interval.high)],
        "p_value": float(test.pvalue),
    }


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """Wilson's score interval of a proportion; NaN without trials."""
    from scipy import stats

    if trials == 0:
        return math.nan, math.nan
    result = stats.binomtest(successes, trials).proportion_ci(CONFIDENCE, method="wilson")
    return float(result.low), float(result.high)


def _degenerate(estimate: float, n: int) -> dict[str, Any]:
    """Interval and p-value when there is no spread to estimate, or too few values."""
    if n < 2:
        return {"ci": [math.nan, math.nan], "p_value": math.nan}
    # Every difference equal: the interval collapses; a nonzero constant difference is certain.
    return {"ci": [estimate, estimate], "p_value": 1.0 if estimate == 0 else 0.0}


def no_spread(values: np.ndarray) -> bool:
    """All values equal up to rounding (scipy would warn of catastrophic cancellation)."""
    scale = max(float(np.abs(values).max()), 1.0)
    return float(np.ptp(values)) <= 1e-12 * scale


def mean(values: np.ndarray) -> float:
    """The mean; NaN for no values."""
    return float(values.mean()) if len(values) else math.nan
