"""The rows of a run's summary, declared once for the console (`run`) and the HTML report.

Each row shows measures of summary.json (`sim.analysis.summary`), so both views say
the same thing. The metrics' rows come from the metric registry (label, unit and
interval), the funnel, outcome and no-decision rows from the vocabulary's labels: a
new metric, step, outcome or reason gets its row without a line here.
Counts and money are per year of the counted window, as summary.json has them.

The console shows the rows in groups, a narrow table each (`GROUPS`), so that it fits
an 80-column terminal: a row's value and its detail (the 95% CI, a share or a rate per
year) get columns of their own, and the group's title says what its short labels leave
out. The report shows every row in one table, each label whole and its value in one
cell: "19.4% [16.5%, 22.3%]".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..analysis.metrics import COST_METRICS, REGISTRY, UNIT_ECONOMICS, UNITS
from ..vocabulary import NO_DECISION_REASONS, Outcome, Reason, Step
from .formatting import (
    CI,
    MISSING,
    in_unit,
    interval,
    is_missing,
    number,
    p_value,
    percent,
    short_dollars,
)

Summary = dict[str, Any]
Show = Callable[[Summary], str]

# What a metric's registry label leaves out and a table row should say; the rates are of
# opportunities (qualified leads) unless said, as the group's title says.
OPEN_COUNTED = "counting open deals"  # censored, not dropped: docs/results.md explains
QUALIFIERS = {
    "win_rate": OPEN_COUNTED,
    "no_decision_rate": OPEN_COUNTED,
    "lead_win_rate": f"all leads, {OPEN_COUNTED}",
    "cycle_days_median": OPEN_COUNTED,
    "revenue_net_per_year": "after commissions",
}
# Shown instead of a missing figure, where missing has a meaning of its own.
MISSING_BECAUSE = {"cycle_days_median": "not reached (over half still open)"}
# Metrics whose figure another row shows: opportunities are the funnel's qualified leads,
# wins the counted deals won; the money's metrics are among the money's rows.
REVENUE_ROWS = ("revenue_gross_per_year", "revenue_net_per_year", "commissions", "commission_share")
SHOWN_ELSEWHERE = ("opportunities", "wins", *REVENUE_ROWS, *COST_METRICS, *UNIT_ECONOMICS)
MONEY = UNITS["revenue_net_per_year"]


@dataclass(frozen=True)
class Row:
    """A label, how to show one summary's value and its detail; the report's own, where it differs.

    The console shows the value and the detail in columns of their own; the report
    shows `report_show` (by default the value) in one cell.
    """

    label: str
    show: Show
    detail: Show | None = None
    report_label: str | None = None
    report_show: Show | None = None

    def console(self, summary: Summary) -> tuple[str, str, str]:
        return self.label, self.show(summary), self.detail(summary) if self.detail else ""

    def report(self, summaries: list[Summary]) -> tuple[str, list[str]]:
        show = self.report_show or self.show
        return self.report_label or self.label, [show(summary) for summary in summaries]


@dataclass(frozen=True)
class Group:
    """Rows the console shows as one table: its title, its columns' headings and its rows."""

    title: str
    columns: tuple[str, ...]  # the labels', the values' and, where rows have one, the details'
    rows: tuple[str, ...]


def metric_label(name: str) -> str:
    """The registry's label with what it leaves out: 'win rate (counting open deals)'."""
    qualifier = QUALIFIERS.get(name)
    return f"{REGISTRY[name].label} ({qualifier})" if qualifier else REGISTRY[name].label


def _value(name: str) -> Show:
    """A mean-pooled metric in its unit, or what its absence means."""

    def show(summary: Summary) -> str:
        value = summary[name]
        if is_missing(value):
            return MISSING_BECAUSE.get(name, MISSING)
        return in_unit(value, REGISTRY[name].unit)

    return show


