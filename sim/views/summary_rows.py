"""The rows of a run's summary table, declared once for the console (`run`) and the HTML report.

Each row shows measures of summary.json. The report words some rows its own way
(it has room for "Kaplan-Meier") or shows them differently (no horizon to name), so
a row may carry a report label and a report format; the two views also pick their
rows and order from the same declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..vocabulary import Outcome
from .formatting import CI, MISSING, days, dollars, is_missing, number, percent, share_of

Summary = dict[str, Any]
Show = Callable[[Summary], str]

CYCLE_CLOSED = ("cycle_days_median", "cycle_days_mean", "cycle_days_p90")
CYCLE_KM = ("cycle_days_km_median", "cycle_days_km_p90")


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


def _console_days(summary: Summary, keys: tuple[str, ...]) -> str:
    """Days, or '> 365 (not reached)' where a quantile lies beyond the horizon."""
    horizon = summary["parameters"]["scenario"]["horizon_days"]
    return " / ".join(days(summary[key], f"> {horizon:g} (not reached)") for key in keys)


def _report_days(summary: Summary, keys: tuple[str, ...]) -> str:
    return " / ".join(days(summary[key]) for key in keys)


def _console_rate(summary: Summary) -> str:
    low, high = summary["win_rate_ci"]
    if is_missing(summary["win_rate"]):
        return MISSING
    return f"{percent(summary['win_rate'])}  [{CI} {percent(low)} to {percent(high)}]"


def rate_with_interval(summary: Summary) -> str:
    """The win rate with its interval: '24.3% [20.1%, 28.5%]'."""
    low, high = summary["win_rate_ci"]
    if is_missing(summary["win_rate"]):
        return MISSING
    return f"{percent(summary['win_rate'])} [{percent(low)}, {percent(high)}]"


def _outcome_row(outcome: Outcome) -> Row:
    return Row(f"deals {outcome.key}", lambda s: share_of(s["outcomes"][outcome.key], s["deals"]))


ROWS = {
    "deals": Row(
        "deals (all replications)",
        lambda s: f"{s['deals']} ({number(s['deals_per_replication'])} per replication)",
        "deals per replication",
        lambda s: number(s["deals_per_replication"]),
    ),
    "win_rate": Row(
        "win rate (closed opportunities)", _console_rate, f"win rate [{CI}]", rate_with_interval
    ),
    "opportunities_closed": Row(
        "closed opportunities",
        lambda s: str(s["opportunities_closed"]),
        "closed opportunities (all replications)",
    ),
    "cycle_closed": Row(
        "cycle days, closed: median / mean / p90",
        lambda s: _console_days(s, CYCLE_CLOSED),
        report_show=lambda s: _report_days(s, CYCLE_CLOSED),
    ),
    "cycle_won": Row(
        "cycle days, won deals: median",
        lambda s: _console_days(s, ("cycle_days_won_median",)),
        "cycle days of won deals: median",
        lambda s: _report_days(s, ("cycle_days_won_median",)),
    ),
    "cycle_km": Row(
        "cycle days, open counted (KM): median / p90",
        lambda s: _console_days(s, CYCLE_KM),
        "cycle days, open counted (Kaplan-Meier): median / p90",
        lambda s: _report_days(s, CYCLE_KM),
    ),
    **{f"outcome {outcome.key}": _outcome_row(outcome) for outcome in Outcome},
    "revenue": Row(
        "revenue per replication: gross / net",
        lambda s: f"{dollars(s['revenue_gross'])} / {dollars(s['revenue_net'])}",
    ),
    "commission_share": Row(
        "partner commissions, share of revenue", lambda s: percent(s["commission_share"])
    ),
    "wins_by_source": Row(
        "wins per replication: direct / partner-sourced",
        lambda s: f"{number(s['wins_direct'])} / {number(s['wins_partner_sourced'])}",
    ),
    "partner_deal_hours": Row(
        "direct hours on partner deals (per replication)",
        lambda s: number(s["direct_hours_on_partner_deals"], 0),
    ),
    "marketing": Row(
        "marketing utilisation / share on one-off support",
        lambda s: f"{percent(s['marketing_utilisation'], 0)} / {percent(s['reactive_share'], 0)}",
        report_show=lambda s: (
            f"{percent(s['marketing_utilisation'])} / {percent(s['reactive_share'])}"
        ),
    ),
    "rep_departures": Row(
        "reps who left (per replication)",
        lambda s: number(s["rep_departures"]),
        "reps who left, per replication",
    ),
}
OUTCOME_ROWS = tuple(f"outcome {outcome.key}" for outcome in Outcome)
CONSOLE = (
    "deals",
    "win_rate",
    "opportunities_closed",
    "cycle_closed",
    "cycle_won",
    "cycle_km",
    *OUTCOME_ROWS,
    "revenue",
    "commission_share",
    "wins_by_source",
    "partner_deal_hours",
    "marketing",
    "rep_departures",
)
REPORT = (
    "deals",
    "opportunities_closed",
    "win_rate",
    "cycle_closed",
    "cycle_km",
    "cycle_won",
    "revenue",
    "commission_share",
    "marketing",
    "rep_departures",
    *OUTCOME_ROWS,
)


def console_rows(summary: Summary) -> list[tuple[str, str]]:
    """(label, value) for each row of the console table."""
    return [ROWS[name].console(summary) for name in CONSOLE]


def report_rows(summaries: list[Summary]) -> list[tuple[str, list[str]]]:
    """(label, a value per run) for each row of the report's summary table."""
    return [ROWS[name].report(summaries) for name in REPORT]
