"""Warm-up detection: MSER-5 on series with known transients, Welch's average by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.steady_state import (
    mean_over_replications,
    mser,
    mser_statistic,
    running_mean,
    welch_moving_average,
)

SEEDS = range(5)


def decaying_start(seed: int) -> np.ndarray:
    """iid N(0, 1) plus a bias 10 exp(-t / 40) for the first 200 points, then 2000 without."""
    t = np.arange(2200)
    bias = np.where(t < 200, 10 * np.exp(-t / 40), 0.0)
    return bias + np.random.default_rng(seed).normal(size=len(t))


@pytest.mark.parametrize("seed", SEEDS)
def test_mser_truncates_near_the_end_of_a_known_transient(seed):
    found = mser(decaying_start(seed))
    # At least up to t = 40 ln 5 = 64 the bias exceeds twice the noise of one observation,
    # so keeping those would be plainly worse. After t = 200 the series is iid, where MSER
    # truncates within 100 observations with high probability (see the iid test below:
    # 99% of 500 seeds under 60), hence at most 300.
    assert 64 <= found.observations <= 300
    assert found.observations == 5 * found.batches
    assert not found.too_short


def test_mser_barely_truncates_a_stationary_series():
    # With iid data every truncation is unbiased and the statistic, about
    # var(Z)(k - 1) / k^2 with k batches kept, grows as batches are deleted: the minimum
    # lands early, moved only by noise (in 500 seeds the largest truncation was 110 of
    # 2000). Allowing 10% of the series, every one of 20 seeds must pass.
    for seed in range(20):
        found = mser(np.random.default_rng(seed).normal(size=2000))
        assert found.observations <= 200
        assert not found.too_short


def test_mser_flags_a_series_that_is_all_transient():
    trend = np.arange(1000.0) + np.random.default_rng(1).normal(size=1000)
    assert mser(trend).too_short
    assert mser(np.arange(100.0)).too_short


def test_mser_flags_a_series_too_short_to_judge():
    found = mser(np.random.default_rng(0).normal(size=60))  # 12 batches
    assert (found.observations, found.too_short) == (0, True)


def test_mser_statistic_by_definition():
    means = np.array([9.0, 4.0, 1.0, 2.0, 1.5])
    expected = [((means[d:] - means[d:].mean()) ** 2).sum() / (5 - d) ** 2 for d in range(5)]
    assert mser_statistic(means) == pytest.approx(expected, abs=1e-12)


def test_mser_drops_an_incomplete_last_batch():
    series = decaying_start(0)
    extended = np.concatenate((series, [50.0, 50.0, 50.0]))
    assert mser(extended).statistic == pytest.approx(mser(series).statistic)


def test_welch_moving_average_by_hand():
    series = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    expected = [
        3.0,  # i = 1: the first observation alone
        (3 + 1 + 4) / 3,  # i = 2: the 3 centred on it
        (3 + 1 + 4 + 1 + 5) / 5,  # from i = 3 = window + 1: 2 window + 1 = 5 centred on i
        (1 + 4 + 1 + 5 + 9) / 5,
        (4 + 1 + 5 + 9 + 2) / 5,
        (1 + 5 + 9 + 2 + 6) / 5,
    ]
    assert welch_moving_average(series, 2) == pytest.approx(expected)


def test_welch_moving_average_has_n_minus_window_values():
    series = np.arange(10.0)
    assert [len(welch_moving_average(series, w)) for w in (0, 1, 4, 10, 12)] == [10, 9, 6, 0, 0]
    assert welch_moving_average(series, 0) == pytest.approx(series)


def test_running_mean():
    assert running_mean(np.array([2.0, 4.0, 0.0, 6.0])) == pytest.approx([2.0, 3.0, 2.0, 3.0])


def test_mean_over_replications_ignores_missing_values():
    matrix = np.array([[1.0, np.nan, np.nan], [3.0, 5.0, np.nan]])
    result = mean_over_replications(matrix)  # no "mean of empty slice" warning either
    assert result[:2] == pytest.approx([2.0, 5.0])
    assert math.isnan(result[2])
