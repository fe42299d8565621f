"""The per-replication metrics, each declared once: name, label, unit, meaning, computing, pooling.

A metric is computed for one replication from that replication's deal columns (numpy
arrays, outcome and reason as codes), exactly as the model returns them, and the
run's statistics window. The sweep computes its rows this way from the raw columns;
`replication_metrics` slices a deal table by replication and calls the same
functions, so a sweep row, a comparison and summary.json are one definition.

The definitions (docs/results.md explains them for users):
- The deals counted are those that arrived in the window, from `warmup_days` to the
  horizon: a cohort by arrival. An opportunity is a counted deal the seller qualified.
- Rates are censoring-aware: an opportunity still open at the horizon is counted as
  open, not dropped. The win rate is the Aalen-Johansen estimate of the probability
  that an opportunity is eventually won; the cycle length is the Kaplan-Meier median
  time from arrival to close. The closed-only figures are labelled as such.
- Money is what was booked in the window (deals won on or after `warmup_days`,
  whenever they arrived), per year of the window; never per replication.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..vocabulary import (
    DAYS_PER_YEAR,
    DECISION_REASONS,
    INDECISION_REASONS,
    Outcome,
    Reason,
    Stage,
)
from .survival import cumulative_incidence, km_quantile

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario
    from .replications import Results

# What metrics read of a replication's deals.
COLUMNS = (
    "counted",
    "outcome",
    "reason",
    "qualified",
    "stage",
    "closed_day",
    "age_days",
    "cycle_days",
    "revenue",
    "commission",
)
CATEGORY_COLUMNS = {"outcome": Outcome, "reason": Reason, "stage": Stage}
# Plain codes: numpy compares these fastest.
WON, OPEN, NO_DECISION = int(Outcome.WON), int(Outcome.OPEN), int(Outcome.NO_DECISION)


@dataclass(frozen=True)
class Window:
    """The statistics window: deals arriving from `start` (the warm-up) to `end` count."""

    start: float
    end: float

    @classmethod
    def of(cls, scenario: Scenario) -> Window:
        info = scenario.scenario
        return cls(info.warmup_days, info.horizon_days)

    @property
    def years(self) -> float:
        return (self.end - self.start) / DAYS_PER_YEAR


def codes(table: pd.DataFrame, column: str) -> np.ndarray:
    """A deal table's category column (outcome, reason, stage) as the vocabulary's codes."""
    import pandas as pd

    return pd.Categorical(table[column], categories=CATEGORY_COLUMNS[column].keys()).codes


def outcome_codes(table: pd.DataFrame) -> np.ndarray:
    """A deal table's outcome column as `Outcome` codes (it holds the outcomes' keys)."""
    return codes(table, "outcome")


def booked_in(window: Window, outcome: np.ndarray, closed_day: np.ndarray) -> np.ndarray:
    """Deals whose money the window counts: won in it, whenever they arrived."""
    return (outcome == WON) & (closed_day >= window.start)


class ReplicationDeals:
    """One replication's counted deals as numpy columns, with the opportunities worked out once."""

    def __init__(self, columns: Mapping[str, np.ndarray], window: Window):
        counted = columns["counted"]
        self.window = window
        self.outcome = columns["outcome"][counted]
        self.reason = columns["reason"][counted]
        self.stage = columns["stage"][counted]
        self.age_days = columns["age_days"][counted]
        self.cycle_days = columns["cycle_days"][counted]
        self.ended = self.outcome != OPEN
        self.opportunity = columns["qualified"][counted]  # a qualified lead
        self.opportunities = int(self.opportunity.sum())
        self.closed = self.opportunity & self.ended
        booked = booked_in(window, columns["outcome"], columns["closed_day"])
        self.booked_revenue = float(columns["revenue"][booked].sum())
        self.booked_commission = float(columns["commission"][booked].sum())

    @cached_property
    def decided(self) -> np.ndarray:
        """The deals whose committee came to its decision, worked out once for every metric."""
        return decided(self.reason, self.stage)

    def eventual_share(self, cause: np.ndarray, among: np.ndarray) -> float:
        """Aalen-Johansen: the probability that a deal of `among` eventually ends by `cause`."""
        return cumulative_incidence(self.age_days[among], cause[among], self.ended[among])

    def per_year(self, amount: float) -> float:
        return amount / self.window.years


@dataclass(frozen=True)
class Metric:
    """A number per replication, and how replications are pooled into one figure."""

    name: str
    label: str  # how sentences name it ("median cycle")
    unit: str  # "%" (a share, shown times 100), "days", "USD/year" or "count"
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
    return deals.eventual_share(deals.outcome == WON, deals.opportunity)