def _interval(name: str) -> Show:
    """A metric's interval, '20.6 to 23.8%'; nothing without one (a single run, a fixed cost)."""

    def show(summary: Summary) -> str:
        low, high = summary[f"{name}_ci"]
        if is_missing(low) or is_missing(high) or low == high:  # no spread: a fixed cost
            return ""
        return interval(low, high, REGISTRY[name].unit)

    return show


def with_interval(summary: Summary, name: str) -> str:
    """A mean-pooled metric with its interval, as the report shows it: '24.3% [20.1%, 28.5%]'."""
    value, unit = summary[name], REGISTRY[name].unit
    if is_missing(value):
        return MISSING_BECAUSE.get(name, MISSING)
    low, high = summary[f"{name}_ci"]
    if is_missing(low) or is_missing(high) or low == high:
        return in_unit(value, unit)
    return f"{in_unit(value, unit)} [{in_unit(low, unit)}, {in_unit(high, unit)}]"


def per_year(summary: Summary, count: float) -> float:
    """A count over all runs' windows, per year of one window."""
    return count / (summary["replications"] * summary["window"]["years"])


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def _window(summary: Summary) -> str:
    window = summary["window"]
    return (
        f"days {window['warmup_days']:g} to {window['horizon_days']:g} "
        f"({number(window['years'])} years per run)"
    )


def _metric_row(name: str) -> Row:
    """A sum-pooled count per year; a mean-pooled metric with its interval."""
    label = metric_label(name)
    if REGISTRY[name].pool == "sum":
        return Row(
            f"{label} per year",
            lambda s: f"{number(per_year(s, s[name]))} ({s[name]:,} counted in all)",
        )
    return Row(
        label,
        _value(name),
        _interval(name),
        f"{label} [{CI}]",
        lambda s: with_interval(s, name),
    )


def _funnel_row(step: Step) -> Row:
    def count(summary: Summary) -> str:
        return number(summary["funnel_per_year"][step.key])

    def share(summary: Summary) -> str:
        funnel = summary["funnel_per_year"]
        return percent(_ratio(funnel[step.key], funnel[Step.LEADS.key]))

    return Row(
        step.label,
        count,
        share,
        f"funnel per year: {step.label}",
        lambda s: f"{count(s)} ({share(s)} of leads)",
    )


def _counted_row(label: str, report_label: str, counts: str, key: str) -> Row:
    """A share of the counts in summary[counts] and how many that is a year: outcomes, reasons."""

    def share(summary: Summary) -> str:
        return percent(_ratio(summary[counts][key], sum(summary[counts].values())))

    def yearly(summary: Summary) -> str:
        return number(per_year(summary, summary[counts][key]))

    return Row(label, share, yearly, report_label, lambda s: f"{share(s)} ({yearly(s)} per year)")


def _outcome_row(outcome: Outcome) -> Row:
    return _counted_row(outcome.label, f"counted deals: {outcome.label}", "outcomes", outcome.key)


def _reason_row(reason: Reason) -> Row:
    return _counted_row(
        reason.label, f"no decision: {reason.label}", "no_decision_reasons", reason.key
    )


def _yearly(key: str, digits: int = 1) -> Show:
    return lambda s: number(s[key], digits)


def _table_rows(table: str, labels: dict[str, str]) -> dict[str, Row]:
    """Rows for the figures of one of summary.json's tables (`product`, `market`): a share
    as a percentage, a level with two decimals, anything else a number per year."""

    def show(key: str) -> Show:
        if key.endswith("_share"):
            return lambda s: percent(s[table][key], 0)
        digits = 2 if key.endswith("appeal_end") else 1 if key.endswith("_per_year") else 0
        return lambda s: number(s[table][key], digits)

    return {f"{table} {key}": Row(label, show(key)) for key, label in labels.items()}


def _money(key: str) -> Show:
    return lambda s: in_unit(s[key], MONEY)


