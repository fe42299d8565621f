"""One colour per meaning, shared by every plot and the report.

Outcomes, stages and money each have fixed colours, so "no decision" or "waiting
for marketing material" looks the same in every picture. Scenarios and partners
have no fixed meaning of their own: they take colours from a cycle in the order
they are first shown, and keep them across all plots of one call.
"""

from __future__ import annotations

OUTCOME_COLOURS = {
    "won": "#2e7d32",
    "lost_competitor": "#c62828",
    "vetoed": "#6a1b9a",
    "no_decision": "#ef6c00",
    "disqualified": "#9e9e9e",
    "open": "#90caf9",
}
OUTCOME_LABELS = {
    "won": "won",
    "lost_competitor": "lost to a competitor",
    "vetoed": "vetoed",
    "no_decision": "no decision",
    "disqualified": "disqualified",
    "open": "still open",
}
STAGE_COLOURS = {
    "waiting_for_rep": "#bdbdbd",
    "qualifying": "#80cbc4",
    "stallers": "#f9a825",
    "marketing_material": "#d81b60",
    "nay_sayers": "#5e35b1",
    "deciding": "#1e88e5",
    "negotiating": "#43a047",
}
STAGE_LABELS = {
    "waiting_for_rep": "waiting for a rep",
    "qualifying": "qualifying",
    "stallers": "meetings with stallers",
    "marketing_material": "waiting for marketing material",
    "nay_sayers": "nay-sayer review and objections",
    "deciding": "decision",
    "negotiating": "negotiation",
}
NET_REVENUE_COLOUR = "#2e7d32"  # the same green as a won deal: what the company keeps
PIPELINE_COLOUR = "#1e88e5"
SCENARIO_CYCLE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
PARTNER_CYCLE = ("#8d6e63", "#ffb300", "#00897b", "#7e57c2", "#f06292", "#546e7a")


def assign(names: list[str], cycle: tuple[str, ...]) -> dict[str, str]:
    """A colour for each distinct name, in order of first appearance."""
    distinct = list(dict.fromkeys(names))
    return {name: cycle[index % len(cycle)] for index, name in enumerate(distinct)}
