"""The replication algorithm: theory for iid values, the look-ahead, budget, NaN, relative."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.sequential import replicate_until
from sim.analysis.statistics import half_width


def normal_values(seed: int, mean: float = 0.0, spread: float = 1.0):
    """next_value for iid normal replications, each drawn from its own seeded stream."""
    return lambda r: mean + spread * np.random.default_rng([seed, r]).normal()


def test_iid_values_need_about_the_theoretical_number():
    spread, target, seeds = 1.0, 0.15, 12
    theory = next(n for n in range(2, 10_000) if half_width(spread, n) <= target)  # 174
    ratios = []
    for seed in range(100, 100 + seeds):
        result = replicate_until(normal_values(seed, spread=spread), target)
        assert result.reached
        assert result.replications == result.needed + result.needed * 5 // 100  # n > 100
        ratios.append(result.needed / theory)
    # The sample spread after n values has relative error about 1/sqrt(2n), so the n at
    # which t s / sqrt(n) falls to the target has relative error about sqrt(2/n)
    # (n grows as s^2). The look-ahead only delays by a few. Four standard errors of the
    # mean over the seeds (300 seeds gave a mean of 0.99, spread 0.11):
    assert np.mean(ratios) == pytest.approx(1.0, abs=4 * math.sqrt(2 / theory / seeds))


def test_look_ahead_rejects_a_precision_met_by_chance():
    # Three equal values give a zero half-width; the fourth destroys it. After that the
    # zeros narrow the interval steadily, so the answer is the first n where it is met.
    values = [0.0, 0.0, 0.0, 10.0] + [0.0] * 100
    hasty = replicate_until(values.__getitem__, 2.0, look_ahead=0)
    assert (hasty.needed, hasty.replications) == (3, 3)
    result = replicate_until(values.__getitem__, 2.0, look_ahead=5)
    needed = result.needed
    assert needed is not None and needed > 4
    assert result.precision[3] > 2.0  # lost at 4
    assert result.precision[needed - 2] > 2.0 >= result.precision[needed - 1]
    assert result.replications == needed + 5  # n <= 100: five more
    assert (result.precision[needed - 1 :] <= 2.0).all()


def test_look_ahead_restarts_when_the_precision_is_lost_midway():
    # Met at 3 (all zero), still met at 4 with a tiny wobble, then lost at 5.
    values = [0.0, 0.0, 0.0, 1e-3, 10.0] + [0.0] * 100
    result = replicate_until(values.__getitem__, 2.0, look_ahead=5)
    assert result.precision[3] <= 2.0 < result.precision[4]
    assert result.needed is not None and result.needed > 5


def test_budget_is_respected():
    calls = []

    def value(r: int) -> float:
        calls.append(r)
        return normal_values(1)(r)

    result = replicate_until(value, 1e-6, budget=50)
    assert (result.reached, result.needed, result.replications) == (False, None, 50)
    assert calls == list(range(50))


def test_budget_running_out_during_the_look_ahead_is_not_reached():
    result = replicate_until(lambda r: 1.0, 0.1, look_ahead=5, budget=6)  # met at 3, needs 8
    assert (result.reached, result.replications) == (False, 6)


def test_missing_values_count_as_run_but_not_in_the_interval():
    result = replicate_until(lambda r: math.nan if r % 3 == 0 else float(r), 1e-9, budget=10)
    present = np.array([1.0, 2.0, 4.0, 5.0, 7.0, 8.0])
    assert result.replications == 10
    assert np.isnan(result.values).sum() == 4
    assert result.mean == pytest.approx(present.mean())
    assert result.half_width == pytest.approx(half_width(present.std(ddof=1), len(present)))
    assert np.isnan(result.precision[:2]).all()  # fewer than two values until r = 2
    assert not np.isnan(result.precision[2:]).any()


def test_relative_precision_ignores_the_scale():
    small = replicate_until(normal_values(5, mean=100.0, spread=10.0), 0.02, relative=True)
    large = replicate_until(lambda r: 8 * normal_values(5, 100.0, 10.0)(r), 0.02, relative=True)
    assert small.reached and small.needed == large.needed
    assert small.precision[-1] == pytest.approx(small.half_width / abs(small.mean))
    absolute = replicate_until(normal_values(5, 100.0, 10.0), 0.02, budget=200)
    assert not absolute.reached  # a half-width of 0.02 with spread 10 needs ~10^6


def test_progress_is_told_after_each_replication():
    seen = []
    result = replicate_until(normal_values(2), 0.5, progress=seen.append)
    assert seen == list(range(1, result.replications + 1))