SUM_ROWS = tuple(
    name for name in REGISTRY if name not in SHOWN_ELSEWHERE and REGISTRY[name].pool == "sum"
)
MEAN_ROWS = tuple(
    name for name in REGISTRY if name not in SHOWN_ELSEWHERE and REGISTRY[name].pool == "mean"
)
# The funnel from its second step: its first, the leads, is the deals row.
FUNNEL_ROWS = tuple(f"funnel {step.key}" for step in Step if step != Step.LEADS)
OUTCOME_ROWS = tuple(f"outcome {outcome.key}" for outcome in Outcome)
REASON_ROWS = tuple(f"reason {reason.key}" for reason in NO_DECISION_REASONS)
ROWS = {
    "window": Row("counted window", _window),
    **{name: _metric_row(name) for name in REGISTRY},
    **{f"funnel {step.key}": _funnel_row(step) for step in Step},
    **{f"outcome {outcome.key}": _outcome_row(outcome) for outcome in Outcome},
    **{f"reason {reason.key}": _reason_row(reason) for reason in NO_DECISION_REASONS},
    "commissions": Row(
        "partner commissions",
        _money("commissions_per_year"),
        report_label="partner commissions: share of gross revenue",
        report_show=lambda s: (
            f"{percent(s['commission_share'])} ({in_unit(s['commissions_per_year'], MONEY)})"
        ),
    ),
    "wins_direct": Row(
        "wins in the window per year: direct",
        _yearly("wins_direct_per_year"),
        report_label="wins in the window per year: direct / partner-sourced",
        report_show=lambda s: (
            f"{number(s['wins_direct_per_year'])} / {number(s['wins_partner_sourced_per_year'])}"
        ),
    ),
    "wins_partner_sourced": Row(
        "wins in the window per year: partner-sourced", _yearly("wins_partner_sourced_per_year")
    ),
    "partner_deal_hours": Row(
        "direct hours on partner deals per year",
        _yearly("direct_hours_on_partner_deals_per_year", 0),
    ),
    "misrepresentation_vetoes": Row(
        f"deals {Reason.MISREPRESENTATION.label}, per year",
        _yearly("misrepresentation_vetoes_per_year"),
    ),
    "rep_departures": Row("reps who left, per year", _yearly("rep_departures_per_year")),
    "arr_by_year": Row(
        "ARR after year 1, 2, ...",
        lambda s: " / ".join(short_dollars(row["arr"]) for row in s["arr_by_year"]) or MISSING,
        report_label="ARR at the end of each counted year (the window's customers)",
    ),
    "marketing_utilisation": Row(
        "marketing utilisation",
        lambda s: percent(s["marketing_utilisation"], 0),
        report_label="marketing utilisation / share on one-off support",
        report_show=lambda s: (
            f"{percent(s['marketing_utilisation'])} / {percent(s['reactive_share'])}"
        ),
    ),
    "reactive_share": Row(
        "marketing's time on one-off support", lambda s: percent(s["reactive_share"], 0)
    ),
    **_table_rows(
        "product",
        {
            "features_built_for_deals_per_year": "features built for single deals, per year",
            "features_built_for_market_per_year": "features built for the market, per year",
            "roadmap_features_per_year": "roadmap features delivered, per year",
            "product_build_share": "product time on builds for deals or the market",
            "roadmap_delay_days_per_year": "roadmap delay from builds for deals, days per year",
            "roadmap_appeal_end": "our appeal from the roadmap at the horizon",
        },
    ),
    **_table_rows(
        "market",
        {
            "leads_turned_away_busy_per_year": "leads turned away, account in a deal, per year",
            "leads_turned_away_customer_per_year": "leads turned away, already a customer, "
            "per year",
            "leads_turned_away_cooling_per_year": "leads turned away, account cooling off, "
            "per year",
            "customers_end": "customers at the horizon (accounts won)",
            "large_customers_end": "of them large accounts",
            "accounts_untouched": "accounts never worked by the horizon",
        },
    ),
}
# Rows that mean something only when the scenario switches their mechanism on.
FEATURE_ROWS = ("feature_requests", "feature_win_rate")
PRODUCT_ROWS = tuple(name for name in ROWS if name.startswith("product "))
MARKET_ROWS = tuple(name for name in ROWS if name.startswith("market "))


