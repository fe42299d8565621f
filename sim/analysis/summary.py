"""Summary statistics of a run: win rate with its CI, cycle length, outcomes, money, time use."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ..vocabulary import Outcome, Source
from .metrics import (
    OPEN,
    REGISTRY,
    WON,
    closed_opportunities,
    outcome_codes,
    replication_metrics,
)
from .statistics import t_interval, wilson_interval

if TYPE_CHECKING:
    from .replications import Results

POOLED = ("deals", "opportunities_closed", "win_rate")  # as the metrics pool them


def summarise(results: Results) -> dict[str, Any]:
    """The run's headline numbers, as stored in summary.json (`parameters`: the scenario run).

    Win rate and cycle length are over closed opportunities: leads the seller
    qualified (so not disqualified, and not gone cold waiting for a rep) that have
    ended by the horizon. The `km` figures count open opportunities too, as
    censored (Kaplan-Meier), so they are not biased short by the horizon.
    Money and time-use figures are means per replication.
    """
    table = results.deals
    replications = results.replication_count
    outcome = outcome_codes(table)
    opportunity = closed_opportunities(outcome, table["qualified"].to_numpy())
    won = outcome == WON
    cycle = table["cycle_days"].to_numpy()[opportunity]
    per_replication = replication_metrics(results, POOLED)
    pooled = {
        name: REGISTRY[name].pooled(per_replication[name].to_numpy(dtype=float)) for name in POOLED
    }
    counts = table["outcome"].value_counts()
    km_median, km_p90 = censored_quantiles(table, (0.5, 0.9))
    return {
        "scenario": results.scenario.scenario.name,
        "seed": results.seed,
        "replications": replications,
        "deals": int(pooled["deals"]),
        "deals_per_replication": len(table) / replications,
        "opportunities_closed": int(pooled["opportunities_closed"]),
        "win_rate": pooled["win_rate"],
        "win_rate_ci": list(
            win_rate_interval(per_replication["win_rate"].dropna().to_numpy(), opportunity, won)
        ),
        "cycle_days_median": _quantile(cycle, 0.5),
        "cycle_days_mean": float(cycle.mean()) if cycle.size else math.nan,
        "cycle_days_p90": _quantile(cycle, 0.9),
        "cycle_days_won_median": _quantile(table["cycle_days"].to_numpy()[won], 0.5),
        "cycle_days_km_median": km_median,
        "cycle_days_km_p90": km_p90,
        "outcomes": {kind.key: int(counts.get(kind.key, 0)) for kind in Outcome},
        **money(table, replications),
        **channel_effort(table, replications),
        "marketing_utilisation": float(results.replications["marketing_utilisation"].mean()),
        "reactive_share": float(results.replications["reactive_share"].mean()),
        "rep_departures": float(results.replications["rep_departures"].mean()),
        "parameters": results.scenario.to_dict(),
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
    won = outcome_codes(table) == WON
    partner_sourced = (table["source"] == Source.PARTNER.key).to_numpy()
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
    """CI of the win rate: Student t across replications, or Wilson within one replication."""
    if len(rates) >= 2:
        low, high = REGISTRY["win_rate"].clip(*t_interval(rates))
        return float(low), float(high)
    return wilson_interval(int((won & opportunity).sum()), int(opportunity.sum()))


def censored_quantiles(table: pd.DataFrame, levels: tuple[float, ...]) -> list[float]:
    """Kaplan-Meier quantiles of opportunities' time to close, open ones censored at the horizon.

    A quantile the curve never reaches within the horizon is NaN (shown as '>horizon').
    """
    keep = table["qualified"].to_numpy()
    ages = table["age_days"].to_numpy()[keep]
    ended = (outcome_codes(table) != OPEN)[keep]
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
