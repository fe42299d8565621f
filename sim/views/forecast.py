"""A forecast in words: the totals with their 80% prediction intervals, and the open deals."""

from __future__ import annotations

from typing import Any

from ..analysis.forecast import TOTALS, Forecast
from .formatting import plural

SHOWN_DEALS = 10  # the open deals the console lists: the largest expected revenue first
MONEY = {"pipeline_revenue", "new_revenue", "revenue"}
TOTAL_LABELS = {
    "pipeline_wins": "wins from the open pipeline",
    "new_wins": "wins from deals not yet created",
    "wins": "wins in all",
    "pipeline_revenue": "revenue from the open pipeline",
    "new_revenue": "revenue from deals not yet created",
    "revenue": "revenue in all",
    "slipped": "open deals still open at the end (slipped)",
}
assert TOTAL_LABELS.keys() == TOTALS.keys(), "every total has a label"


def _amount(name: str, value: float) -> str:
    return f"${value:,.0f}" if name in MONEY else f"{value:,.1f}"


def print_forecast(result: Forecast, as_of: str, console: Any = None) -> None:
    """The totals and the largest open deals, as tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    days = result.days
    deals = plural(len(result.pipeline.deals), "open deal")
    runs = plural(result.replications, "simulated run")
    title = f"Forecast for the {days:g} days after {as_of}: {deals}, {runs}"
    totals = Table(title=title, title_justify="left", header_style="bold")
    for heading in ("total", "mean", "80% prediction interval", "median"):
        totals.add_column(heading, justify="left" if heading == "total" else "right")
    for name, row in result.intervals().iterrows():
        totals.add_row(
            TOTAL_LABELS[str(name)],
            _amount(str(name), row["mean"]),
            f"{_amount(str(name), row['p10'])} to {_amount(str(name), row['p90'])}",
            _amount(str(name), row["p50"]),
        )
    console.print(totals)
    largest = result.deals.sort_values("expected_revenue", ascending=False).head(SHOWN_DEALS)
    table = Table(
        title=f"The {len(largest)} open deals with the most expected revenue",
        title_justify="left",
        header_style="bold",
    )
    for heading in ("opportunity", "stage", "age", "value", "P(won)", "P(slips)", "expected"):
        table.add_column(
            heading, justify="left" if heading in ("opportunity", "stage") else "right"
        )
    for _, deal in largest.iterrows():
        table.add_row(
            str(deal["opportunity_id"]),
            str(deal["stage"]),
            plural(round(deal["age_days"]), "day"),
            f"${deal['value']:,.0f}",
            f"{deal['p_won']:.0%}",
            f"{deal['p_open']:.0%}",
            f"${deal['expected_revenue']:,.0f}",
        )
    console.print(table)
    for note in result.pipeline.notes:
        console.print(f"note: {note}")