def features_on(summary: Summary) -> bool:
    return summary["parameters"]["features"]["request_probability"] > 0


def market_finite(summary: Summary) -> bool:
    return math.isfinite(float(summary["parameters"]["market"]["accounts"]))  # or "inf"


SHOWN_IF = {
    **{name: features_on for name in (*FEATURE_ROWS, *PRODUCT_ROWS)},
    **{name: market_finite for name in MARKET_ROWS},
}
# The console's tables, in order: what was counted, the rates, where deals went, then
# money and effort. The rows of a metric added to the registry join the first two.
GROUPS = (
    Group("What was counted", ("measure", "value"), ("window", *SUM_ROWS)),
    Group(
        "Rates of opportunities (qualified leads) and cycle lengths",
        ("measure", "mean", CI),
        MEAN_ROWS,
    ),
    Group("The funnel: counted leads per year", ("step", "per year", "of leads"), FUNNEL_ROWS),
    Group("How the counted deals ended", ("outcome", "share", "per year"), OUTCOME_ROWS),
    Group("Why deals ended in no decision", ("reason", "share", "per year"), REASON_ROWS),
    Group("Revenue per counted year", ("measure", "value", CI), REVENUE_ROWS),
    Group("Cost of sales and marketing per counted year", ("line", "value", CI), COST_METRICS),
    Group(
        "What a customer costs and earns",
        ("measure", "value", CI),
        (*UNIT_ECONOMICS, "arr_by_year"),
    ),
    Group("The product team and feature requests (seed 001)", ("measure", "value"), PRODUCT_ROWS),
    Group("A finite market of accounts", ("measure", "value"), MARKET_ROWS),
    Group(
        "Channel, marketing and reps",
        ("measure", "value"),
        (
            "wins_direct",
            "wins_partner_sourced",
            "partner_deal_hours",
            "misrepresentation_vetoes",
            "rep_departures",
            "marketing_utilisation",
            "reactive_share",
        ),
    ),
)
# The report's table: every row of the console's, in its order, less those it shows in
# another row's cell.
IN_ANOTHER_CELL = ("commission_share", "wins_partner_sourced", "reactive_share")
ORDER = tuple(name for group in GROUPS for name in group.rows if name not in IN_ANOTHER_CELL)


def shown(name: str, summaries: list[Summary]) -> bool:
    """A row is shown unless it belongs to a mechanism none of the runs switches on."""
    relevant = SHOWN_IF.get(name)
    return relevant is None or any(relevant(summary) for summary in summaries)


def console_groups(summary: Summary) -> list[tuple[Group, list[tuple[str, str, str]]]]:
    """Each group of the console's tables with its rows, (label, value, detail); a group
    whose rows are all of a mechanism the run leaves off is left out."""
    groups = []
    for group in GROUPS:
        rows = [ROWS[name].console(summary) for name in group.rows if shown(name, [summary])]
        if rows:
            groups.append((group, rows))
    return groups


def report_rows(summaries: list[Summary]) -> list[tuple[str, list[str]]]:
    """(label, a value per run) for each row of the report's summary table."""
    return [ROWS[name].report(summaries) for name in ORDER if shown(name, summaries)]


def difference_cells(
    a: float, b: float, difference: dict[str, Any], unit: str, symbol: bool = True
) -> list[str]:
    """A comparison row's cells, for the console, the report and the app alike: A, B, the
    difference B - A, its interval ('-3.1 to -0.4') and its p-value."""
    low, high = (in_unit(end, unit, signed=True, symbol=symbol) for end in difference["ci"])
    return [
        in_unit(a, unit, symbol=symbol),
        in_unit(b, unit, symbol=symbol),
        in_unit(difference["estimate"], unit, signed=True, symbol=symbol),
        f"{low} to {high}",
        p_value(difference["p_value"]),
    ]
