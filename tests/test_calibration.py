"""Calibration: the moments, the search and its intervals against theory, and one whole fit."""

from __future__ import annotations

import html
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from sim.analysis.calibration import UNKNOWNS, calibrate, stage_times
from sim.analysis.crm_sample import simulate_sample
from sim.analysis.fitting import (
    MOMENTS,
    Z_95,
    Design,
    Moment,
    Scale,
    Statistic,
    Unknown,
    Window,
    block_resamples,
    estimates,
    fit_moments,
    moment_values,
)
from sim.scenario.crm import CrmExport, is_rep
from sim.scenario.loading import load_scenario, validate
from sim.views.calibration import calibrated_toml
from sim.views.fit_report import render_fit_report
from sim.vocabulary import CrmOutcome

WON, LOST, NO_DECISION, OPEN = (
    CrmOutcome.WON,
    CrmOutcome.LOST,
    CrmOutcome.NO_DECISION,
    CrmOutcome.OPEN,
)


def window(created, closed, outcome, days=100.0) -> Window:
    return Window(
        np.array(created, float), np.array(closed, float), np.array(outcome, np.int8), days
    )


def test_moments_by_hand():
    w = window(
        [0, 0, 10, 20, 30],
        [10, 30, 50, math.nan, 40],
        [WON, WON, LOST, OPEN, NO_DECISION],
    )
    share = Moment(Statistic.SHARE, WON)
    median = Moment(Statistic.MEDIAN, WON)
    quarter = Moment(Statistic.QUARTER, WON)
    values = moment_values(w, [share, median, quarter, Moment(Statistic.MEDIAN, LOST)])
    assert values[0] == pytest.approx(math.log(0.4 / 0.6))  # 2 of 5 won: the logit
    assert values[1] == pytest.approx(math.log1p(20.0))  # won after 10 and 30 days
    assert values[2] == pytest.approx(math.log1p(15.0))
    assert values[3] == pytest.approx(math.log1p(40.0))


def test_a_share_nobody_took_is_half_a_deal():
    w = window([0, 1], [5, 6], [WON, WON])
    assert moment_values(w, [Moment(Statistic.SHARE, LOST)])[0] == pytest.approx(
        math.log(0.25 / 0.75)
    )


def test_block_resamples_keep_creation_blocks_whole():
    created = np.repeat(np.arange(5) * 61.0, 3)  # five blocks of three deals
    w = window(created, created + 1, np.zeros(15))
    for copy in block_resamples(w, np.random.default_rng(1), 20):
        assert len(copy) == 15
        counts = np.unique(copy.created, return_counts=True)[1]
        assert np.all(counts % 3 == 0)


# A linear "model": its moments are exactly A x + b, so the search must land on the truth
# and the sandwich must give GMM's textbook covariance (A' S^-1 A)^-1.
UNKNOWN_PAIR = (
    Unknown("a.x", Scale.LOG, 0.01, 100.0, ""),
    Unknown("a.y", Scale.LOGIT, 0.001, 0.999, ""),
)
SLOPE = np.array([[1.0, 0.5], [0.2, -1.0], [0.7, 0.7]])
INTERCEPT = np.array([0.3, -0.2, 1.0])


def linear(points):
    return [INTERCEPT + SLOPE @ x for x in points]


def test_the_search_follows_a_far_truth_and_lands_on_it():
    truth = np.array([math.log(40.0), 2.5])  # far outside the first box around the start
    observed = INTERCEPT + SLOPE @ truth
    fit = fit_moments(
        UNKNOWN_PAIR, np.zeros(2), observed, np.eye(3), linear, np.random.default_rng(3)
    )
    assert fit.centre == pytest.approx(truth, abs=1e-6)
    assert len(fit.rounds) > 2  # it had to follow the edge out


