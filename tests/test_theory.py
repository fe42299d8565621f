"""The model reduced to textbook cases reproduces the theory.

The reductions, the theory and the checks live in `sim.analysis.theory`, which
docs/validation.md shows too. Tolerances come from the sample size (KS p-values, t
intervals over independent replications), not from tuning; seeds are fixed so results
are reproducible.
"""

from __future__ import annotations

import pytest

from sim.analysis import theory
from sim.analysis.theory import ALPHA, Check


def assert_passed(check: Check) -> None:
    assert check.passed, (check.name, check.theory, check.model, check.interval, check.p_value)


def test_cycle_through_k_stallers_is_erlang_k():
    run = theory.chain_cycles()
    assert run.won_share == 1.0
    assert len(run.cycles) > 2500
    fits, fewer, more = theory.erlang_k_checks(run)
    assert fits.p_value is not None and fits.p_value > ALPHA
    # The same test tells k from k - 1 and k + 1, so it has the power to fail.
    assert fewer.p_value is not None and fewer.p_value < ALPHA
    assert more.p_value is not None and more.p_value < ALPHA
    for check in (fits, fewer, more):
        assert_passed(check)


@pytest.fixture(scope="module")
def rep_queue():
    # Eight of the validation page's twelve replications (the same first eight), for time:
    # the t intervals widen with the fewer replications (by 1.4), and the check that one rep
    # more would be told apart still holds by far (its share who wait, 0.32, against 0.67+).
    return theory.rep_queue_run(replications=8)


def test_waiting_for_a_rep_matches_erlang_c(rep_queue):
    mean_wait, share_who_wait, one_rep_more = theory.erlang_c_checks(rep_queue)
    for check in (mean_wait, share_who_wait):
        assert check.agree
        assert_passed(check)  # Erlang C inside the t interval over replications
    # A pool one rep larger would wait far less: the check can tell the difference.
    load = theory.QUEUE_ARRIVALS_PER_DAY * theory.QUEUE_SERVICE_DAYS
    servers = theory.QUEUE_SERVERS
    assert theory.erlang_c(servers, load) / theory.erlang_c(servers + 1, load) > 2
    assert not one_rep_more.agree
    assert_passed(one_rep_more)


def test_little_law_holds_for_open_deals(rep_queue):
    # Every deal that arrived in the window closed before the horizon: W is not truncated.
    assert theory.little_terms(rep_queue, *theory.LITTLE_WINDOW).unclosed == 0
    assert_passed(theory.little_check(rep_queue))


def test_lead_arrivals_are_poisson():
    run = theory.arrivals()
    assert len(run.counts) == theory.ARRIVAL_REPLICATIONS
    mean, dispersion, value_median = theory.poisson_checks(run)
    assert_passed(mean)  # CI of the mean from the known Poisson variance
    assert_passed(dispersion)  # dispersion index ~ N(1, sqrt(2 / (n - 1)))
    assert_passed(value_median)  # sample median of log value: SE sqrt(pi/2) sigma / sqrt(n)


def test_erlang_c_formula_matches_a_textbook_value():
    # Two servers, offered load 1 (utilisation 1/2): P(wait) = 1/3.
    assert theory.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert theory.mmc_mean_wait(1, 0.5, 1.0) == pytest.approx(1.0)  # M/M/1: rho / (mu - lambda)


def test_a_check_passes_when_the_model_does_what_it_should():
    agree = Check("a", "r", "q", theory=1.0, model=1.1, interval=(0.9, 1.2))
    differ = Check("b", "r", "q", theory=1.0, model=2.0, interval=(1.8, 2.2), agree=False)
    rejected = Check("c", "r", "q", theory=1.0, model=1.5, p_value=ALPHA / 2)
    assert agree.passed and differ.passed and not rejected.passed
