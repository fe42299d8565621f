"""The summary table printed by `committee-sim run`, read from a summary dictionary only."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from ..model.records import OUTCOMES


def _days(value: float | None, horizon: float) -> str:
    if value is None or math.isnan(value):
        return f"> {horizon:g} (not reached)"
    return f"{value:.0f}"


def print_summary(summary: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    horizon = summary["parameters"]["scenario"]["horizon_days"]
    deals = summary["deals"]
    table = Table(
        title=f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}",
        show_header=True,
        header_style="bold",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(
        "deals (all replications)",
        f"{deals} ({summary['deals_per_replication']:.1f} per replication)",
    )
    low, high = summary["win_rate_ci"]
    rate = summary["win_rate"]
    table.add_row(
        "win rate (closed opportunities)",
        "n/a" if math.isnan(rate) else f"{rate:.1%}  [95% CI {low:.1%} to {high:.1%}]",
    )
    table.add_row("closed opportunities", str(summary["opportunities_closed"]))
    table.add_row(
        "cycle days, closed: median / mean / p90",
        " / ".join(
            _days(summary[key], horizon)
            for key in ("cycle_days_median", "cycle_days_mean", "cycle_days_p90")
        ),
    )
    table.add_row("cycle days, won deals: median", _days(summary["cycle_days_won_median"], horizon))
    table.add_row(
        "cycle days, open counted (KM): median / p90",
        " / ".join(
            _days(summary[key], horizon) for key in ("cycle_days_km_median", "cycle_days_km_p90")
        ),
    )
    for outcome in OUTCOMES:
        count = summary["outcomes"][outcome]
        table.add_row(f"deals {outcome}", f"{count} ({count / deals:.1%})" if deals else "0")
    table.add_row(
        "revenue per replication: gross / net",
        f"${summary['revenue_gross']:,.0f} / ${summary['revenue_net']:,.0f}",
    )
    share = summary["commission_share"]
    table.add_row(
        "partner commissions, share of revenue", "n/a" if math.isnan(share) else f"{share:.1%}"
    )
    table.add_row(
        "wins per replication: direct / partner-sourced",
        f"{summary['wins_direct']:.1f} / {summary['wins_partner_sourced']:.1f}",
    )
    table.add_row(
        "direct hours on partner deals (per replication)",
        f"{summary['direct_hours_on_partner_deals']:.0f}",
    )
    table.add_row(
        "marketing utilisation / share on one-off support",
        f"{summary['marketing_utilisation']:.0%} / {summary['reactive_share']:.0%}",
    )
    table.add_row("reps who left (per replication)", f"{summary['rep_departures']:.1f}")
    console.print(table)