def _lead_win_rate(deals: ReplicationDeals) -> float:
    return deals.eventual_share(deals.outcome == WON, np.ones_like(deals.ended))


def _no_decision_rate(deals: ReplicationDeals) -> float:
    return deals.eventual_share(deals.outcome == NO_DECISION, deals.opportunity)


DECIDED = np.array([int(r) for r in DECISION_REASONS])
INDECISION = np.array([int(r) for r in INDECISION_REASONS])
LOST = np.array([int(Reason.COMPETITOR), int(Reason.INSIDE_JOB)])
NOT_BOUGHT = np.array([int(Reason.STATUS_QUO), int(Reason.NO_CONSENSUS)])
STATUS_QUO, NEGOTIATING = int(Reason.STATUS_QUO), int(Stage.NEGOTIATING)
WON_REASON = int(Reason.WON)


def decided(reason: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Deals whose committee came to its decision: ended by it, or chose us and negotiate."""
    return np.isin(reason, DECIDED) | (stage == NEGOTIATING)


def _decided_share(deals: ReplicationDeals, ended: np.ndarray) -> float:
    """Share of the deals whose committee decided that `ended` (a mask over the deals) marks."""
    came_to_it = deals.decided
    count = int(came_to_it.sum())
    return int((came_to_it & ended).sum()) / count if count else math.nan


def _decided_won_share(deals: ReplicationDeals) -> float:
    """Won, or chosen and still negotiating at the horizon."""
    return _decided_share(deals, (deals.reason == WON_REASON) | (deals.stage == NEGOTIATING))


def _decided_with(reasons: np.ndarray) -> Callable[[ReplicationDeals], float]:
    """The share of decided deals that ended for one of `reasons`."""
    return lambda deals: _decided_share(deals, np.isin(deals.reason, reasons))


def _indecision_share(deals: ReplicationDeals) -> float:
    indecision = int(np.isin(deals.reason, INDECISION).sum())
    total = indecision + int((deals.reason == STATUS_QUO).sum())
    return indecision / total if total else math.nan


def _win_rate_closed(deals: ReplicationDeals) -> float:
    closed = int(deals.closed.sum())
    won = int((deals.closed & (deals.outcome == WON)).sum())
    return won / closed if closed else math.nan


def _cycle_median(deals: ReplicationDeals) -> float:
    opportunity = deals.opportunity
    return km_quantile(deals.age_days[opportunity], deals.ended[opportunity], 0.5)


def _closed_cycles(deals: ReplicationDeals) -> np.ndarray:
    return deals.cycle_days[deals.closed]


def _cycle_median_closed(deals: ReplicationDeals) -> float:
    cycles = _closed_cycles(deals)
    return float(np.median(cycles)) if cycles.size else math.nan


def _cycle_median_won(deals: ReplicationDeals) -> float:
    cycles = deals.cycle_days[deals.outcome == WON]
    return float(np.median(cycles)) if cycles.size else math.nan


def _cycle_mean_closed(deals: ReplicationDeals) -> float:
    cycles = _closed_cycles(deals)
    return float(cycles.mean()) if cycles.size else math.nan


def _revenue_net_per_year(deals: ReplicationDeals) -> float:
    return deals.per_year(deals.booked_revenue - deals.booked_commission)


def _commission_share(deals: ReplicationDeals) -> float:
    gross = deals.booked_revenue
    return deals.booked_commission / gross if gross > 0 else math.nan


RATE = (0.0, 1.0)
REGISTRY = {
    metric.name: metric
    for metric in (
        Metric(
            "deals",
            "deals",
            "count",
            "leads that arrived in the window",
            lambda d: len(d.outcome),
            "sum",
        ),
        Metric(
            "opportunities",
            "opportunities",
            "count",
            "leads that arrived in the window and were qualified",
            lambda d: d.opportunities,
            "sum",
        ),
        Metric(
            "wins",
            "wins",
            "count",
            "leads that arrived in the window and were won by the horizon",
            lambda d: int((d.outcome == WON).sum()),
            "sum",
        ),
        Metric(
            "win_rate",
            "win rate",
            "%",
            "probability that an opportunity is eventually won, open ones censored "
            "(Aalen-Johansen)",
            _win_rate,
            bounds=RATE,
        ),
        Metric(
            "no_decision_rate",
            "no-decision rate",
            "%",
            "probability that an opportunity eventually ends in no decision, open ones "
            "censored (Aalen-Johansen)",
            _no_decision_rate,
            bounds=RATE,
        ),
        Metric(
            "lead_win_rate",
            "leads won",
            "%",
            "probability that a lead, qualified or not, is eventually won (Aalen-Johansen)",
            _lead_win_rate,
            bounds=RATE,
        ),
        Metric(
            "cycle_days_median",
            "median cycle",
            "days",
            "median days from arrival to close of opportunities, open ones censored "
            "(Kaplan-Meier); NaN if more than half are still open",
            _cycle_median,
        ),
        Metric(
            "revenue_net_per_year",
            "net revenue",
            "USD/year",
            "revenue of deals won in the window less partner commissions, per year",
            _revenue_net_per_year,
        ),
        Metric(
            "commission_share",
            "commission share",
            "%",
            "partner commissions on the deals won in the window, as a share of their revenue; "
            "NaN without revenue",
            _commission_share,
            bounds=RATE,
        ),
        Metric(
            "purchase_likelihood",
            "purchase likelihood",
            "%",
            "share of the opportunities whose committee came to a decision that bought, "
            "from us or a competitor (CEB's measure)",
            lambda d: 1.0 - _decided_with(NOT_BOUGHT)(d),
            bounds=RATE,
        ),
        Metric(
            "indecision_share",
            "indecision share",
            "%",
            "of the no-decisions the buyer caused, the share from indecision (the committee "
            "failed to align, or its patience ran out deliberating) rather than a choice "
            "of the status quo (JOLT's split)",
            _indecision_share,
            bounds=RATE,
        ),
        Metric(
            "decided_won_share",
            "decisions for us",
            "%",
            "share of the opportunities whose committee came to a decision that chose us",
            _decided_won_share,
            bounds=RATE,
        ),
        Metric(
            "decided_lost_share",
            "decisions for a competitor",
            "%",
            "share of the opportunities whose committee came to a decision that chose a competitor",
            _decided_with(LOST),
            bounds=RATE,
        ),
        Metric(
            "decided_no_decision_share",
            "decisions to buy nothing",
            "%",
            "share of the opportunities whose committee came to a decision that kept the "
            "status quo or failed to align",
            _decided_with(NOT_BOUGHT),
            bounds=RATE,
        ),
        Metric(
            "win_rate_closed",
            "win rate (closed only)",
            "%",
            "won / closed opportunities, ignoring those still open",
            _win_rate_closed,
            bounds=RATE,
        ),
        Metric(
            "cycle_days_median_closed",
            "median cycle (closed only)",
            "days",
            "median days from arrival to close of closed opportunities",
            _cycle_median_closed,
        ),
        Metric(
            "cycle_days_median_won",
            "median cycle of won deals",
            "days",
            "median days from arrival to signature of the deals won",
            _cycle_median_won,
        ),
        Metric(
            "cycle_days_mean_closed",
            "mean cycle (closed only)",
            "days",
            "mean days from arrival to close of closed opportunities",
            _cycle_mean_closed,
        ),
    )
}
# The metrics `compare` and the report compare.
METRICS = ("win_rate", "no_decision_rate", "cycle_days_median", "revenue_net_per_year")
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


def column_metrics(
    deals: Mapping[str, np.ndarray], window: Window, names: Sequence[str] = tuple(REGISTRY)
) -> dict[str, float]:
    """The named metrics (all, in registry order) of one replication, from its deal columns."""
    replication = ReplicationDeals(deals, window)
    return {name: REGISTRY[name].compute(replication) for name in names}


def table_columns(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns metrics read, from a deal table, categories as codes (as the model has them)."""
    return {
        name: codes(table, name) if name in CATEGORY_COLUMNS else table[name].to_numpy()
        for name in COLUMNS
    }


def replication_metrics(results: Results, metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """One row per replication (column `replication`), then the named metrics.

    Each replication's deals are sliced from the deal table and measured as
    `column_metrics` measures the model's columns. Replications without any deal are
    kept (rates and cycle NaN, revenue 0).
    """
    import pandas as pd

    table = results.deals
    columns = table_columns(table)
    window = Window.of(results.scenario)
    positions = table.groupby("replication", sort=False).indices
    nothing = np.zeros(0, dtype=np.intp)
    rows = []
    for replication in results.replications["replication"].to_numpy():
        where = positions.get(replication, nothing)
        deals = ReplicationDeals({name: column[where] for name, column in columns.items()}, window)
        rows.append(
            {
                "replication": replication,
                **{name: REGISTRY[name].compute(deals) for name in metrics},
            }
        )
    return pd.DataFrame(rows, columns=["replication", *metrics])
