"""Summary statistics of a deal table: win rate with its CI, cycle length, outcomes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ..model.records import OUTCOMES
from .compare import replication_metrics

if TYPE_CHECKING:
    from .replications import Results

CONFIDENCE = 0.95


def summarise(results: Results, scenario: str, seed: int, replications: int) -> dict[str, Any]:
    """The run's headline numbers, as stored in summary.json.

    Win rate and cycle length are over closed opportunities: leads the seller
    qualified (so not disqualified, and not gone cold waiting for a rep) that have
    ended by the horizon. The `km` figures count open opportunities too, as
    censored (Kaplan-Meier), so they are not biased short by the horizon.
    Money and time-use figures are means per replication.
    """
    table = results.deals
    qualified = table["qualified"].to_numpy()
    opportunity = qualified & (table["outcome"] != "open").to_numpy()
    won = (table["outcome"] == "won").to_numpy()
    cycle = table["cycle_days"].to_numpy()[opportunity]
    rates = replication_metrics(results)["win_rate"].dropna().to_numpy()
    low, high = win_rate_interval(rates, opportunity, won)
    counts = table["outcome"].value_counts()
    km_median, km_p90 = censored_quantiles(table, (0.5, 0.9))
    return {
        "scenario": scenario,
        "seed": seed,
        "replications": replications,
        "deals": int(len(table)),
        "deals_per_replication": len(table) / replications,
        "opportunities_closed": int(opportunity.sum()),
        "win_rate": rates.mean() if rates.size else math.nan,
        "win_rate_ci": [low, high],
        "cycle_days_median": _quantile(cycle, 0.5),
        "cycle_days_mean": float(cycle.mean()) if cycle.size else math.nan,
        "cycle_days_p90": _quantile(cycle, 0.9),
        "cycle_days_won_median": _quantile(table["cycle_days"].to_numpy()[won], 0.5),
        "cycle_days_km_median": km_median,
        "cycle_days_km_p90": km_p90,
        "outcomes": {outcome: int(counts.get(outcome, 0)) for outcome in OUTCOMES},
        **money(table, replications),
        **channel_effort(table, replications),
        "marketing_utilisation": float(results.replications["marketing_utilisation"].mean()),
        "reactive_share": float(results.replications["reactive_share"].mean()),
        "rep_departures": float(results.replications["rep_departures"].mean()),
    }


def money(table: pd.DataFrame, replications: int) -> dict[str, float]:
    """Revenue of won deals, the partners' commissions on it, and what is left."""
    gross = float(table["revenue"].sum())
    commissions = float(table["commission"].sum())
    return {
        "revenue_gross": gross / replications,
        "commissions": commissions / replications,
        "revenue_net": (gross - commissions) / replications,
        "commission_share": commissions / gross if gross > 0 else math.nan,
    }


def channel_effort(table: pd.DataFrame, replications: int) -> dict[str, float]:
    """Wins by source, and what partner deals cost in direct effort and misrepresentation."""
    won = (table["outcome"] == "won").to_numpy()
    partner_sourced = (table["source"] == "partner").to_numpy()
    return {
        "wins_direct": float((won & ~partner_sourced).sum()) / replications,
        "wins_partner_sourced": float((won & partner_sourced).sum()) / replications,
        "direct_hours_on_partner_deals": float(
            table["direct_hours"].to_numpy()[partner_sourced].sum()
        )
        / replications,
        "misrepresentation_vetoes": float(table["misrepresentation_veto"].sum()) / replications,
    }


def win_rate_interval(
    rates: np.ndarray, opportunity: np.ndarray, won: np.ndarray
) -> tuple[float, float]:
    """95% CI of the win rate: Student t across replications, or Wilson within one replication."""
    if len(rates) >= 2:
        if np.ptp(rates) == 0:  # identical rates in every replication: no spread to estimate
            return float(rates[0]), float(rates[0])
        low, high = stats.t.interval(
            CONFIDENCE, len(rates) - 1, loc=rates.mean(), scale=stats.sem(rates)
        )
        return float(max(low, 0.0)), float(min(high, 1.0))
    if opportunity.sum() == 0:
        return math.nan, math.nan
    result = stats.binomtest(int(won.sum()), int(opportunity.sum())).proportion_ci(
        CONFIDENCE, method="wilson"
    )
    return float(result.low), float(result.high)


def censored_quantiles(table: pd.DataFrame, levels: tuple[float, ...]) -> list[float]:
    """Kaplan-Meier quantiles of opportunities' time to close, open ones censored at the horizon.

    A quantile the curve never reaches within the horizon is NaN (shown as '>horizon').
    """
    keep = table["qualified"].to_numpy()
    ages = table["age_days"].to_numpy()[keep]
    ended = (table["outcome"] != "open").to_numpy()[keep]
    if not ended.any():
        return [math.nan] * len(levels)
    cdf = stats.ecdf(stats.CensoredData(uncensored=ages[ended], right=ages[~ended])).cdf
    result = []
    for level in levels:
        reached = np.flatnonzero(cdf.probabilities >= level - 1e-12)
        result.append(float(cdf.quantiles[reached[0]]) if reached.size else math.nan)
    return result


def _quantile(values: np.ndarray, level: float) -> float:
    return float(np.quantile(values, level)) if values.size else math.nan
