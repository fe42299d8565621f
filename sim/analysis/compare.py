"""Paired comparison of two scenarios run with common random numbers.

Both scenarios are run with the same seed, so replication r of A and replication r
of B draw from the same random streams (see `sim.streams`): the same leads, the same
committee members, the same dice. The difference B - A of a replication's metric is
then mostly the effect of the scenario change, and the paired differences have less
spread than the difference of two independent runs (docs/experiments.md: how much).

`replication_metrics` and `paired_difference` work on tables loaded from disk too.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.records import OUTCOME_INDEX

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario
    from .replications import Results

METRICS = ("win_rate", "cycle_days_median", "cycle_days_mean", "revenue_net")
CONFIDENCE = 0.95
LABELS = {  # how the verdict names each metric
    "win_rate": "win rate",
    "cycle_days_median": "median cycle",
    "cycle_days_mean": "mean cycle",
    "revenue_net": "net revenue",
}
UNITS = {
    "win_rate": "%",
    "cycle_days_median": "days",
    "cycle_days_mean": "days",
    "revenue_net": "USD",
}


def deal_metrics(
    won: np.ndarray,
    opportunity: np.ndarray,
    cycle_days: np.ndarray,
    revenue: np.ndarray,
    commission: np.ndarray,
) -> dict[str, float]:
    """The metrics of one replication's deals, defined as in summary.json.

    An opportunity is a qualified deal that ended before the horizon; win rate and
    cycle length are over opportunities, net revenue is revenue less commissions.
    """
    closed = int(opportunity.sum())
    cycle = cycle_days[opportunity]
    return {
        "win_rate": float((won & opportunity).sum()) / closed if closed else math.nan,
        "cycle_days_median": float(np.median(cycle)) if closed else math.nan,
        "cycle_days_mean": float(cycle.mean()) if closed else math.nan,
        "revenue_net": float(revenue.sum() - commission.sum()),
    }


def column_metrics(deals: dict[str, np.ndarray]) -> dict[str, float]:
    """Metrics of one replication from the raw columns `simulate_replication` returns."""
    outcome = deals["outcome"]
    opportunity = deals["qualified"] & (outcome != OUTCOME_INDEX["open"])
    return {
        "deals": len(outcome),
        "opportunities_closed": int(opportunity.sum()),
        **deal_metrics(
            won=outcome == OUTCOME_INDEX["won"],
            opportunity=opportunity,
            cycle_days=deals["cycle_days"],
            revenue=deals["revenue"],
            commission=deals["commission"],
        ),
    }


def replication_metrics(results: Results) -> pd.DataFrame:
    """One row per replication (column `replication`) with the columns of METRICS.

    Replications without any deal are kept (win rate and cycle NaN, revenue 0).
    """
    import pandas as pd

    deals = results.deals
    outcome = deals["outcome"].astype(str).to_numpy()
    opportunity = deals["qualified"].to_numpy(dtype=bool) & (outcome != "open")
    by_replication = pd.DataFrame(
        {
            "opportunity": opportunity,
            "won": opportunity & (outcome == "won"),
            "cycle": np.where(opportunity, deals["cycle_days"].to_numpy(dtype=float), np.nan),
            "revenue": deals["revenue"].to_numpy(dtype=float),
            "commission": deals["commission"].to_numpy(dtype=float),
        }
    ).groupby(deals["replication"].to_numpy())
    sums = by_replication[["opportunity", "won", "revenue", "commission"]].sum()
    table = pd.DataFrame(
        {
            "win_rate": sums["won"] / sums["opportunity"].where(sums["opportunity"] > 0),
            "cycle_days_median": by_replication["cycle"].median(),
            "cycle_days_mean": by_replication["cycle"].mean(),
            "revenue_net": sums["revenue"] - sums["commission"],
        }
    )
    replications = results.replications["replication"].to_numpy()
    table = table.reindex(replications).fillna({"revenue_net": 0.0})
    return table.rename_axis("replication").reset_index()[["replication", *METRICS]]


def paired_difference(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """For each metric: means in A and B, and the mean paired difference B - A.

    Rows are paired by replication (a `replication` column, or else the index);
    pairs where either side is NaN are dropped, and all figures are over the pairs
    kept (`pairs`). The interval and p-value are the paired t-test's (scipy.stats).
    """
    a, b = _by_replication(a), _by_replication(b)
    common = a.index.intersection(b.index)
    result = {}
    for metric in METRICS:
        left = a.loc[common, metric].to_numpy(dtype=float)
        right = b.loc[common, metric].to_numpy(dtype=float)
        keep = ~(np.isnan(left) | np.isnan(right))
        result[metric] = {
            "a": _mean(left[keep]),
            "b": _mean(right[keep]),
            "pairs": int(keep.sum()),
            **mean_interval(right[keep] - left[keep]),
        }
    return result


def independent_difference(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Like paired_difference, but as if A and B were independent runs (Welch's t-test).

    Used to show what common random numbers gain: the same runs, unpaired.
    """
    from scipy import stats

    result = {}
    for metric in METRICS:
        left = a[metric].dropna().to_numpy(dtype=float)
        right = b[metric].dropna().to_numpy(dtype=float)
        entry = {"a": _mean(left), "b": _mean(right), "estimate": _mean(right) - _mean(left)}
        if min(len(left), len(right)) < 2 or (np.ptp(left) == 0 and np.ptp(right) == 0):
            entry |= _degenerate(entry["estimate"], min(len(left), len(right)))
        else:
            test = stats.ttest_ind(right, left, equal_var=False)
            interval = test.confidence_interval(CONFIDENCE)
            entry |= {
                "ci": [float(interval.low), float(interval.high)],
                "p_value": float(test.pvalue),
            }
        result[metric] = entry
    return result


