"""Summary statistics of a run: the metrics with their CIs, the funnel, outcomes, money, time use.

Every figure follows `sim.analysis.metrics`: deals that arrived in the statistics
window (after the warm-up) are counted; rates are censoring-aware; money and counts
are per year of the window. A metric's headline figure is the mean of its
per-replication values and its interval the Student t interval of that mean, the
same numbers `compare` and a sweep use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..vocabulary import NO_DECISION_REASONS, Outcome, Reason, Source, Stage, Step
from .metrics import REGISTRY, Window, booked_in, codes, decided, replication_metrics
from .statistics import t_interval

if TYPE_CHECKING:
    from .replications import Results

# Endings that follow a committee's choice (a deal in negotiation has been chosen too).


def summarise(results: Results) -> dict[str, Any]:
    """The run's headline numbers, as stored in summary.json (`parameters`: the scenario run)."""
    table = results.deals
    window = Window.of(results.scenario)
    replications = results.replication_count
    years = window.years * replications  # counted years over all replications
    per_replication = replication_metrics(results, tuple(REGISTRY))
    counted = table[table["counted"].to_numpy(dtype=bool)]
    counts = counted["outcome"].value_counts()
    no_decision = counted.loc[counted["outcome"] == Outcome.NO_DECISION.key, "reason"]
    reasons = no_decision.value_counts()
    return {
        "scenario": results.scenario.scenario.name,
        "seed": results.seed,
        "replications": replications,
        "window": {"warmup_days": window.start, "horizon_days": window.end, "years": window.years},
        **metric_figures(per_replication),
        "deals_per_year": len(counted) / years,
        "funnel_per_year": {step: float(n) / years for step, n in funnel(counted).items()},
        "outcomes": {kind.key: int(counts.get(kind.key, 0)) for kind in Outcome},
        "no_decision_reasons": {
            reason.key: int(reasons.get(reason.key, 0)) for reason in NO_DECISION_REASONS
        },
        **money(table, window, years),
        **channel_effort(table, window, years),
        **time_use(results.replications, window),
        "parameters": results.scenario.to_dict(),
    }


def metric_figures(per_replication: pd.DataFrame) -> dict[str, Any]:
    """Each metric pooled over replications; a mean-pooled one with its t interval (`_ci`)."""
    figures: dict[str, Any] = {}
    for name, metric in REGISTRY.items():
        values = per_replication[name].to_numpy(dtype=float)
        pooled = metric.pooled(values)
        figures[name] = int(pooled) if metric.pool == "sum" else float(pooled)
        if metric.pool == "mean":
            low, high = metric.clip(*t_interval(values[~np.isnan(values)]))
            figures[f"{name}_ci"] = [float(low), float(high)]
    return figures


def funnel(counted: pd.DataFrame) -> dict[str, int]:
    """How many counted leads reached each step: qualified, past the stallers, ..., won."""
    stage = codes(counted, "stage")
    reason = codes(counted, "reason")
    reached = {
        Step.LEADS: len(counted),
        Step.QUALIFIED: int(counted["qualified"].sum()),
        Step.PAST_STALLERS: int((stage >= Stage.NAY_SAYERS).sum()),
        Step.PAST_NAY_SAYERS: int((stage >= Stage.DECIDING).sum()),
        Step.DECIDED: int(decided(reason, stage).sum()),
        Step.WON: int((reason == Reason.WON).sum()),
    }
    return {step.key: reached[step] for step in Step}


def _booked(table: pd.DataFrame, window: Window) -> np.ndarray:
    return booked_in(window, codes(table, "outcome"), table["closed_day"].to_numpy(dtype=float))


def money(table: pd.DataFrame, window: Window, years: float) -> dict[str, float]:
    """Revenue booked in the window, the partners' commissions on it and what is left, per year."""
    booked = _booked(table, window)
    gross = float(table["revenue"].to_numpy()[booked].sum())
    commissions = float(table["commission"].to_numpy()[booked].sum())
    return {
        "revenue_gross_per_year": gross / years,
        "commissions_per_year": commissions / years,
        "commission_share": commissions / gross if gross > 0 else float("nan"),
    }


def channel_effort(table: pd.DataFrame, window: Window, years: float) -> dict[str, float]:
    """Wins by source, and what partner deals cost in direct effort and misrepresentation."""
    booked = _booked(table, window)
    partner_sourced = (table["source"] == Source.PARTNER.key).to_numpy()
    counted = table["counted"].to_numpy(dtype=bool)
    return {
        "wins_direct_per_year": float((booked & ~partner_sourced).sum()) / years,
        "wins_partner_sourced_per_year": float((booked & partner_sourced).sum()) / years,
        "direct_hours_on_partner_deals_per_year": float(
            table["direct_hours"].to_numpy()[partner_sourced & counted].sum()
        )
        / years,
        "misrepresentation_vetoes_per_year": float(
            table["misrepresentation_veto"].to_numpy()[counted].sum()
        )
        / years,
    }


def time_use(stats: pd.DataFrame, window: Window) -> dict[str, float]:
    """Marketing's time use over the window, and reps who left in it, per year."""
    return {
        "marketing_utilisation": float(stats["marketing_utilisation"].mean()),
        "reactive_share": float(stats["reactive_share"].mean()),
        "rep_departures_per_year": float(stats["rep_departures"].mean()) / window.years,
    }