def test_intervals_are_gmm_theory():
    truth = np.array([0.5, -0.3])
    covariance = np.array([[0.04, 0.01, 0.0], [0.01, 0.09, 0.0], [0.0, 0.0, 0.01]])
    weight = np.linalg.inv(covariance)
    fit = fit_moments(
        UNKNOWN_PAIR,
        truth,
        INTERCEPT + SLOPE @ truth,
        weight,
        linear,
        np.random.default_rng(4),
    )
    found = estimates(UNKNOWN_PAIR, fit, covariance, inflation=1.25)
    sd = np.sqrt(np.diag(np.linalg.inv(SLOPE.T @ weight @ SLOPE)) * 1.25)
    assert math.log(found[0].high) == pytest.approx(truth[0] + Z_95 * sd[0], rel=1e-6)
    y_high = math.log(found[1].high / (1 - found[1].high))
    assert y_high == pytest.approx(truth[1] + Z_95 * sd[1], rel=1e-6)


def test_owners_that_are_not_reps():
    assert is_rep("Jane Doe") and is_rep("rep-3")
    assert not any(is_rep(o) for o in ("founder", "Co-Founder Ann", "unassigned", " "))


def small_export(seed: int = 2) -> CrmExport:
    truth = load_scenario("baseline")
    sample = simulate_sample(truth, seed, pd.Timestamp("2024-01-01"), 2.0)
    return CrmExport(sample.opportunities, sample.stages, sample.as_of, "generic", ())


QUICK = Design(points=12, rounds=1, simulated_deals=400, check=12)


def quick_base():
    """The baseline with a year's warm-up: each simulated company costs half as much."""
    return load_scenario("baseline", ["scenario.warmup_days=365"])


HOSTILE = "<script>alert(1)</script>"  # a CRM stage name is the user's text


@pytest.fixture(scope="module")
def quick():
    export = small_export()
    export.stages.loc[export.stages["stage"] == "stallers", "stage"] = HOSTILE
    return export, calibrate(export, quick_base(), seed=3, design=QUICK)


def test_a_whole_calibration_writes_a_scenario_that_loads_and_stands_alone(quick):
    export, result = quick
    page = render_fit_report(result, export, "acme")
    assert HOSTILE not in page and html.escape(HOSTILE) in page
    keys = [s.key for s in result.settings]
    assert {u.key for u in UNKNOWNS} <= set(keys)
    assert "reps.count" in keys and "leads.arrivals_per_month" in keys
    for setting in result.settings:
        if not math.isnan(setting.low):
            assert setting.low <= setting.value <= setting.high, setting
    text = calibrated_toml(result, "acme", 'export\n[leads]\n"x.csv')  # a file name is text too
    loaded = validate(tomllib.loads(text), source="acme.toml")
    assert loaded.scenario.base == "" and loaded.scenario.name == "acme"
    for setting in result.settings:
        section, name = setting.key.split(".")
        assert getattr(getattr(loaded, section), name) == pytest.approx(setting.value, rel=1e-3)
    assert len(result.check.simulated) == QUICK.check
    assert result.degrees_of_freedom == len(result.moments) - len(UNKNOWNS)


def test_the_same_seed_gives_the_same_calibration(quick):
    export, first = quick
    again = calibrate(export, quick_base(), seed=3, design=QUICK)
    assert calibrated_toml(first, "a", "e") == calibrated_toml(again, "a", "e")


def test_stage_times_censor_deals_still_in_a_stage():
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ["a", "b"],
            "closed_date": pd.to_datetime(["2024-01-21", None]),
        }
    )
    stages = pd.DataFrame(
        {
            "opportunity_id": ["a", "a", "b"],
            "stage": ["qualifying", "stallers", "qualifying"],
            "entered_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-05"]),
        }
    )
    export = CrmExport(opportunities, stages, pd.Timestamp("2024-02-04"), "generic", ())
    qualifying, stallers = stage_times(export)
    assert (qualifying.entered, qualifying.left) == (2, 1)  # b is still qualifying: 30 days
    assert qualifying.median == 10.0  # a left after 10; b, censored at 30, had not
    assert (stallers.left, stallers.median) == (1, 10.0)  # a: entered the 11th, closed the 21st


def test_every_moment_is_named_once():
    assert len({m.name for m in MOMENTS}) == len(MOMENTS)
