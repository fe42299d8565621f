"""Forecast from an open pipeline: wins, revenue and slippage over the next days, with intervals.

`forecast` runs the scenario from the open deals of a pipeline (`sim.scenario.pipeline`)
for `days`, new leads arriving as the scenario says, in many replications; per open
deal it gives the chance of each ending by then, and in total the wins and revenue of
each replication, whose quantiles are prediction intervals.

`backtest` checks those intervals against a known future: a synthetic company run past
a day T, its CRM as it stood on day T (`sim.analysis.crm_sample`), a forecast from it,
and what then happened (docs/model.md, "Starting from an open pipeline").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..model.world import simulate_replication
from ..scenario import DEFAULT_SEED, Scenario, apply_overrides, validate
from ..scenario.crm import model_source, model_stage
from ..scenario.pipeline import Pipeline, pipeline_from_opportunities
from ..vocabulary import Outcome, Stage
from .crm_sample import FOUNDER, opportunities_from_deals
from .replications import Progress, deal_table, in_order
from .statistics import wilson_interval

QUANTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}  # p10 to p90: the 80% prediction interval
WINDOW_DAYS = 30  # the chance of a win is also given by the end of each such window

# The totals of each replication, declared once: the columns of `Forecast.totals`.
TOTALS = {
    "pipeline_wins": "open deals of the pipeline won by the end",
    "new_wins": "deals created during the forecast and won by its end",
    "wins": "all deals won by the end: the pipeline's and the new",
    "pipeline_revenue": "first-year revenue of the pipeline's wins, USD",
    "new_revenue": "first-year revenue of the new deals' wins, USD",
    "revenue": "first-year revenue of all wins, USD",
    "slipped": "open deals of the pipeline still open at the end",
}
# The forecast of each open deal, declared once: the columns of `Forecast.deals` (and one
# `p_won_by_day_<d>` for each WINDOW_DAYS window before the end).
DEAL_FORECAST_COLUMNS = {
    "opportunity_id": "the CRM's id",
    "stage": "the stage it joined at",
    "age_days": "days since it was created, on the as-of day",
    "value": "its value as run, USD (the scenario's median if the CRM had no amount)",
    "owner": "who works it in the CRM",
    "p_won": "chance it is won by the end",
    "expected_revenue": "its first-year revenue, on average over the replications, USD",
    "p_open": "chance it is still open at the end (slippage)",
    "p_no_decision": "chance it ends in no decision by the end",
    "p_lost": "chance it is lost (to a competitor, or vetoed) by the end",
    "p_disqualified": "chance it is disqualified by the end",
}
LOST = (Outcome.LOST_COMPETITOR, Outcome.VETOED)


def forecast_column_table() -> str:
    """The per-deal forecast's columns as a Markdown table, for docs/crm-import.md."""
    rows = [f"| `{name}` | {meaning} |" for name, meaning in DEAL_FORECAST_COLUMNS.items()]
    window = (
        f"| `p_won_by_day_<d>` | chance it is won by day d, for d = {WINDOW_DAYS}, "
        f"{2 * WINDOW_DAYS}, ... before the end |"
    )
    return "\n".join(["| column | meaning |", "|---|---|", *rows, window])


@dataclass(frozen=True)
class Forecast:
    """A forecast: one row per open deal, one row of totals per replication."""

    deals: pd.DataFrame  # DEAL_FORECAST_COLUMNS and the windows' p_won_by_day_<d>
    totals: pd.DataFrame  # TOTALS, one row per replication
    scenario: Scenario  # as run: the forecast's days as its horizon, no warm-up
    pipeline: Pipeline
    seed: int

    @property
    def days(self) -> float:
        return self.scenario.scenario.horizon_days

    @property
    def replications(self) -> int:
        return len(self.totals)

    def intervals(self) -> pd.DataFrame:
        """Each total's mean and quantiles (p10 to p90: the 80% prediction interval)."""
        return intervals(self.totals)


def intervals(totals: pd.DataFrame) -> pd.DataFrame:
    """Mean and QUANTILES of each column of `totals`, one row per column."""
    values = totals.to_numpy(dtype=float)
    table = {"mean": values.mean(axis=0)}
    for name, level in QUANTILES.items():
        table[name] = np.quantile(values, level, axis=0)
    return pd.DataFrame(table, index=totals.columns)


def forecast_scenario(scenario: Scenario, days: float) -> Scenario:
    """The scenario a forecast runs: from day 0 (the as-of day) for `days`, all counted."""
    overrides = [f"scenario.horizon_days={days!r}", "scenario.warmup_days=0.0"]
    return validate(apply_overrides(scenario.to_dict(), overrides), source="forecast")


