"""One colour per meaning, shared by every plot and the report.

Outcomes, stages, no-decision reasons, funnel steps and money each have fixed
colours, so "no decision" or "waiting for marketing material" looks the same in every
picture (their labels are the vocabulary's: `Outcome.NO_DECISION.label`). A buyer
whose patience ran out while waiting in a stage has that stage's colour. Scenarios and partners
have no fixed meaning of their own: they take colours from a cycle in the order
they are first shown, and keep them across all plots of one call.
"""

from __future__ import annotations

from ..vocabulary import PATIENCE_REASONS, Outcome, Reason, Stage, Step

OUTCOME_COLOURS = {
    Outcome.WON: "#2e7d32",
    Outcome.LOST_COMPETITOR: "#c62828",
    Outcome.VETOED: "#6a1b9a",
    Outcome.NO_DECISION: "#ef6c00",
    Outcome.DISQUALIFIED: "#9e9e9e",
    Outcome.OPEN: "#90caf9",
}
STAGE_COLOURS = {
    Stage.WAITING_FOR_REP: "#bdbdbd",
    Stage.QUALIFYING: "#80cbc4",
    Stage.STALLERS: "#f9a825",
    Stage.MARKETING_MATERIAL: "#d81b60",
    Stage.NAY_SAYERS: "#5e35b1",
    Stage.DECIDING: "#1e88e5",
    Stage.NEGOTIATING: "#43a047",
}
REASON_COLOURS = {  # the reasons of `NO_DECISION_REASONS`
    **{reason: STAGE_COLOURS[stage] for stage, reason in PATIENCE_REASONS.items()},
    Reason.PATIENCE_WITH_COMMITTEE: "#ffb74d",
    Reason.STATUS_QUO: "#6d4c41",
    Reason.NO_CONSENSUS: "#00acc1",
    Reason.REP_LEFT: "#37474f",
    Reason.WENT_COLD: "#4fc3f7",
}
# The funnel's steps, darker the further, won in its green.
FUNNEL_COLOURS = {
    Step.LEADS: "#cfd8dc",
    Step.QUALIFIED: "#90a4ae",
    Step.PAST_STALLERS: "#80cbc4",
    Step.PAST_NAY_SAYERS: "#26a69a",
    Step.DECIDED: "#00796b",
    Step.WON: OUTCOME_COLOURS[Outcome.WON],
}
WARMUP_COLOUR = "#9e9e9e"  # the shaded warm-up, drawn translucent
NET_REVENUE_COLOUR = "#2e7d32"  # the same green as a won deal: what the company keeps
SOBOL_COLOURS = {"S1": "#9fa8da", "ST": "#3949ab"}  # first-order and total index: light, dark
# Scenarios are told apart from each other and from the outcomes' green, red, orange and
# purple: a scenario drawn in "won" green would say something it does not mean.
SCENARIO_CYCLE = (
    "#1f77b4",  # blue
    "#e377c2",  # pink
    "#8c564b",  # brown
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#9575cd",  # lavender
    "#827717",  # dark olive
    "#006064",  # dark teal
)
PARTNER_CYCLE = ("#8d6e63", "#ffb300", "#00897b", "#7e57c2", "#f06292", "#546e7a")


def assign(names: list[str], cycle: tuple[str, ...]) -> dict[str, str]:
    """A colour for each distinct name, in order of first appearance."""
    distinct = list(dict.fromkeys(names))
    return {name: cycle[index % len(cycle)] for index, name in enumerate(distinct)}
