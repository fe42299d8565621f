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
  whenever they arrived), per year of the window; never per replication. The money
  figures that price the model's facts (cost of sales, CAC, LTV) read the replication's
  facts (`stats`) and the scenario's prices too (`sim.analysis.money`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..vocabulary import (
    DAYS_PER_YEAR,
    DECISION_REASONS,
    INDECISION_REASONS,
    CostLine,
    Outcome,
    Owner,
    Reason,
    Stage,
)
from .money import STATS, Economics, Ledger, Team, Wins
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
    "owner",
    "rep",
    "feature",
)
TEAM_COLUMNS = ("hired_day", "left_day", "days_in_window")  # of reps.csv, in `Team`'s order
CATEGORY_COLUMNS = {"outcome": Outcome, "reason": Reason, "stage": Stage, "owner": Owner}
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


def days(column: np.ndarray) -> np.ndarray:
    """A day column (float32 in the deal table) in float64, for sums and arithmetic:
    numpy adds float32 in float32, and a float32 day less a number stays float32."""
    return np.asarray(column, dtype=float)


def booked_in(window: Window, outcome: np.ndarray, closed_day: np.ndarray) -> np.ndarray:
    """Deals whose money the window counts: won in it, whenever they arrived."""
    return (outcome == WON) & (closed_day >= window.start)


class ReplicationDeals:
    """One replication's counted deals as numpy columns, with the opportunities worked out once.

    With the replication's facts (`stats`, a replications.csv row; `team`, its reps one
    by one) and the scenario's prices (`economics`) it has a `ledger` for the money
    figures; without, they are NaN.
    """

    def __init__(
        self,
        columns: Mapping[str, np.ndarray],
        window: Window,
        stats: Mapping[str, Any] | None = None,
        economics: Economics | None = None,
        team: Team | None = None,
    ):
        counted = columns["counted"]
        closed_day = days(columns["closed_day"])
        self.window = window
        self.outcome = columns["outcome"][counted]
        self.reason = columns["reason"][counted]
        self.stage = columns["stage"][counted]
        self.age_days = days(columns["age_days"][counted])
        self.cycle_days = days(columns["cycle_days"][counted])
        self.asked_for_feature = columns["feature"][counted] >= 0
        self.ended = self.outcome != OPEN
        self.opportunity = columns["qualified"][counted]  # a qualified lead
        self.opportunities = int(self.opportunity.sum())
        self.closed = self.opportunity & self.ended
        booked = booked_in(window, columns["outcome"], closed_day)
        self.booked_revenue = float(columns["revenue"][booked].sum())
        self.booked_commission = float(columns["commission"][booked].sum())
        self.new_customers = int(booked.sum())
        self.ledger: Ledger | None = None
        if economics is not None and stats is not None and all(key in stats for key in STATS):
            wins = Wins(
                day=closed_day[booked],
                revenue=columns["revenue"][booked],
                owner=columns["owner"][booked],
                rep=columns["rep"][booked],
                partner_commissions=self.booked_commission,
            )
            self.ledger = Ledger(economics, (window.start, window.end), stats, wins, team)

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
    unit: str  # "%" (a share, shown times 100), "days", "months", "USD", "USD/year",
    # "ratio" or "count"
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


def _priced(figure: Callable[[Ledger], float]) -> Callable[[ReplicationDeals], float]:
    """A money figure of the replication's ledger; NaN where the run has no prices or facts."""
    return lambda deals: math.nan if deals.ledger is None else figure(deals.ledger)