def forecast(
    scenario: Scenario,
    pipeline: Pipeline,
    days: float = 90,
    replications: int = 200,
    seed: int = DEFAULT_SEED,
    workers: int | None = 1,
    progress: Progress | None = None,
) -> Forecast:
    """Run `scenario` from the open deals of `pipeline` for `days`; the forecast.

    New leads arrive as the scenario says. The results are the same for a seed
    whatever the number of `workers`; `progress(k)` is told of k more replications.
    Raises PipelineError if the scenario cannot run the pipeline.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    run = forecast_scenario(scenario, days)
    pipeline.check(run)
    replicate = functools.partial(replicate_from_pipeline, pipeline)
    parts = [
        part
        for _, block in in_order(replicate, [run], replications, seed, workers, progress)
        for part in block
    ]
    return Forecast(_deal_forecast(run, pipeline, parts), _totals(parts), run, pipeline, seed)


def replicate_from_pipeline(
    pipeline: Pipeline, scenario: Scenario, seed: int, replication: int
) -> dict[str, Any]:
    """One replication from the pipeline: how each open deal stood at the end, the new wins."""
    deals = simulate_replication(scenario, seed, replication, pipeline=pipeline)["deals"]
    first = len(deals["deal_id"]) - len(pipeline.deals)  # the open deals come last
    won_new = deals["outcome"][:first] == Outcome.WON
    return {
        "outcome": deals["outcome"][first:],
        "closed_day": deals["closed_day"][first:],
        "revenue": deals["revenue"][first:],
        "new_wins": int(won_new.sum()),
        "new_revenue": float(deals["revenue"][:first][won_new].sum()),
    }


def _deal_forecast(scenario: Scenario, pipeline: Pipeline, parts: list[dict]) -> pd.DataFrame:
    outcome = np.array([part["outcome"] for part in parts]).reshape(len(parts), -1)
    closed = np.array([part["closed_day"] for part in parts]).reshape(outcome.shape)
    revenue = np.array([part["revenue"] for part in parts]).reshape(outcome.shape)
    won = outcome == Outcome.WON
    deals = pipeline.deals
    table: dict[str, Any] = {
        "opportunity_id": [deal.opportunity_id for deal in deals],
        "stage": [deal.stage.key for deal in deals],
        "age_days": [deal.age_days for deal in deals],
        "value": [deal.value_in(scenario) for deal in deals],
        "owner": [deal.owner for deal in deals],
        "p_won": won.mean(axis=0),
        "expected_revenue": revenue.mean(axis=0),
        "p_open": (outcome == Outcome.OPEN).mean(axis=0),
        "p_no_decision": (outcome == Outcome.NO_DECISION).mean(axis=0),
        "p_lost": np.isin(outcome, LOST).mean(axis=0),
        "p_disqualified": (outcome == Outcome.DISQUALIFIED).mean(axis=0),
    }
    for day in range(WINDOW_DAYS, math.ceil(scenario.scenario.horizon_days), WINDOW_DAYS):
        table[f"p_won_by_day_{day}"] = (won & (closed <= day)).mean(axis=0)
    return pd.DataFrame(table)


def _totals(parts: list[dict]) -> pd.DataFrame:
    pipeline_wins = [int((part["outcome"] == Outcome.WON).sum()) for part in parts]
    pipeline_revenue = [float(part["revenue"].sum()) for part in parts]
    new_wins = [part["new_wins"] for part in parts]
    new_revenue = [part["new_revenue"] for part in parts]
    table = {
        "pipeline_wins": pipeline_wins,
        "new_wins": new_wins,
        "wins": np.add(pipeline_wins, new_wins),
        "pipeline_revenue": pipeline_revenue,
        "new_revenue": new_revenue,
        "revenue": np.add(pipeline_revenue, new_revenue),
        "slipped": [int((part["outcome"] == Outcome.OPEN).sum()) for part in parts],
    }
    assert table.keys() == TOTALS.keys(), "every total is declared, once"
    return pd.DataFrame(table)


# ------------------------------------------------------------------------------ backtest

BACKTEST_START = pd.Timestamp("2024-01-01")  # the date of the synthetic company's day 0
BACKTEST_SEED = 1_000_000  # forecasts' seeds: this plus the trial, apart from the truths'
CHECKED = ("pipeline_wins", "new_wins", "wins", "revenue")  # the totals a backtest checks


def backtest(
    scenario: Scenario,
    trials: int,
    as_of_day: float | None = None,
    days: float = 90,
    replications: int = 200,
    workers: int | None = 1,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Forecasts of synthetic companies with a known future, one row per trial.

    Trial k runs `scenario` with seed k to `as_of_day` + `days` (`as_of_day`: the end
    of its warm-up unless given), reads the pipeline its CRM shows on `as_of_day`,
    forecasts from it with another seed and sets the forecast beside what happened:
    for each CHECKED total, `<total>_realised`, the forecast's mean and quantiles,
    `<total>_inside` (the realised total within the 80% interval), `<total>_mass` (the
    share of the forecast's own replications within it: above 80% for counts, whose
    quantiles are tied) and `<total>_pit` (the forecast's probability below the
    realised total, ties counted half: uniform if the forecast is calibrated).
    """
    day = scenario.scenario.warmup_days if as_of_day is None else as_of_day
    trial = functools.partial(backtest_trial, day, days, replications)
    rows = [
        row
        for _, block in in_order(trial, [scenario], trials, 0, workers, progress)
        for row in block
    ]
    return pd.DataFrame(rows)