def mean_interval(differences: np.ndarray) -> dict[str, Any]:
    """Mean of paired differences, its 95% t interval and the two-sided p-value of 'mean = 0'."""
    from scipy import stats

    estimate = _mean(differences)
    if len(differences) < 2 or _no_spread(differences):
        return {"estimate": estimate, **_degenerate(estimate, len(differences))}
    test = stats.ttest_1samp(differences, 0.0)
    interval = test.confidence_interval(CONFIDENCE)
    return {
        "estimate": estimate,
        "ci": [float(interval.low), float(interval.high)],
        "p_value": float(test.pvalue),
    }


def _degenerate(estimate: float, n: int) -> dict[str, Any]:
    """Interval and p-value when there is no spread to estimate, or too few pairs."""
    if n < 2:
        return {"ci": [math.nan, math.nan], "p_value": math.nan}
    # Every difference equal: the interval collapses; a nonzero constant difference is certain.
    return {"ci": [estimate, estimate], "p_value": 1.0 if estimate == 0 else 0.0}


def _no_spread(values: np.ndarray) -> bool:
    """All values equal up to rounding (scipy would warn of catastrophic cancellation)."""
    scale = max(float(np.abs(values).max()), 1.0)
    return float(np.ptp(values)) <= 1e-12 * scale


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


def _by_replication(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("replication") if "replication" in table.columns else table


def verdict(diff: dict[str, dict[str, Any]], a_name: str, b_name: str, alpha: float = 0.05) -> str:
    """One plain sentence: what changed from A to B, and whether it stands out from noise."""
    clear, noise = [], []
    for metric in METRICS:
        entry = diff[metric]
        p_value, estimate = entry["p_value"], entry["estimate"]
        if math.isnan(estimate) or math.isnan(p_value) or p_value >= alpha or estimate == 0:
            noise.append(LABELS[metric])
        else:
            clear.append(_change(metric, estimate))
    if not clear:
        return (
            f"{b_name} is not distinguishable from {a_name}: every difference "
            f"({_join(noise)}) is within the noise of the replications."
        )
    tail = (
        f"; the {_join(noise)} {'stays' if len(noise) == 1 else 'stay'} within noise"
        if noise
        else ""
    )
    return f"Against {a_name}, {b_name} {_join(clear)} (each p < {alpha:g}){tail}."


def _change(metric: str, estimate: float) -> str:
    label = LABELS[metric]
    verb = "raises" if estimate > 0 else "lowers"
    if metric == "win_rate":
        amount = f"{abs(estimate) * 100:.1f} percentage points"
    elif metric == "revenue_net":
        amount = f"${abs(estimate):,.0f} per replication"
    else:
        verb = "lengthens" if estimate > 0 else "shortens"
        amount = f"{abs(estimate):.1f} days"
    return f"{verb} the {label} by {amount}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def compare(
    a: Scenario, b: Scenario, replications: int, seed: int, names: tuple[str, str] | None = None
) -> dict[str, Any]:
    """Run A and B with the same seed (common random numbers) and compare them replication by replication.

    Returns {"a": values in A, "b": values in B, "diff": {metric: estimate, ci, p_value, pairs},
    "verdict": one sentence}, plus the seed and replications.
    """
    from .replications import simulate

    names = names or (a.scenario.name, b.scenario.name)
    diff = paired_difference(
        replication_metrics(simulate(a, replications=replications, seed=seed)),
        replication_metrics(simulate(b, replications=replications, seed=seed)),
    )
    return {
        "seed": seed,
        "replications": replications,
        "a": {"scenario": names[0], **{metric: diff[metric]["a"] for metric in METRICS}},
        "b": {"scenario": names[1], **{metric: diff[metric]["b"] for metric in METRICS}},
        "diff": {
            metric: {key: diff[metric][key] for key in ("estimate", "ci", "p_value", "pairs")}
            for metric in METRICS
        },
        "verdict": verdict(diff, *names),
    }


def comparison_json(comparison: dict[str, Any]) -> str:
    """The comparison as JSON text, NaN written as null."""
    import json

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return None if isinstance(value, float) and math.isnan(value) else value

    return json.dumps(clean(comparison), indent=2, allow_nan=False)


def print_comparison(comparison: dict[str, Any], console: Any = None) -> None:
    """A table of A, B and the paired difference with its interval and p-value, then the verdict."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    a, b = comparison["a"], comparison["b"]
    table = Table(
        title=f"A = {a['scenario']}, B = {b['scenario']}: {comparison['replications']} paired "
        f"replications, seed {comparison['seed']}",
        header_style="bold",
    )
    for column in ("metric", "A", "B", "B - A", "95% CI of B - A", "p"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric in METRICS:
        entry = comparison["diff"][metric]
        low, high = entry["ci"]
        table.add_row(
            f"{LABELS[metric]} ({UNITS[metric]})",
            _format(metric, a[metric]),
            _format(metric, b[metric]),
            _format(metric, entry["estimate"], signed=True),
            f"{_format(metric, low, signed=True)} to {_format(metric, high, signed=True)}",
            _format_p(entry["p_value"]),
        )
    console.print(table)
    console.print(comparison["verdict"])


def _format(metric: str, value: float, signed: bool = False) -> str:
    if math.isnan(value):
        return "n/a"
    sign = "+" if signed else ""
    if metric == "win_rate":
        return f"{value * 100:{sign}.1f}"
    if metric == "revenue_net":
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.1f}"


def _format_p(p_value: float) -> str:
    if math.isnan(p_value):
        return "n/a"
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"