def _cost_line(line: CostLine) -> Metric:
    return Metric(
        f"cost_{line.key}_per_year",
        f"cost: {line.label}",
        "USD/year",
        f"cost of sales line: {line.label}, per year of the window",
        _priced(lambda ledger: ledger.cost_per_year[line]),
    )


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
            "feature_requests",
            "feature requests",
            "count",
            "opportunities that needed a feature the product lacked when qualified (seed 001)",
            lambda d: int((d.opportunity & d.asked_for_feature).sum()),
            "sum",
        ),
        Metric(
            "feature_win_rate",
            "win rate with a feature request",
            "%",
            "probability that an opportunity needing a missing feature is eventually won, "
            "open ones censored (Aalen-Johansen); NaN without such opportunities",
            lambda d: d.eventual_share(d.outcome == WON, d.opportunity & d.asked_for_feature),
            bounds=RATE,
        ),
        Metric(
            "revenue_gross_per_year",
            "gross new revenue",
            "USD/year",
            "first-year revenue of the deals won in the window (new ARR), per year",
            lambda d: d.per_year(d.booked_revenue),
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
            "new_customers",
            "new customers",
            "count",
            "deals won in the window, whenever they arrived: the customers money figures count",
            lambda d: d.new_customers,
            "sum",
        ),
        Metric(
            "cost_of_sales_per_year",
            "cost of sales",
            "USD/year",
            "reps' salaries, commissions and hiring, the founder's selling time, marketing "
            "staff and programmes, and partner commissions, per year of the window",
            _priced(lambda ledger: ledger.cost_of_sales_per_year),
        ),
        *(_cost_line(line) for line in CostLine),
        Metric(
            "cac",
            "CAC",
            "USD",
            "customer acquisition cost: cost of sales in the window / new customers; NaN "
            "(undefined) without a new customer",
            _priced(Ledger.cac),
        ),
        Metric(
            "payback_months",
            "CAC payback",
            "months",
            "months of a new customer's gross profit at full monthly revenue that repay its "
            "CAC: CAC / (mean first-year revenue / 12 x gross margin)",
            _priced(Ledger.payback_months),
        ),
        Metric(
            "sales_efficiency",
            "sales efficiency",
            "ratio",
            "gross new revenue / cost of sales: new ARR per dollar spent selling",
            _priced(Ledger.sales_efficiency),
        ),
        Metric(
            "ltv",
            "LTV",
            "USD",
            "a new customer's expected gross profit over `customers.lifetime_years`, with "
            "onboarding, churn and expansion",
            _priced(Ledger.ltv),
        ),
        Metric(
            "ltv_to_cac",
            "LTV/CAC",
            "ratio",
            "LTV / CAC; NaN without a new customer",
            _priced(Ledger.ltv_to_cac),
        ),
        Metric(
            "arr_end",
            "ARR at the horizon",
            "USD",
            "annual recurring revenue at the horizon from the customers won in the window "
            "that are expected to remain (after onboarding, churn and expansion)",
            _priced(Ledger.arr_end),
        ),
        Metric(
            "sales_burn_per_year",
            "sales burn",
            "USD/year",
            "cost of sales less the gross profit the new customers paid by the horizon, "
            "per year of the window: what selling costs in cash",
            _priced(Ledger.sales_burn_per_year),
        ),
        Metric(
            "quota_attainment",
            "quota attainment",
            "%",
            "first-year revenue the reps won in the window over their quota (`costs.rep_quota` "
            "per year of each rep's employment in it); NaN without reps",
            _priced(Ledger.quota_attainment),
        ),
        Metric(
            "reps_at_quota",
            "reps at quota",
            "%",
            "share of the reps employed at least half a year of the window whose first-year "
            "revenue won in it reached their quota for the time they were employed",
            _priced(Ledger.reps_at_quota),
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
# The metrics `compare` and the report compare: what deals do, then what it means in money.
OUTCOME_METRICS = ("win_rate", "no_decision_rate", "cycle_days_median", "revenue_net_per_year")
MONEY_METRICS = (
    "cost_of_sales_per_year",
    "revenue_gross_per_year",
    "cac",
    "payback_months",
    "ltv_to_cac",
    "arr_end",
)
METRICS = (*OUTCOME_METRICS, *MONEY_METRICS)
# The money figures of a run beyond revenue, in the order the summary shows them.
COST_METRICS = ("cost_of_sales_per_year", *(f"cost_{line.key}_per_year" for line in CostLine))
UNIT_ECONOMICS = (
    "quota_attainment",
    "reps_at_quota",
    "cac",
    "payback_months",
    "sales_efficiency",
    "ltv",
    "ltv_to_cac",
    "arr_end",
    "sales_burn_per_year",
)
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
    part: Mapping[str, Any],
    scenario: Scenario,
    names: Sequence[str] = tuple(REGISTRY),
) -> dict[str, float]:
    """The named metrics (all, in registry order) of one replication as the model returns it
    (`sim.model.world.simulate_replication`: its deal columns and its stats)."""
    replication = ReplicationDeals(
        part["deals"],
        Window.of(scenario),
        part["stats"],
        Economics.of(scenario),
        team_of(part["reps"]),
    )
    return {name: REGISTRY[name].compute(replication) for name in names}


def table_columns(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns metrics read, from a deal table, categories as codes (as the model has them)."""
    return {
        name: codes(table, name) if name in CATEGORY_COLUMNS else table[name].to_numpy()
        for name in COLUMNS
    }


def team_of(reps: Mapping[str, np.ndarray]) -> Team:
    """One replication's reps (reps.csv columns) as the ledger reads them, by rep number."""
    order = np.argsort(reps["rep"])
    return Team(*(np.asarray(reps[name], dtype=float)[order] for name in TEAM_COLUMNS))


def teams_by_replication(reps: pd.DataFrame | None) -> dict[int, Team]:
    """Each replication's team; none without a reps table (results made by hand)."""
    if reps is None:
        return {}
    return {
        int(replication): team_of({name: rows[name].to_numpy() for name in rows.columns})
        for replication, rows in reps.groupby("replication", sort=False)
    }


def each_replication(results: Results) -> Iterator[tuple[int, ReplicationDeals]]:
    """Each replication's number and deals, sliced from the run's tables, in order.

    Replications without any deal are kept (rates and cycle NaN, revenue 0).
    """
    table = results.deals
    columns = table_columns(table)
    window = Window.of(results.scenario)
    economics = Economics.of(results.scenario)
    positions = table.groupby("replication", sort=False).indices
    nothing = np.zeros(0, dtype=np.intp)
    teams = teams_by_replication(results.reps)
    for stats in results.replications.to_dict("records"):
        replication = stats["replication"]
        where = positions.get(replication, nothing)
        yield (
            replication,
            ReplicationDeals(
                {name: column[where] for name, column in columns.items()},
                window,
                stats,
                economics,
                teams.get(replication),
            ),
        )


def replication_metrics(results: Results, metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """One row per replication (column `replication`), then the named metrics.

    Each replication's deals are sliced from the deal table and measured as
    `column_metrics` measures the model's columns.
    """
    import pandas as pd

    rows = [
        {"replication": replication, **{name: REGISTRY[name].compute(deals) for name in metrics}}
        for replication, deals in each_replication(results)
    ]
    return pd.DataFrame(rows, columns=["replication", *metrics])
