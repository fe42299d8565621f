"""The model reduced to textbook cases reproduces the theory.

Tolerances come from the sample size (KS p-values, t intervals over independent
replications), not from tuning; seeds are fixed so results are reproducible.
"""

from __future__ import annotations

import math

import numpy as np
from conftest import scenario
from scipy import stats

from sim.analysis.replications import simulate
from sim.vocabulary import DAYS_PER_MONTH

ALPHA = 0.01  # a 1% chance of a false alarm per check, had the seed been random


def staller_chain(stallers: int, meeting_days: float):
    """Only the staller meetings take time: no stalls, no waiting, every deal is won.

    Without stalls no request reaches marketing, and without rivals its collateral
    cannot change a decision: the marketing team plays no part.
    """
    return scenario(
        scenario={"horizon_days": 4000.0},
        leads={"arrivals_per_month": 15.0},
        committee={"stallers": stallers, "staller_meeting_days": meeting_days},
        reps={"max_active_deals": 10000},
    )


def test_cycle_through_k_stallers_is_erlang_k():
    k, mean = 4, 5.0
    table = simulate(staller_chain(k, mean), replications=2, seed=11).deals
    early = table[table["created_day"] < 4000.0 - 300.0]  # P(Erlang(4, 5) > 300) is ~1e-21
    assert (early["outcome"] == "won").all()
    cycles = early["cycle_days"].to_numpy()
    assert len(cycles) > 2500
    assert stats.kstest(cycles, stats.gamma(a=k, scale=mean).cdf).pvalue > ALPHA
    # The same test tells k from k - 1 and k + 1, so it has the power to fail.
    assert stats.kstest(cycles, stats.gamma(a=k - 1, scale=mean).cdf).pvalue < ALPHA
    assert stats.kstest(cycles, stats.gamma(a=k + 1, scale=mean).cdf).pvalue < ALPHA


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in an M/M/c queue (Erlang C)."""
    top = offered_load**servers / math.factorial(servers) * servers / (servers - offered_load)
    bottom = sum(offered_load**n / math.factorial(n) for n in range(servers)) + top
    return top / bottom


def test_waiting_for_a_rep_matches_erlang_c():
    servers, arrivals_per_day, service_days = 3, 0.25, 10.0  # utilisation 0.83
    horizon, warm_up, replications = 20000.0, 1000.0, 12
    params = scenario(
        scenario={"horizon_days": horizon},
        leads={"arrivals_per_month": arrivals_per_day * DAYS_PER_MONTH},
        committee={"stallers": 1, "staller_meeting_days": service_days},
        reps={"count": servers, "max_active_deals": 1},
    )
    table = simulate(params, replications=replications, seed=5).deals
    steady = table[(table["created_day"] > warm_up) & (table["outcome"] == "won")]
    waits = steady.groupby("replication")["days_waiting_for_rep"]
    mean_waits, waited_share = (
        waits.mean().to_numpy(),
        waits.apply(lambda w: (w > 0).mean()).to_numpy(),
    )

    service_rate = 1.0 / service_days
    p_wait = erlang_c(servers, arrivals_per_day / service_rate)
    expected_wait = p_wait / (servers * service_rate - arrivals_per_day)
    for observed, expected in ((mean_waits, expected_wait), (waited_share, p_wait)):
        low, high = stats.t.interval(
            1 - ALPHA, replications - 1, loc=observed.mean(), scale=stats.sem(observed)
        )
        assert low <= expected <= high, (observed.mean(), expected, (low, high))
    # A pool one rep larger would wait far less: the check can tell the difference.
    assert p_wait / erlang_c(servers + 1, arrivals_per_day / service_rate) > 2


def test_lead_arrivals_are_poisson():
    params = scenario(scenario={"horizon_days": 30.4375}, leads={"arrivals_per_month": 20.0})
    # Marketing leads are thinned (drawn at the top rate lead generation could reach, each
    # arriving with probability lead_acceptance()); a thinned Poisson process is Poisson at
    # the thinned rate, so the deals that arrived (the deal table's rows) must be Poisson(20).
    table = simulate(params, replications=400, seed=3).deals
    counts = table.groupby("replication").size().reindex(range(400), fill_value=0).to_numpy()
    # Mean and variance of a Poisson(20) count; the CI of the mean uses its known variance.
    assert abs(counts.mean() - 20.0) < 2.58 * math.sqrt(20.0 / 400)
    assert 0.8 < counts.var(ddof=1) / counts.mean() < 1.2  # dispersion index ~ N(1, sqrt(2/399))
    values = table["value"].to_numpy()
    # Sample median of log value: standard error sqrt(pi/2) * sigma / sqrt(n).
    log_median_error = np.median(np.log(values)) - math.log(50000.0)
    assert abs(log_median_error) < 2.58 * 1.2533 * 0.8 / math.sqrt(len(values))
