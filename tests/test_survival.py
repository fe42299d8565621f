"""Kaplan-Meier quantiles and Aalen-Johansen incidence: scipy, hand arithmetic and theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.survival import (
    TOLERANCE,
    cumulative_incidence,
    cumulative_incidence_curve,
    km_quantile,
)

# Whole-day ages from a short range, so ties among endings and censorings are common.
deals = st.lists(st.tuples(st.integers(0, 12), st.booleans()), min_size=1, max_size=60)
levels = st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9, 1.0]) | st.floats(0.01, 1.0)


def scipy_quantile(ages: np.ndarray, ended: np.ndarray, level: float) -> float:
    """The smallest time where scipy's Kaplan-Meier CDF reaches `level` (same tolerance)."""
    data = stats.CensoredData(uncensored=ages[ended], right=ages[~ended])
    cdf = stats.ecdf(data).cdf
    reached = np.flatnonzero(cdf.probabilities >= level - TOLERANCE)
    return float(cdf.quantiles[reached[0]]) if len(reached) else math.nan


@settings(max_examples=60, deadline=None)
@given(deals, levels)
def test_km_quantile_matches_scipy_with_ties_and_censoring(observed, level):
    ages = np.array([age for age, _ in observed], float)
    ended = np.array([end for _, end in observed])
    assert km_quantile(ages, ended, level) == pytest.approx(
        scipy_quantile(ages, ended, level), nan_ok=True
    )


def test_km_quantile_counts_deals_censored_at_a_tie_as_still_at_risk():
    # Ended at 1 and 2, censored at 2, ended at 3: at 2 three are at risk, not two, so
    # the share ended after 2 is 1 - (3/4)(2/3) = 1/2 (with the censored one left out
    # of the risk set it would be 1 - (3/4)(1/2) = 5/8 and the median would still be 2,
    # but the 0.55 quantile would move from 3 to 2).
    ages = np.array([1.0, 2.0, 2.0, 3.0])
    ended = np.array([True, True, False, True])
    assert km_quantile(ages, ended, 0.5) == 2.0
    assert km_quantile(ages, ended, 0.55) == 3.0


def test_km_quantile_reaches_a_level_despite_rounding():
    # Five deals ending at 1..5: after the second the product gives 1 - (4/5)(3/4), which
    # is 0.3999999999999999 in floating point; 0.4 is reached at 2 all the same.
    ages = np.arange(1.0, 6.0)
    assert km_quantile(ages, np.ones(5, bool), 0.4) == 2.0


def test_km_quantile_is_nan_without_data_or_when_too_many_are_open():
    assert math.isnan(km_quantile(np.array([]), np.array([], bool), 0.5))
    assert math.isnan(km_quantile(np.array([1.0, 5.0]), np.array([True, False]), 0.9))


def test_without_censoring_incidence_is_the_plain_share():
    rng = np.random.default_rng(3)
    ages = rng.integers(0, 20, size=200).astype(float)
    cause = rng.random(200) < 0.3
    assert cumulative_incidence(ages, cause, np.ones(200, bool)) == pytest.approx(cause.mean())


@pytest.mark.parametrize("deals", [18, 25, 37])
def test_incidence_is_never_past_one_when_every_deal_ends_by_the_cause(deals):
    # 18 deals won at distinct ages summed their shares to 1.0000000000000002.
    ages, everyone = np.arange(1.0, deals + 1.0), np.ones(deals, bool)
    assert cumulative_incidence(ages, everyone, everyone) == 1.0
    assert cumulative_incidence_curve(ages, everyone, everyone)[1].max() == 1.0


def test_incidence_by_hand_with_censoring_and_ties():
    # age:   1      2      2         3      4         5
    # end:   cause  other  censored  cause  censored  other
    # At 1: 6 at risk, S(1-) = 1,   cause += 1 * 1/6;  S = 5/6.
    # At 2: 5 at risk (the deal censored at 2 still counts), other ends: S = 5/6 * 4/5 = 2/3.
    # At 3: 3 at risk, S(3-) = 2/3, cause += 2/3 * 1/3 = 2/9;  S = 4/9.
    # At 4: censored, nothing changes. At 5: 1 at risk, the other cause: S = 0.
    # Cause: 1/6 + 2/9 = 7/18 (the other cause gets 1/6 + 4/9 = 11/18; the two add to 1).
    ages = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0])
    ended = np.array([True, True, False, True, False, True])
    cause = np.array([True, False, False, True, False, False])
    times, values = cumulative_incidence_curve(ages, cause, ended)
    assert times.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert values == pytest.approx([1 / 6, 1 / 6, 7 / 18, 7 / 18, 7 / 18])
    assert cumulative_incidence(ages, cause, ended) == pytest.approx(7 / 18)
    assert cumulative_incidence(ages, ended & ~cause, ended) == pytest.approx(11 / 18)


def test_incidence_edge_cases():
    assert math.isnan(cumulative_incidence(np.array([]), np.array([], bool), np.array([], bool)))
    nothing = np.zeros(3, bool)
    assert cumulative_incidence(np.array([1.0, 2.0, 3.0]), nothing, np.ones(3, bool)) == 0.0
    with pytest.raises(ValueError, match="must have ended"):
        cumulative_incidence(np.array([1.0]), np.array([True]), np.array([False]))


def test_incidence_of_competing_exponential_risks_is_a_over_a_plus_b():
    # Cause at rate a, the other ending at rate b, censoring at rate c, all independent:
    # the eventual probability of the cause is a / (a + b).
    a, b, c, n = 1.0, 2.0, 0.75, 20_000
    rng = np.random.default_rng(20240611)
    to_cause, to_other = rng.exponential(1 / a, n), rng.exponential(1 / b, n)
    to_end = np.minimum(to_cause, to_other)
    to_censor = rng.exponential(1 / c, n)
    ended = to_end <= to_censor
    ages = np.where(ended, to_end, to_censor)
    cause = ended & (to_cause < to_other)
    p = a / (a + b)
    # The Aalen-Johansen estimator's asymptotic variance (its influence function, with
    # S(t) = exp(-(a+b)t), censoring survival exp(-ct) and F(inf) - F(t) = p S(t)) is
    # p(1-p)/n * (a+b)/(a+b-c): censoring inflates the binomial variance by 4/3 here.
    standard_error = math.sqrt(p * (1 - p) / n * (a + b) / (a + b - c))
    assert cumulative_incidence(ages, cause, ended) == pytest.approx(p, abs=4 * standard_error)