def backtest_trial(
    as_of_day: float, days: float, replications: int, scenario: Scenario, _seed: int, trial: int
) -> dict[str, Any]:
    """One trial of `backtest`: the company of seed `trial`, its forecast and its future."""
    overrides = [f"scenario.horizon_days={as_of_day + days!r}"]
    if scenario.scenario.warmup_days >= as_of_day + days:
        overrides.append("scenario.warmup_days=0.0")
    truth = validate(apply_overrides(scenario.to_dict(), overrides), source="backtest")
    deals = deal_table([simulate_replication(truth, trial, 0)["deals"]])
    pipeline = pipeline_at(deals, as_of_day)
    prediction = forecast(scenario, pipeline, days, replications, BACKTEST_SEED + trial)
    row: dict[str, Any] = {"trial": trial, "open_deals": len(pipeline.deals)}
    realised = realised_totals(deals, as_of_day)
    for name in CHECKED:
        row.update(_checked(name, realised[name], prediction.totals[name].to_numpy(float)))
    return row


def pipeline_at(deals: pd.DataFrame, as_of_day: float) -> Pipeline:
    """The pipeline a CRM of one replication's deals shows on `as_of_day`."""
    opportunities, stages = opportunities_from_deals(deals, BACKTEST_START, as_of_day)
    as_of = BACKTEST_START + pd.to_timedelta(as_of_day, unit="D")
    return pipeline_from_opportunities(
        opportunities, as_of, _model_stage, model_source, stages=stages, founder=FOUNDER
    )


def _model_stage(name: str) -> Stage | None:
    return model_stage(name, "generic")


def realised_totals(deals: pd.DataFrame, as_of_day: float) -> dict[str, float]:
    """What happened after `as_of_day` up to the run's horizon: wins of the deals open on
    the day, of the deals created after it, together, and all their revenue."""
    # Compared in float64, as the pipeline's CRM compares them (a float32 column would
    # round `as_of_day` to float32).
    created = deals["created_day"].to_numpy(dtype=float)
    closed = deals["closed_day"].to_numpy(dtype=float)
    won = (deals["outcome"] == Outcome.WON.key).to_numpy()
    open_then = (created <= as_of_day) & ~(closed <= as_of_day)
    new = created > as_of_day
    return {
        "pipeline_wins": int((won & open_then).sum()),
        "new_wins": int((won & new).sum()),
        "wins": int((won & (open_then | new)).sum()),
        "revenue": float(deals["revenue"][won & (open_then | new)].sum()),
    }


def _checked(name: str, realised: float, simulated: np.ndarray) -> dict[str, Any]:
    """A realised total beside its forecast: interval, inside it, the forecast's mass, PIT."""
    low, high = np.quantile(simulated, [QUANTILES["p10"], QUANTILES["p90"]])
    pit = (np.mean(simulated < realised) + np.mean(simulated <= realised)) / 2
    return {
        f"{name}_realised": realised,
        f"{name}_mean": float(simulated.mean()),
        f"{name}_p10": float(low),
        f"{name}_p90": float(high),
        f"{name}_inside": bool(low <= realised <= high),
        f"{name}_mass": float(np.mean((simulated >= low) & (simulated <= high))),
        f"{name}_pit": float(pit),
    }


def coverage(trials: pd.DataFrame) -> pd.DataFrame:
    """For each CHECKED total: how often the 80% interval held the realised total, with
    Wilson's 95% interval; the forecast's own mass in it (what that share should be);
    the mean PIT (0.5 if unbiased); the mean of realised minus forecast mean."""
    rows = {}
    for name in CHECKED:
        inside = trials[f"{name}_inside"]
        low, high = wilson_interval(int(inside.sum()), len(inside))
        rows[name] = {
            "coverage": float(inside.mean()),
            "coverage_low": low,
            "coverage_high": high,
            "expected": float(trials[f"{name}_mass"].mean()),
            "mean_pit": float(trials[f"{name}_pit"].mean()),
            "bias": float((trials[f"{name}_realised"] - trials[f"{name}_mean"]).mean()),
            "realised_mean": float(trials[f"{name}_realised"].mean()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
