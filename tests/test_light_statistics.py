"""The light t quantile and t-test p-value: scipy.stats' numbers to the last bit, without it.

`sim.analysis.statistics` computes them with `scipy.special`, so that commands need not
import `scipy.stats` (about a second) for a quantile; the intervals, p-values and
verdicts of every command must stay the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import imported_after
from scipy import stats

from sim.analysis.statistics import CONFIDENCE, half_width, t_quantile, t_test_p_value


def test_t_quantile_is_scipy_stats_to_the_last_bit():
    df = np.array([-1, 0, 1, 2, 3, 4, 5, 9, 19, 29, 49, 99, 199, 999, 10**6, np.inf, np.nan])
    for probability in (0.5 + CONFIDENCE / 2, 0.9, 0.995, 0.5, 0.025):
        light = t_quantile(probability, df)
        heavy = stats.t.ppf(probability, df)
        assert np.array_equal(light, heavy, equal_nan=True), probability
    for count in range(-1, 1200):
        with np.errstate(invalid="ignore", divide="ignore"):
            heavy = stats.t.ppf(0.5 + CONFIDENCE / 2, count - 1) * 1.2345 / np.sqrt(count)
        assert np.array_equal(half_width(1.2345, count), heavy, equal_nan=True), count


def test_half_width_of_columns_is_scipy_stats_to_the_last_bit():
    rng = np.random.default_rng(3)
    spread = rng.exponential(size=500)
    spread[::7] = np.nan
    count = rng.integers(0, 60, size=500)
    with np.errstate(invalid="ignore", divide="ignore"):
        heavy = stats.t.ppf(0.5 + CONFIDENCE / 2, count - 1) * spread / np.sqrt(count)
    assert np.array_equal(half_width(spread, count), heavy, equal_nan=True)


@pytest.mark.parametrize("size", [2, 3, 5, 20, 100, 1000])
def test_t_test_p_value_is_scipy_stats_to_the_last_bit(size):
    rng = np.random.default_rng(size)
    for shift in (0.0, 0.05, 0.3, 1.0, 5.0):
        for scale in (1e-3, 1.0, 1e5):
            values = (rng.normal(shift, 1.0, size) * scale).astype(float)
            assert t_test_p_value(values) == float(stats.ttest_1samp(values, 0.0).pvalue)
    rates = rng.integers(-3, 4, size) / 470  # differences of win rates: few distinct values
    if np.ptp(rates) > 0:
        assert t_test_p_value(rates) == float(stats.ttest_1samp(rates, 0.0).pvalue)


def test_commands_do_not_import_scipy_stats_for_intervals():
    commands = (
        "import sim.analysis.compare, sim.analysis.summary, sim.analysis.sweep, "
        "sim.analysis.precision, sim.cli"
    )
    assert imported_after(commands, ("scipy.stats",)) == []
