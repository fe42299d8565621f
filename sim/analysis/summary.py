"""Summary statistics of a run: the metrics with their CIs, the funnel, outcomes, money, time use.

Every figure follows `sim.analysis.metrics`: deals that arrived in the statistics
window (after the warm-up) are counted; rates are censoring-aware; money and counts
are per year of the window. A metric's headline figure is the mean of its
per-replication values and its interval the Student t interval of that mean, the
same numbers `compare` and a sweep use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..scenario.files import shown
from ..vocabulary import (
    DAYS_PER_YEAR,
    NO_DECISION_REASONS,
    CostLine,
    Outcome,
    Reason,
    Source,
    Stage,
    Step,
)
from .metrics import (
    REGISTRY,
    Window,
    booked_in,
    codes,
    decided,
    each_replication,
    replication_metrics,
)
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
    figures = metric_figures(per_replication)
    stats = results.replications
    counted = table[table["counted"].to_numpy(dtype=bool)]
    counts = counted["outcome"].value_counts()
    no_decision = counted.loc[counted["outcome"] == Outcome.NO_DECISION.key, "reason"]
    reasons = no_decision.value_counts()
    return {
        "scenario": results.scenario.scenario.name,
        "seed": results.seed,
        "replications": replications,
        "window": {"warmup_days": window.start, "horizon_days": window.end, "years": window.years},
        **figures,
        "cost_of_sales": cost_of_sales(figures),
        "arr_by_year": arr_by_year(results, window),
        "deals_per_year": len(counted) / years,
        "funnel_per_year": {step: float(n) / years for step, n in funnel(counted).items()},
        "outcomes": {kind.key: int(counts.get(kind.key, 0)) for kind in Outcome},
        "no_decision_reasons": {
            reason.key: int(reasons.get(reason.key, 0)) for reason in NO_DECISION_REASONS
        },
        **partner_commissions(table, window, years),
        **channel_effort(table, window, years),
        **time_use(results.replications, window),
        "product": replication_figures(stats, window, PRODUCT_PER_YEAR, PRODUCT_AS_IS),
        "market": replication_figures(stats, window, MARKET_PER_YEAR, MARKET_AS_IS),
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


def arr_by_year(results: Results, window: Window) -> list[dict[str, Any]]:
    """ARR at the end of each whole counted year from the window's customers signed by then:
    the mean over replications and its t interval (as every metric's)."""
    ends = [window.start + year * DAYS_PER_YEAR for year in range(1, int(window.years) + 1)]
    if not ends:  # a window shorter than a year
        return []
    paths = np.array(
        [
            [deals.ledger.arr_on(day) if deals.ledger else math.nan for day in ends]
            for _, deals in each_replication(results)
        ]
    ).reshape(-1, len(ends))
    rows = []
    for year, values in enumerate(paths.T, start=1):
        values = values[~np.isnan(values)]
        low, high = t_interval(values)
        rows.append(
            {
                "year": year,
                "arr": float(values.mean()) if values.size else math.nan,
                "arr_ci": [float(low), float(high)],
            }
        )
    return rows


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


def partner_commissions(table: pd.DataFrame, window: Window, years: float) -> dict[str, float]:
    """The partners' commissions on the revenue booked in the window, per year.

    The revenue and the commissions' share of it are metrics (`revenue_gross_per_year`,
    `commission_share`), pooled as every metric is.
    """
    booked = _booked(table, window)
    commissions = float(table["commission"].to_numpy()[booked].sum())
    return {"commissions_per_year": commissions / years}


def cost_of_sales(figures: dict[str, Any]) -> dict[str, float]:
    """The cost of sales by line, per year, and their total: the metrics' figures, gathered."""
    lines = {line.key: figures[f"cost_{line.key}_per_year"] for line in CostLine}
    return {**lines, "total": figures["cost_of_sales_per_year"]}


def channel_effort(table: pd.DataFrame, window: Window, years: float) -> dict[str, float]:
    """Wins by source, and what partner deals cost in direct effort and misrepresentation."""
    booked = _booked(table, window)
    partner_sourced = (table["source"] == Source.PARTNER.key).to_numpy()
    counted = table["counted"].to_numpy(dtype=bool)
    return {
        "wins_direct_per_year": float((booked & ~partner_sourced).sum()) / years,
        "wins_partner_sourced_per_year": float((booked & partner_sourced).sum()) / years,
        "direct_hours_on_partner_deals_per_year": float(
            table["direct_hours"].to_numpy(dtype=float)[partner_sourced & counted].sum()
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


# The product team's replication figures (sim.model.product) and how summary.json gives
# them: counts and days per year of the window, shares as they are.
PRODUCT_PER_YEAR = (
    "features_built_for_deals",
    "features_built_for_market",
    "roadmap_features",
    "roadmap_delay_days",
)
PRODUCT_AS_IS = ("product_build_share", "roadmap_appeal_end")


# The finite market's replication figures (sim.model.market), likewise.
MARKET_PER_YEAR = (
    "leads_turned_away_busy",
    "leads_turned_away_customer",
    "leads_turned_away_cooling",
)
MARKET_AS_IS = ("customers_end", "large_customers_end", "accounts_untouched")


def _mean(stats: pd.DataFrame, name: str) -> float:
    """A replication figure's mean; NaN for tables without it (made by hand)."""
    return float(stats[name].mean()) if name in stats else math.nan


def replication_figures(
    stats: pd.DataFrame, window: Window, per_year: tuple[str, ...], as_is: tuple[str, ...]
) -> dict[str, float]:
    """Means over replications of replications.csv columns: counts and days per year of the
    window (`<name>_per_year`), shares and levels as they are."""
    return {
        **{f"{name}_per_year": _mean(stats, name) / window.years for name in per_year},
        **{name: _mean(stats, name) for name in as_is},
    }


# ---------------------------------------------------------------- what summary.json holds


@dataclass(frozen=True)
class Kind:
    """What one value of summary.json may be, in words (`allowed`) and as a test (`fits`)."""

    allowed: str
    fits: Callable[[Any], bool]


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    """A JSON number, null (a figure that could not be computed) or "inf" / "-inf"."""
    if isinstance(value, str):
        return value in ("inf", "-inf")
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


TEXT = Kind("text", lambda value: isinstance(value, str))
SEED = Kind("an integer from 0 to 2**63 - 1", lambda v: _integer(v) and 0 <= v < 2**63)
REPLICATIONS = Kind("an integer ≥ 1", lambda value: _integer(value) and value >= 1)
COUNT = Kind("an integer ≥ 0", lambda value: _integer(value) and value >= 0)
NUMBER = Kind('a number, null or "inf"', _number)
DAYS = Kind("a number ≥ 0", lambda v: _number(v) and v is not None and float(v) >= 0)
YEARS = Kind(
    "a number > 0",
    lambda v: _number(v) and v is not None and math.isfinite(float(v)) and float(v) > 0,
)
INTERVAL = Kind(
    "[low, high], two numbers",
    lambda value: isinstance(value, list) and len(value) == 2 and all(map(_number, value)),
)
TABLE = Kind("a table of the scenario's sections", lambda value: isinstance(value, dict))
ARR_PATH = Kind(
    "a list of {year, arr, arr_ci} tables",
    lambda value: (
        isinstance(value, list)
        and all(
            isinstance(row, dict)
            and COUNT.fits(row.get("year"))
            and NUMBER.fits(row.get("arr"))
            and INTERVAL.fits(row.get("arr_ci"))
            for row in value
        )
    ),
)
Shape = dict[str, Any]  # a value's Kind, or a table: a Shape of its own


def summary_shape() -> Shape:
    """What `summarise` writes, key by key: each value's kind, or a table of them.

    Readers check a summary.json against it before drawing from it
    (`sim.analysis.results_folder.read_summary`); other keys may follow (`precision`).
    """
    return {
        "scenario": TEXT,
        "seed": SEED,
        "replications": REPLICATIONS,
        "window": {"warmup_days": DAYS, "horizon_days": DAYS, "years": YEARS},
        **{name: COUNT if metric.pool == "sum" else NUMBER for name, metric in REGISTRY.items()},
        **{f"{name}_ci": INTERVAL for name, metric in REGISTRY.items() if metric.pool == "mean"},
        "deals_per_year": NUMBER,
        "funnel_per_year": {step.key: NUMBER for step in Step},
        "outcomes": {kind.key: COUNT for kind in Outcome},
        "no_decision_reasons": {reason.key: COUNT for reason in NO_DECISION_REASONS},
        "cost_of_sales": {**{line.key: NUMBER for line in CostLine}, "total": NUMBER},
        "arr_by_year": ARR_PATH,
        "product": {
            **{f"{name}_per_year": NUMBER for name in PRODUCT_PER_YEAR},
            **dict.fromkeys(PRODUCT_AS_IS, NUMBER),
        },
        "market": {
            **{f"{name}_per_year": NUMBER for name in MARKET_PER_YEAR},
            **dict.fromkeys(MARKET_AS_IS, NUMBER),
        },
        **dict.fromkeys(
            (
                "commissions_per_year",
                "wins_direct_per_year",
                "wins_partner_sourced_per_year",
                "direct_hours_on_partner_deals_per_year",
                "misrepresentation_vetoes_per_year",
                "marketing_utilisation",
                "reactive_share",
                "rep_departures_per_year",
            ),
            NUMBER,
        ),
        "parameters": TABLE,
    }


def summary_problem(summary: Any) -> str | None:
    """What is wrong with a summary as JSON gives it back, in one phrase; None if nothing.

    'seed = 1.5 is not allowed; allowed: an integer from 0 to 2**63 - 1'; tables'
    keys are named with dots ('window.years').
    """
    if not isinstance(summary, dict):
        return f"holds {_json_kind(summary)}; allowed: a JSON object of a run's figures"
    return _table_problem(summary, summary_shape(), "")


def _table_problem(table: dict[str, Any], shape: Shape, prefix: str) -> str | None:
    missing = [prefix + key for key in shape if key not in table]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        names = ", ".join(missing[:5]) + more
        return f"{names} {'is' if len(missing) == 1 else 'are'} missing"
    for key, kind in shape.items():
        value, name = table[key], prefix + key
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                return (
                    f"{name} = {shown(value)} is not allowed; allowed: a table of {', '.join(kind)}"
                )
            problem = _table_problem(value, kind, f"{name}.")
            if problem:
                return problem
        elif not kind.fits(value):
            return f"{name} = {shown(value)} is not allowed; allowed: {kind.allowed}"
    return None


def _json_kind(value: Any) -> str:
    """How JSON calls a value's kind: 'a list', 'null', 'a string', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a number"
