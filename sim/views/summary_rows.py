"""The rows of a run's summary table, declared once for the console (`run`) and the HTML report.

Each row shows measures of summary.json (`sim.analysis.summary`), so both views say
the same thing. The metrics' rows come from the metric registry (label, unit and
interval), the funnel, outcome and no-decision rows from the vocabulary's labels: a
new metric, step, outcome or reason gets its row without a line here.
Counts and money are per year of the counted window, as summary.json has them. The
console writes an interval "19.4%  [95% CI 16.5% to 22.3%]"; the report, whose row
label names the interval, "19.4% [16.5%, 22.3%]".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..analysis.metrics import REGISTRY, UNITS
from ..vocabulary import NO_DECISION_REASONS, Outcome, Reason, Step
from .formatting import CI, MISSING, in_unit, is_missing, number, percent

Summary = dict[str, Any]
Show = Callable[[Summary], str]

# What a metric's registry label leaves out and a table row should say.
QUALIFIERS = {
    "win_rate": "opportunities, censoring-aware",
    "no_decision_rate": "opportunities, censoring-aware",
    "lead_win_rate": "all leads, censoring-aware",
    "cycle_days_median": "Kaplan-Meier",
    "revenue_net_per_year": "after partner commissions",
}
# Shown instead of a missing figure, where missing has a meaning of its own.
MISSING_BECAUSE = {"cycle_days_median": "not reached (over half still open)"}
# Metrics whose figure another row shows: opportunities are the funnel's qualified leads.
SHOWN_ELSEWHERE = ("opportunities", "revenue_net_per_year")
MONEY = UNITS["revenue_net_per_year"]


@dataclass(frozen=True)
class Row:
    """A label and how to show one summary's value; the report's own, where it differs."""

    label: str
    show: Show
    report_label: str | None = None
    report_show: Show | None = None

    def console(self, summary: Summary) -> tuple[str, str]:
        return self.label, self.show(summary)

    def report(self, summaries: list[Summary]) -> tuple[str, list[str]]:
        show = self.report_show or self.show
        return self.report_label or self.label, [show(summary) for summary in summaries]


def metric_label(name: str) -> str:
    """The registry's label with what it leaves out: 'win rate (opportunities, censoring-aware)'."""
    qualifier = QUALIFIERS.get(name)
    return f"{REGISTRY[name].label} ({qualifier})" if qualifier else REGISTRY[name].label


def with_interval(summary: Summary, name: str, console: bool = False) -> str:
    """A mean-pooled metric with its interval; the figure alone with one replication (no CI)."""
    value, unit = summary[name], REGISTRY[name].unit
    if is_missing(value):
        return MISSING_BECAUSE.get(name, MISSING)
    low, high = summary[f"{name}_ci"]
    if is_missing(low) or is_missing(high):
        return in_unit(value, unit)
    if console:
        return f"{in_unit(value, unit)}  [{CI} {in_unit(low, unit)} to {in_unit(high, unit)}]"
    return f"{in_unit(value, unit)} [{in_unit(low, unit)}, {in_unit(high, unit)}]"


def rate_with_interval(summary: Summary) -> str:
    """The win rate with its interval: '24.3% [20.1%, 28.5%]'."""
    return with_interval(summary, "win_rate")


def per_year(summary: Summary, count: float) -> float:
    """A count over all replications' windows, per year of one window."""
    return count / (summary["replications"] * summary["window"]["years"])


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def _share_per_year(summary: Summary, count: int, total: int) -> str:
    """'4.3% (3.7 per year)': a share of counted deals and how many that is a year."""
    return f"{percent(_ratio(count, total))} ({number(per_year(summary, count))} per year)"


def _window(summary: Summary) -> str:
    window = summary["window"]
    return (
        f"days {window['warmup_days']:g} to {window['horizon_days']:g} "
        f"({number(window['years'])} years per replication)"
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
        lambda s: with_interval(s, name, console=True),
        f"{label} [{CI}]",
        lambda s: with_interval(s, name),
    )


def _funnel_row(step: Step) -> Row:
    def show(summary: Summary) -> str:
        funnel = summary["funnel_per_year"]
        share = _ratio(funnel[step.key], funnel[Step.LEADS.key])
        return f"{number(funnel[step.key])} ({percent(share)} of leads)"

    return Row(f"funnel per year: {step.label}", show)


def _outcome_row(outcome: Outcome) -> Row:
    def show(summary: Summary) -> str:
        counts = summary["outcomes"]
        return _share_per_year(summary, counts[outcome.key], sum(counts.values()))

    return Row(f"counted deals: {outcome.label}", show)


def _reason_row(reason: Reason) -> Row:
    def show(summary: Summary) -> str:
        counts = summary["no_decision_reasons"]
        return _share_per_year(summary, counts[reason.key], sum(counts.values()))

    return Row(f"no decision: {reason.label}", show)


METRIC_ROWS = tuple(name for name in REGISTRY if name not in SHOWN_ELSEWHERE)
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
    "revenue_gross": Row(
        "gross revenue (deals won in the window)",
        lambda s: in_unit(s["revenue_gross_per_year"], MONEY),
    ),
    "commissions": Row(
        "partner commissions: share of gross revenue",
        lambda s: f"{percent(s['commission_share'])} ({in_unit(s['commissions_per_year'], MONEY)})",
    ),
    "wins_by_source": Row(
        "wins in the window per year: direct / partner-sourced",
        lambda s: (
            f"{number(s['wins_direct_per_year'])} / {number(s['wins_partner_sourced_per_year'])}"
        ),
    ),
    "partner_deal_hours": Row(
        "direct hours on partner deals per year",
        lambda s: number(s["direct_hours_on_partner_deals_per_year"], 0),
    ),
    "misrepresentation_vetoes": Row(
        f"deals {Reason.MISREPRESENTATION.label}, per year",
        lambda s: number(s["misrepresentation_vetoes_per_year"]),
    ),
    "marketing": Row(
        "marketing utilisation / share on one-off support",
        lambda s: f"{percent(s['marketing_utilisation'], 0)} / {percent(s['reactive_share'], 0)}",
        report_show=lambda s: (
            f"{percent(s['marketing_utilisation'])} / {percent(s['reactive_share'])}"
        ),
    ),
    "rep_departures": Row(
        "reps who left, per year", lambda s: number(s["rep_departures_per_year"])
    ),
}
# Both views show every row, in this order: what was counted, the rates, where deals went,
# then money and effort.
ORDER = (
    "window",
    *METRIC_ROWS,
    *FUNNEL_ROWS,
    *OUTCOME_ROWS,
    *REASON_ROWS,
    "revenue_gross",
    "revenue_net_per_year",
    "commissions",
    "wins_by_source",
    "partner_deal_hours",
    "misrepresentation_vetoes",
    "marketing",
    "rep_departures",
)


def console_rows(summary: Summary) -> list[tuple[str, str]]:
    """(label, value) for each row of the console table."""
    return [ROWS[name].console(summary) for name in ORDER]


def report_rows(summaries: list[Summary]) -> list[tuple[str, list[str]]]:
    """(label, a value per run) for each row of the report's summary table."""
    return [ROWS[name].report(summaries) for name in ORDER]
