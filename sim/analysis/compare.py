"""Paired comparison of two scenarios run with common random numbers.

Both scenarios are run with the same seed, so replication r of A and replication r
of B draw from the same random streams (see `sim.model.streams`): the same leads, the same
committee members, the same dice. The difference B - A of a replication's metric is
then mostly the effect of the scenario change, and the paired differences have less
spread than the difference of two independent runs (docs/experiments.md: how much).

`replication_metrics` and `paired_difference` work on tables loaded from disk too.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.world import simulate_replication
from .metrics import (
    LABELS,
    METRICS,
    OUTCOME_METRICS,
    UNITS,
    column_metrics,
    replication_metrics,
)
from .results_folder import json_values
from .statistics import CONFIDENCE, mean, mean_interval, welch_difference

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from ..scenario import Scenario
    from .replications import Progress

DIFF_KEYS = ("estimate", "ci", "p_value", "pairs", "nonzero", "degenerate")
# When most paired differences are exactly zero, the few others carry the whole effect
# and the t interval cannot estimate their spread: the comparison says so
# (docs/experiments.md, coverage study).
DEGENERATE_SHARE = 0.5


def paired_difference(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """For each metric: means in A and B, and the mean paired difference B - A.

    Rows are paired by replication (a `replication` column, or else the index);
    pairs where either side is NaN are dropped, and all figures are over the pairs
    kept (`pairs`). The interval is the t interval of the differences' mean and the
    p-value the paired t-test's (`sim.analysis.statistics.mean_interval`).
    """
    a, b = _by_replication(a), _by_replication(b)
    common = a.index.intersection(b.index)
    result = {}
    for metric in METRICS:
        left = a.loc[common, metric].to_numpy(dtype=float)
        right = b.loc[common, metric].to_numpy(dtype=float)
        keep = ~(np.isnan(left) | np.isnan(right))
        differences = right[keep] - left[keep]
        nonzero = int(np.count_nonzero(differences))
        result[metric] = {
            "a": mean(left[keep]),
            "b": mean(right[keep]),
            "pairs": int(keep.sum()),
            "nonzero": nonzero,
            "degenerate": bool(nonzero < DEGENERATE_SHARE * keep.sum()),
            **mean_interval(differences),
        }
    return result


def independent_difference(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Like paired_difference, but as if A and B were independent runs (Welch's t-test).

    Used to show what common random numbers gain: the same runs, unpaired.
    """
    result = {}
    for metric in METRICS:
        left = a[metric].dropna().to_numpy(dtype=float)
        right = b[metric].dropna().to_numpy(dtype=float)
        result[metric] = {"a": mean(left), "b": mean(right), **welch_difference(left, right)}
    return result


