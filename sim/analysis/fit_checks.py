"""How well a calibrated company fits its export: each target, the export against simulations.

Each simulated company runs over the export's own window with the export's lead flow,
so it has about as many deals as the export: the spread of a figure across simulated
companies is the spread the export's own figure would have if the model were right.
The export's figure gets a block-bootstrap interval; its goodness of fit is a Monte
Carlo p-value, the share of simulated companies at least as far from the simulated
median as the export is. The cycle curve's is the same with the largest distance over
the curve (a Kolmogorov-Smirnov-like statistic). Every rate counts open deals as
censored (`sim.analysis.survival`); a share "at the as-of date" does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..vocabulary import CrmOutcome
from .fitting import Window, block_resamples
from .survival import cumulative_incidence, cumulative_incidence_curve, km_quantile

BOOTSTRAP_SAMPLES = 400
CURVE_POINTS = 80


def _ages(window: Window) -> tuple[np.ndarray, np.ndarray]:
    """Days each deal was observed, and whether it ended (open deals are censored)."""
    ended = ~np.isnan(window.closed)
    ages = np.where(ended, window.closed, window.days) - window.created
    return ages, ended


def _eventual(outcome: CrmOutcome) -> Callable[[Window], float]:
    def rate(window: Window) -> float:
        ages, ended = _ages(window)
        return cumulative_incidence(ages, ended & (window.outcome == outcome), ended)

    return rate


def _open_share(window: Window) -> float:
    return float(np.mean(np.isnan(window.closed))) if len(window) else math.nan


def _median_cycle(window: Window) -> float:
    return km_quantile(*_ages(window), 0.5)


def _median_won_cycle(window: Window) -> float:
    won = (window.outcome == CrmOutcome.WON) & ~np.isnan(window.closed)
    cycles = (window.closed - window.created)[won]
    return float(np.median(cycles)) if len(cycles) else math.nan


@dataclass(frozen=True)
class Figure:
    """A figure of the export the calibrated model should reproduce."""

    label: str
    unit: str
    of: Callable[[Window], float]


FIGURES = {
    "win_rate": Figure("win rate (eventually won)", "share", _eventual(CrmOutcome.WON)),
    "loss_rate": Figure("lost (eventually)", "share", _eventual(CrmOutcome.LOST)),
    "no_decision_rate": Figure(
        "no decision (eventually)", "share", _eventual(CrmOutcome.NO_DECISION)
    ),
    "disqualified_rate": Figure(
        "disqualified (eventually)", "share", _eventual(CrmOutcome.DISQUALIFIED)
    ),
    "open_share": Figure("open at the as-of date", "share", _open_share),
    "median_cycle": Figure("median cycle, any ending", "days", _median_cycle),
    "median_won_cycle": Figure("median cycle of won deals", "days", _median_won_cycle),
}


@dataclass(frozen=True)
class Target:
    """One figure: the export's with its 95% interval, the simulated companies' middle 95%."""

    name: str
    observed: float
    observed_low: float
    observed_high: float
    simulated: float  # the median over simulated companies
    simulated_low: float
    simulated_high: float
    p_value: float  # Monte Carlo, two-sided: how unusual the export is among the simulations

    @property
    def figure(self) -> Figure:
        return FIGURES[self.name]


@dataclass(frozen=True)
class Curve:
    """The share of deals ended by each age: the export's, and the simulated companies' band."""

    days: np.ndarray
    observed: np.ndarray
    observed_low: np.ndarray
    observed_high: np.ndarray
    simulated: np.ndarray
    simulated_low: np.ndarray
    simulated_high: np.ndarray
    p_value: float  # Monte Carlo, on the largest distance from the simulated median curve


def fit_targets(
    observed: Window, simulated: Sequence[Window], rng: np.random.Generator
) -> list[Target]:
    """Every figure of FIGURES, the export against the simulated companies."""
    copies = list(block_resamples(observed, rng, BOOTSTRAP_SAMPLES))
    return [_target(name, observed, copies, simulated) for name in FIGURES]


def _target(
    name: str, observed: Window, copies: list[Window], simulated: Sequence[Window]
) -> Target:
    of = FIGURES[name].of
    value = of(observed)
    boot = np.array([of(copy) for copy in copies])
    sims = np.array([of(window) for window in simulated])
    low, high = np.nanquantile(boot, [0.025, 0.975]) if np.any(~np.isnan(boot)) else (math.nan,) * 2
    sims = sims[~np.isnan(sims)]
    if not len(sims) or math.isnan(value):
        return Target(name, value, low, high, math.nan, math.nan, math.nan, math.nan)
    middle = float(np.median(sims))
    return Target(
        name,
        value,
        float(low),
        float(high),
        middle,
        float(np.quantile(sims, 0.025)),
        float(np.quantile(sims, 0.975)),
        _monte_carlo_p(abs(value - middle), np.abs(sims - middle)),
    )


def _monte_carlo_p(distance: float, distances: np.ndarray) -> float:
    """The share of simulated companies at least as far out as the export (the export counted)."""
    return float((1 + np.count_nonzero(distances >= distance)) / (1 + len(distances)))


def cycle_curve(observed: Window, simulated: Sequence[Window], rng: np.random.Generator) -> Curve:
    """The share of deals ended by each age, censoring-aware (1 - Kaplan-Meier)."""
    ages, _ = _ages(observed)
    days = np.linspace(0.0, float(np.quantile(ages, 0.99)) if len(ages) else 1.0, CURVE_POINTS)
    curve = _ended_by(observed, days)
    boot = np.array([_ended_by(copy, days) for copy in block_resamples(observed, rng, 200)])
    sims = np.array([_ended_by(window, days) for window in simulated])
    middle = np.median(sims, axis=0)
    distances = np.max(np.abs(sims - middle), axis=1)
    return Curve(
        days=days,
        observed=curve,
        observed_low=np.quantile(boot, 0.025, axis=0),
        observed_high=np.quantile(boot, 0.975, axis=0),
        simulated=middle,
        simulated_low=np.quantile(sims, 0.025, axis=0),
        simulated_high=np.quantile(sims, 0.975, axis=0),
        p_value=_monte_carlo_p(float(np.max(np.abs(curve - middle))), distances),
    )


def _ended_by(window: Window, days: np.ndarray) -> np.ndarray:
    ages, ended = _ages(window)
    times, values = cumulative_incidence_curve(ages, ended, ended)
    at = np.searchsorted(times, days, side="right") - 1
    return np.where(at >= 0, values[np.maximum(at, 0)], 0.0)
