"""The per-replication metrics, each declared once: name, label, unit, meaning, computing, pooling.

A metric is computed for one replication from that replication's deal columns (numpy
arrays, outcome as `Outcome` codes), exactly as the model returns them. The sweep
computes its rows this way from the raw columns; `replication_metrics` slices a deal
table by replication and calls the same functions, so a sweep row, a comparison and
summary.json's win rate are one definition.

An opportunity is a qualified deal that ended before the horizon (a closed
opportunity): win rate and cycle length are over these.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..vocabulary import Outcome

if TYPE_CHECKING:
    import pandas as pd

    from .replications import Results

COLUMNS = ("outcome", "qualified", "cycle_days", "revenue", "commission")  # what metrics read
WON, OPEN = int(Outcome.WON), int(Outcome.OPEN)  # plain codes: numpy compares these fastest


def outcome_codes(table: pd.DataFrame) -> np.ndarray:
    """A deal table's outcome column as `Outcome` codes (it holds the outcomes' keys)."""
    import pandas as pd

    return pd.Categorical(table["outcome"], categories=Outcome.keys()).codes


def closed_opportunities(outcome: np.ndarray, qualified: np.ndarray) -> np.ndarray:
    """Which deals are closed opportunities: qualified and no longer open."""
    return qualified & (outcome != OPEN)


class ReplicationDeals:
    """One replication's deals as numpy columns, with the closed opportunities worked out once."""

    def __init__(self, columns: Mapping[str, np.ndarray]):
        self.outcome = columns["outcome"]
        self.cycle_days = columns["cycle_days"]
        self.revenue = columns["revenue"]
        self.commission = columns["commission"]
        self.opportunity = closed_opportunities(self.outcome, columns["qualified"])
        self.closed = int(self.opportunity.sum())


@dataclass(frozen=True)
class Metric:
    """A number per replication, and how replications are pooled into one figure."""

    name: str
    label: str  # how sentences name it ("median cycle")
    unit: str  # "%" (a share, shown times 100), "days", "USD" or "count"
    doc: str
    compute: Callable[[ReplicationDeals], float]
    pool: Literal["mean", "sum"] = "mean"  # over the replications that have a value
    bounds: tuple[float, float] | None = None  # where an interval of it must stay

    def pooled(self, values: np.ndarray) -> float:
        """The metric over several replications; NaN (no value) replications are left out."""
        values = values[~np.isnan(values)]
        if self.pool == "sum":
            return values.sum()
        return values.mean() if values.size else math.nan

    def clip(self, low: Any, high: Any) -> tuple[Any, Any]:
        """An interval (numbers, or arrays of ends) kept within the metric's bounds, if any."""
        if self.bounds is None:
            return low, high
        return np.clip(low, *self.bounds), np.clip(high, *self.bounds)


def _win_rate(deals: ReplicationDeals) -> float:
    won = deals.outcome == WON
    return float((won & deals.opportunity).sum()) / deals.closed if deals.closed else math.nan


def _cycle_median(deals: ReplicationDeals) -> float:
    return float(np.median(deals.cycle_days[deals.opportunity])) if deals.closed else math.nan


def _cycle_mean(deals: ReplicationDeals) -> float:
    return float(deals.cycle_days[deals.opportunity].mean()) if deals.closed else math.nan


def _revenue_net(deals: ReplicationDeals) -> float:
    return float(deals.revenue.sum() - deals.commission.sum())


REGISTRY = {
    metric.name: metric
    for metric in (
        Metric(
            "deals", "deals", "count", "deals in the replication", lambda d: len(d.outcome), "sum"
        ),
        Metric(
            "opportunities_closed",
            "closed opportunities",
            "count",
            "qualified deals that ended before the horizon",
            lambda d: d.closed,
            "sum",
        ),
        Metric(
            "win_rate",
            "win rate",
            "%",
            "won / closed opportunities (NaN without any)",
            _win_rate,
            bounds=(0.0, 1.0),
        ),
        Metric(
            "cycle_days_median",
            "median cycle",
            "days",
            "median days from lead to close of closed opportunities",
            _cycle_median,
        ),
        Metric(
            "cycle_days_mean",
            "mean cycle",
            "days",
            "mean days from lead to close of closed opportunities",
            _cycle_mean,
        ),
        Metric(
            "revenue_net",
            "net revenue",
            "USD",
            "revenue of won deals less partner commissions",
            _revenue_net,
        ),
    )
}
# The metrics `compare` and the report compare and a sweep's point summary averages.
METRICS = ("win_rate", "cycle_days_median", "cycle_days_mean", "revenue_net")
LABELS = {name: metric.label for name, metric in REGISTRY.items()}
UNITS = {name: metric.unit for name, metric in REGISTRY.items()}
POOLING = {"mean": "mean over the replications that have a value", "sum": "sum"}


def metric_table() -> str:
    """The metrics as a Markdown table, as docs/results.md shows them."""
    lines = [
        "| metric | label | unit | per replication | over replications |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{m.name}` | {m.label} | {m.unit} | {m.doc} | {POOLING[m.pool]} |"
        for m in REGISTRY.values()
    ]
    return "\n".join(lines)


def column_metrics(deals: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Every metric of one replication, in registry order, from its deal columns."""
    replication = ReplicationDeals(deals)
    return {name: metric.compute(replication) for name, metric in REGISTRY.items()}


def replication_metrics(results: Results, metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """One row per replication (column `replication`), then the named metrics.

    Each replication's deals are sliced from the deal table and measured as
    `column_metrics` measures the model's columns. Replications without any deal are
    kept (win rate and cycle NaN, revenue 0).
    """
    import pandas as pd

    table = results.deals
    columns = {
        "outcome": outcome_codes(table),
        **{name: table[name].to_numpy() for name in COLUMNS if name != "outcome"},
    }
    positions = table.groupby("replication", sort=False).indices
    nothing = np.zeros(0, dtype=np.intp)
    rows = []
    for replication in results.replications["replication"].to_numpy():
        where = positions.get(replication, nothing)
        deals = ReplicationDeals({name: column[where] for name, column in columns.items()})
        rows.append(
            {
                "replication": replication,
                **{name: REGISTRY[name].compute(deals) for name in metrics},
            }
        )
    return pd.DataFrame(rows, columns=["replication", *metrics])