def _by_replication(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("replication") if "replication" in table.columns else table


def verdict(diff: dict[str, dict[str, Any]], a_name: str, b_name: str, alpha: float = 0.05) -> str:
    """Plain sentences: what changed from A to B, whether it stands out from noise, and
    which intervals rest on too few non-zero differences to trust."""
    return (
        _what_changed(diff, a_name, b_name, alpha) + _in_money(diff, b_name, alpha) + _too_few(diff)
    )


def _too_few(diff: dict[str, dict[str, Any]]) -> str:
    # A metric no run changed (all its differences 0) is not shaky: it is unchanged, exactly.
    shaky = [
        metric
        for metric in METRICS
        if diff[metric].get("degenerate") and diff[metric].get("nonzero") != 0
    ]
    if not shaky:
        return ""
    counts = ", ".join(
        f"{LABELS[metric]} {diff[metric]['nonzero']} of {diff[metric]['pairs']}" for metric in shaky
    )
    return (
        f" Warning: most paired differences are exactly zero ({counts} non-zero), so "
        "those intervals may not keep their promise; simulate more runs (-n, or --precision "
        "chooses how many)."
    )


def _what_changed(diff: dict[str, dict[str, Any]], a_name: str, b_name: str, alpha: float) -> str:
    clear, noise = [], []
    for metric in OUTCOME_METRICS:
        entry = diff[metric]
        p_value, estimate = entry["p_value"], entry["estimate"]
        if math.isnan(estimate) or math.isnan(p_value) or p_value >= alpha or estimate == 0:
            noise.append(LABELS[metric])
        else:
            clear.append(_change(metric, estimate))
    if not clear and all(diff[metric].get("nonzero") == 0 for metric in OUTCOME_METRICS):
        return f"{b_name}'s deals are {a_name}'s, run by run: every difference is exactly 0."
    if not clear:
        return (
            f"{b_name}'s deals are not distinguishable from {a_name}'s: every difference "
            f"({_join(noise)}) is within the noise between simulated runs."
        )
    tail = (
        f"; the {_join(noise)} {'stays' if len(noise) == 1 else 'stay'} within noise"
        if noise
        else ""
    )
    return f"Against {a_name}, {b_name} {_join(clear)} (each p < {alpha:g}){tail}."


def _in_money(diff: dict[str, dict[str, Any]], b_name: str, alpha: float) -> str:
    """What B does to the money, each with its interval: ' In money, B spends $X a year more...'."""
    cost, booked = diff["cost_of_sales_per_year"], diff["revenue_gross_per_year"]
    if math.isnan(cost["estimate"]) or math.isnan(booked["estimate"]):
        return ""  # runs without the money figures (results made by hand)
    return (
        f" In money, {b_name} spends {_dollars_a_year(cost, alpha)} on sales and marketing "
        f"and books {_dollars_a_year(booked, alpha)} in new revenue."
    )


def _dollars_a_year(entry: dict[str, Any], alpha: float) -> str:
    """'$6,937 a year less (95% CI -$13,252 to -$622)', or '...; within the noise)'; where
    every run differs alike, 'exactly $45,000 a year more in every run' or 'the same'."""
    estimate = entry["estimate"]
    low, high = entry["ci"]
    direction = "more" if estimate > 0 else "less"
    if entry.get("nonzero") == 0:
        return "the same"
    if low == high == estimate:
        return f"exactly ${abs(estimate):,.0f} a year {direction} in every run"
    noise = "; within the noise" if not entry["p_value"] < alpha else ""
    return (
        f"${abs(estimate):,.0f} a year {direction} ({CONFIDENCE:.0%} CI "
        f"{_signed_dollars(low)} to {_signed_dollars(high)}{noise})"
    )


def _signed_dollars(amount: float) -> str:
    return f"{'-' if amount < 0 else '+'}${abs(amount):,.0f}"


def _change(metric: str, estimate: float) -> str:
    unit = UNITS[metric]
    verb = "raises" if estimate > 0 else "lowers"
    if unit == "%":
        amount = f"{abs(estimate) * 100:.1f} percentage points"
    elif unit == "USD/year":
        amount = f"${abs(estimate):,.0f} a year"
    else:
        verb = "lengthens" if estimate > 0 else "shortens"
        amount = f"{abs(estimate):.1f} {unit}"
    return f"{verb} the {LABELS[metric]} by {amount}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def compare(
    a: Scenario,
    b: Scenario,
    replications: int,
    seed: int,
    names: tuple[str, str] | None = None,
    precision: tuple[str, float] | None = None,
    budget: int = 1000,
    workers: int | None = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run A and B with one seed (common random numbers); compare them replication by replication.

    With `precision` = (metric, target), replications are added until the CI half-width
    of that metric's paired difference is at most `target` (at most `budget` of them)
    instead of running `replications`, one pair at a time. Returns {"a": values in A,
    "b": values in B, "diff": {metric: estimate, ci, p_value, pairs, nonzero,
    degenerate}, "verdict": one sentence}, the seed and replications, and with
    `precision` how they were chosen. `workers` and `progress` are as for
    `sim.analysis.replications.simulate` (without `precision`).
    """
    from .precision import pairs_to_precision, precision_record

    names = names or (a.scenario.name, b.scenario.name)
    sequential = None
    if precision is None:
        tables = metrics_of_each((a, b), replications, seed, workers, progress)
    else:
        runs, sequential = pairs_to_precision(a, b, *precision, seed=seed, budget=budget)
        tables = [replication_metrics(run) for run in runs]
    diff = paired_difference(*tables)
    comparison = {
        "seed": seed,
        "replications": len(tables[0]),
        "a": {"scenario": names[0], **{metric: diff[metric]["a"] for metric in METRICS}},
        "b": {"scenario": names[1], **{metric: diff[metric]["b"] for metric in METRICS}},
        "diff": {metric: {key: diff[metric][key] for key in DIFF_KEYS} for metric in METRICS},
        "verdict": verdict(diff, *names),
    }
    if sequential is not None:
        comparison["precision"] = precision_record(sequential, precision[0])  # type: ignore[index]
    return comparison


def metrics_of_each(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    workers: int | None = 1,
    progress: Progress | None = None,
) -> list[pd.DataFrame]:
    """`replication_metrics` of each scenario's replications, all run with `seed`.

    Each replication is measured where it ran, as a sweep's are, so no deal table is
    kept or sent between processes; the numbers are those of `replication_metrics`.
    """
    import pandas as pd

    from .replications import in_order

    rows: list[list[dict[str, Any]]] = [[] for _ in scenarios]
    for index, block in in_order(metric_row, scenarios, replications, seed, workers, progress):
        rows[index].extend(block)
    return [pd.DataFrame(table, columns=["replication", *METRICS]) for table in rows]


def metric_row(scenario: Scenario, seed: int, replication: int) -> dict[str, Any]:
    """One replication of `scenario`, measured: its row of `replication_metrics`."""
    part = simulate_replication(scenario, seed, replication)
    return {"replication": replication, **column_metrics(part, scenario, METRICS)}


def comparison_json(comparison: dict[str, Any]) -> str:
    """The comparison as JSON text, NaN written as null."""
    import json

    return json.dumps(json_values(comparison), indent=2, allow_nan=False)
