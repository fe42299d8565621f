"""How long to warm up: the pipeline's outputs week by week, and where their transient ends.

A replication starts with an empty pipeline: no open deals, no queue at marketing,
nobody in negotiation. Its first months are not the business the scenario
describes. `advise` follows outputs of a run from empty that settle at different
speeds (open deals, weekly wins, weekly no-decisions; all by the day things happen,
so the end of the run censors nothing), averaged over replications, and finds
where each transient ends with MSER-5 (White 1997; Hoad, Robinson & Davies 2011).
The recommended warm-up is the latest of those, rounded up to a whole month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..vocabulary import DAYS_PER_MONTH, Outcome
from .steady_state import Truncation, mean_over_replications, mser

if TYPE_CHECKING:
    from .replications import Results

PERIOD_DAYS = 7.0  # weekly outputs: enough batches for MSER-5 over a few years
# Each output, and what it measures per period (the label views show).
OUTPUTS = {
    "open_deals": "open deals at the end of the week",
    "won": "deals won in the week",
    "no_decision": "deals ending in no decision in the week",
}


@dataclass(frozen=True)
class WarmupAdvice:
    """Each output's mean over replications per period, its MSER-5 truncation and the advice."""

    period_days: float
    horizon_days: float
    replications: int
    series: dict[str, np.ndarray]  # output: mean over replications, one value per period
    truncations: dict[str, Truncation]
    recommended_days: float  # the latest truncation, rounded up to a whole month

    @property
    def too_short(self) -> bool:
        """Some output had not settled within the first half of the run: run longer."""
        return any(truncation.too_short for truncation in self.truncations.values())

    def truncation_days(self, output: str) -> float:
        return self.truncations[output].observations * self.period_days


def advise(results: Results, period_days: float = PERIOD_DAYS) -> WarmupAdvice:
    """The warm-up the outputs of `results` call for (run them with `warmup_days` = 0)."""
    horizon = results.scenario.scenario.horizon_days
    periods = int(horizon // period_days)
    per_replication = period_outputs(results, period_days, periods)
    series = {name: mean_over_replications(matrix) for name, matrix in per_replication.items()}
    truncations = {name: mser(values) for name, values in series.items()}
    latest = max(truncation.observations for truncation in truncations.values()) * period_days
    recommended = math.ceil(latest / DAYS_PER_MONTH) * DAYS_PER_MONTH if latest else 0.0
    return WarmupAdvice(
        period_days=period_days,
        horizon_days=horizon,
        replications=results.replication_count,
        series=series,
        truncations=truncations,
        recommended_days=round(recommended, 1),
    )


def period_outputs(results: Results, period_days: float, periods: int) -> dict[str, np.ndarray]:
    """Every output as a (replications x periods) matrix."""
    deals = results.deals
    replication_ids = results.replications["replication"].to_numpy()
    row = {replication: index for index, replication in enumerate(replication_ids)}
    rows = deals["replication"].map(row).to_numpy()
    ends = (np.arange(periods) + 1) * period_days
    created = deals["created_day"].to_numpy(dtype=float)
    closed = deals["closed_day"].to_numpy(dtype=float)  # NaN: still open at the horizon
    outcome = deals["outcome"].to_numpy()
    won = outcome == Outcome.WON.key
    no_decision = outcome == Outcome.NO_DECISION.key
    shape = (len(replication_ids), periods)

    def tally(day: np.ndarray, which: np.ndarray) -> np.ndarray:
        """How many deals of `which` fall in each replication's periods, by `day`."""
        period = np.floor(day / period_days)
        keep = which & (period >= 0) & (period < periods)
        counts = np.zeros(shape)
        np.add.at(counts, (rows[keep], period[keep].astype(int)), 1.0)
        return counts

    closed_by = np.where(np.isnan(closed), np.inf, closed)
    open_deals = np.zeros(shape)
    for index, end in enumerate(ends):
        alive = (created < end) & (closed_by >= end)
        open_deals[:, index] = np.bincount(rows[alive], minlength=shape[0])
    closing_day = np.nan_to_num(closed, nan=-1.0)  # open deals fall in no period
    return {
        "open_deals": open_deals,
        "won": tally(closing_day, won),
        "no_decision": tally(closing_day, no_decision),
    }
