"""The story of one deal, told from the model's event log.

`traced_replication` runs one replication with the event log switched on; the
functions below pick a deal, tell what happened to it in plain sentences, say
where its days went (from the deal table's days_<stage> columns), and cut its
life into segments, one per committee member in turn, for the timeline plot.
Days in the story count from the lead's arrival; its heading gives that day's place
in the simulated run. What deals.csv numbers (the deal, the run, the rep) the story
numbers as deals.csv does; committee members are counted by seat, "staller 1 of 3".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.events import Actor, Event, EventKind
from ..vocabulary import Outcome, Reason, Source, Stage, Stance
from .formatting import plural

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario

# Labels for the story only: the model's stallers and nay-sayers differ by style and
# state, not by job title. The label follows the seat, so it never changes a result.
STALLER_ROLES = (
    "IT security",
    "procurement",
    "legal",
    "finance",
    "an end user",
    "operations",
    "an outside consultant",
    "the project lead",
)
NAY_SAYER_ROLES = ("the finance director", "the head of IT", "the COO")
MEMBER_NAMES = {
    Actor.STALLER: "staller",
    Actor.NAY_SAYER: "nay-sayer",
    Actor.DECISION_MAKER: "decision maker",
}
MEMBER_STAGES = {
    Actor.STALLER: Stage.STALLERS,
    Actor.NAY_SAYER: Stage.NAY_SAYERS,
    Actor.DECISION_MAKER: Stage.DECIDING,
}
SELLER_ROW = "seller"
OUTCOME_ALIASES = {"lost": "lost_competitor"}

# What each kind of event says, after its actor's name; {details} come from the event.
PHRASES = {
    EventKind.TAKES_DEAL: "takes the deal ({active_deals} active)",
    EventKind.WORKS_DEAL: "works the deal ({active_deals} of ours active)",
    EventKind.TAKES_OVER: "takes over the deal of a rep who left",
    EventKind.QUALIFIES: "qualifies the lead",
    EventKind.LETS_THROUGH: "lets the seller through",
    EventKind.RESCHEDULES: "reschedules the meeting",
    EventKind.HANDS_OFF: "hands the seller off to a colleague",
    EventKind.OBJECTS: "raises an objection",
    EventKind.APPROVES: "approves",
    EventKind.VETOES: "vetoes the deal",
    EventKind.MISREPRESENTS: "has claimed features the product lacks and left options unsold",
    EventKind.DELIVERS_FEATURE: "delivers feature {feature}, built for the deals that need it",
    EventKind.WORKS_AROUND: "goes to its decision with a workaround for feature {feature}",
}
ASKS_FROM_KIT = "asks for information; the staller kit has a ready answer"
ASKS_MARKETING = (
    "asks for information; no ready answer, so marketing must make material "
    "for this deal ({ahead} ahead in its queue)"
)
CLOSINGS = {
    Reason.WENT_COLD: "goes cold waiting for a free rep (no decision)",
    Reason.POOR_FIT: "is disqualified: a poor fit",
    Reason.MISREPRESENTATION: "is vetoed: the partner promised what the product cannot do",
    Reason.VETO: "is vetoed",
    Reason.COMPETITOR: "is lost to a competitor",
    Reason.INSIDE_JOB: "is lost to a competitor (an inside job)",
    Reason.STATUS_QUO: "ends in no decision: the committee chooses the status quo",
    Reason.NO_CONSENSUS: "ends in no decision: the committee fails to align",
    Reason.WON: "is won",
    Reason.REP_LEFT: "goes dark: its rep left the company (no decision)",
    Reason.PATIENCE_WAITING_FOR_REP: "goes dark: the buyer's patience ran out waiting for a rep "
    "(no decision)",
    Reason.PATIENCE_WAITING_FOR_MARKETING: "goes dark: the buyer's patience ran out waiting for "
    "marketing material (no decision)",
    Reason.PATIENCE_WITH_COMMITTEE: "goes dark: the buyer's patience ran out in the committee's "
    "process (no decision)",
}


class TraceError(Exception):
    """The deal asked for is not in the traced replication (the simulated run).

    `asked` is what was asked by ("deal" or "outcome"), `value` the value asked for,
    `problem` what is wrong and what is allowed; the command line names its options.
    """

    def __init__(self, asked: str, value: object, problem: str):
        super().__init__(f"{asked} {value}: {problem}")
        self.asked, self.value, self.problem = asked, value, problem


@dataclass(frozen=True)
class Segment:
    """A stretch of a deal's life spent with one committee member (or with the seller alone)."""

    row: str  # the row's label
    start: float
    end: float
    stage: Stage
    rank: tuple[int, int] = (0, 0)  # rows top to bottom: the seller, then members by kind and seat


def traced_replication(
    scenario: Scenario, seed: int, replication: int
) -> tuple[pd.DataFrame, list[Event]]:
    """Run one replication with the event log on; return its deal table and the log."""
    from ..analysis.replications import deal_table
    from ..model.world import simulate_replication

    log: list[Event] = []
    part = simulate_replication(scenario, seed, replication, log=log)
    return deal_table([part["deals"]]), log


def pick_deal(
    deals: pd.DataFrame,
    deal_id: int | None = None,
    outcome: str | None = None,
    replication: int = 0,
) -> pd.Series:
    """By id, else the first deal with the outcome, else the first won (or qualified) deal.

    `deals` are those of `replication`; with none at all (no lead arrived) there is
    nothing to follow, whatever was asked, and the TraceError names the replication.
    """
    outcomes = Outcome.keys()
    if outcome is not None:
        outcome = OUTCOME_ALIASES.get(outcome, outcome)
        if outcome not in outcomes:
            allowed = ", ".join(outcomes)
            raise TraceError("outcome", outcome, f"not an outcome; allowed: {allowed} (or lost)")
    if deals.empty:
        raise TraceError(
            "replication",
            replication,
            "no lead arrived in this simulated run, so there is no deal to follow; "
            "allowed: a run with deals (try another --replication or --seed, or a "
            "scenario that brings leads)",
        )
    if deal_id is not None:
        rows = deals[deals["deal_id"] == deal_id]
        if rows.empty:
            ids = deals["deal_id"]
            raise TraceError(
                "deal",
                deal_id,
                f"no such deal in this simulated run; allowed: one of its {len(ids)} deal ids "
                f"between {ids.min()} and {ids.max()} (leads that never arrived leave gaps)",
            )
        return rows.iloc[0]
    if outcome is not None:
        rows = deals[deals["outcome"] == outcome].sort_values(
            "qualified", ascending=False, kind="stable"
        )
        if rows.empty:
            counts = deals["outcome"].value_counts()
            present = ", ".join(f"{name} ({counts[name]})" for name in outcomes if counts.get(name))
            raise TraceError(
                "outcome",
                outcome,
                f"no deal ended that way in this simulated run; allowed here: {present} "
                "(or try another --replication or --seed)",
            )
        return rows.iloc[0]
    for wanted in (deals["outcome"] == Outcome.WON.key, deals["qualified"]):
        if wanted.any():
            return deals[wanted].iloc[0]
    return deals.iloc[0]


def deal_entries(log: list[Event], deal: pd.Series) -> list[Event]:
    """The deal's events, their days counted from the lead's arrival."""
    deal_id, created = int(deal["deal_id"]), float(deal["created_day"])
    return [event._replace(day=event.day - created) for event in log if event.deal == deal_id]


def deal_days(deal: pd.Series) -> float:
    """The deal's cycle length, or its age at the horizon if it is still open."""
    return float(deal["age_days"])


def tell(log: list[Event], deal: pd.Series, scenario: Scenario, seed: int) -> list[str]:
    """The whole story: a heading, one sentence per event, the ending and where the days went."""
    lines = [heading(deal, scenario, seed), arrival(deal, scenario)]
    previous = 0
    for event in deal_entries(log, deal):
        lines.append(sentence(event, deal, scenario, round(event.day) - previous))
        previous = round(event.day)
    if deal["outcome"] == Outcome.OPEN.key:
        lines.append(f"Day {round(deal_days(deal))}: the horizon; the deal is still open.")
    lines.append(breakdown(deal))
    return lines


def heading(deal: pd.Series, scenario: Scenario, seed: int) -> str:
    """Which deal this is, where it came from, who sits on its committee and how it ended."""
    committee = scenario.committee
    outcome = Outcome.from_key(str(deal["outcome"])).label
    source = source_name(Source.from_key(str(deal["source"])), int(deal["partner"]), scenario)
    return (
        f"Deal {deal['deal_id']} of {scenario.scenario.name} (seed {seed}, simulated run "
        f"{deal['replication']}): a lead from {source} worth ${deal['value']:,.0f}; "
        f"committee of {deal['committee_size']}: {plural(deal['stallers'], 'staller')}, "
        f"{plural(committee.nay_sayers, 'nay-sayer')}, "
        f"{plural(committee.decision_makers, 'decision maker')}. Outcome: {outcome}."
    )


def arrival(deal: pd.Series, scenario: Scenario) -> str:
    """On which day of its simulated run the lead arrived, and whether the run counts it."""
    warmup = scenario.scenario.warmup_days
    counted = (
        "in the counted window"
        if deal["counted"]
        else f"in the warm-up of {warmup:,.0f} days, not counted"
    )
    return (
        f"It arrived on day {deal['created_day']:,.0f} of the simulated run ({counted}); "
        "the days below count from its arrival."
    )


def source_name(source: Source, partner: int, scenario: Scenario) -> str:
    """'marketing', 'founder network', 'partner Reseller'."""
    return f"partner {scenario.partners[partner].name}" if partner >= 0 else source.label


def sentence(event: Event, deal: pd.Series, scenario: Scenario, gap: int) -> str:
    """One event as a sentence; committee members and marketing get the days since the last step."""
    if event.actor is Actor.LEAD:
        subject = "the lead"
    elif event.actor is Actor.DEAL:
        subject = "the deal"
    else:
        subject = member_label(event, deal, scenario)
    timed = event.actor in MEMBER_NAMES or event.actor is Actor.MARKETING
    took = f"after {plural(gap, 'day')}, " if timed and gap > 0 else ""
    return f"Day {round(event.day)}: {took}{subject} {what_happened(event, scenario)}."


def actor_name(event: Event, scenario: Scenario) -> str:
    """'rep 1', 'the founder', 'Reseller' (a partner), 'staller 3', 'marketing'."""
    actor, seat = event.actor, event.seat
    if actor in MEMBER_NAMES:
        return f"{MEMBER_NAMES[actor]} {seat + 1}"
    if actor is Actor.REP:
        return f"rep {seat}"  # as deals.csv's rep column numbers it
    if actor is Actor.PARTNER:
        return scenario.partners[seat].name
    return ONE_OF_A_KIND[actor]


ONE_OF_A_KIND = {
    Actor.FOUNDER: "the founder",
    Actor.LEAD: "lead",
    Actor.DEAL: "deal",
    Actor.MARKETING: "marketing",
    Actor.PRODUCT: "the product team",
}


def what_happened(event: Event, scenario: Scenario) -> str:
    """The predicate of the event's sentence: 'reschedules the meeting'."""
    kind, details = event.kind, event.details
    if kind is EventKind.ARRIVES:
        source = source_name(details["source"], details["partner"], scenario)
        return f"arrives from {source}, value ${details['value']:,.0f}"
    if kind is EventKind.RESCUES:
        return f"steps in to rescue {scenario.partners[details['partner']].name}'s stalled deal"
    if kind is EventKind.ASKS_FOR_INFORMATION:
        if details["from_kit"]:
            return ASKS_FROM_KIT
        return ASKS_MARKETING.format(ahead=plural(details["queue"], "request"))
    if kind is EventKind.DELIVERS_MATERIAL:
        return f"delivers the material staller {details['staller'] + 1} asked for"
    if kind is EventKind.CHOOSES:
        return f"would {details['choice'].label}"
    if kind is EventKind.VOTES:
        side = "for" if details["for_buying"] else "against"
        return f"votes {side} buying ({Stance.of(details['stance']).label})"
    if kind is EventKind.CLOSES:
        return CLOSINGS[details["reason"]]
    if kind is EventKind.NEEDS_FEATURE:
        share = details["share"]
        polled = "" if share is None else f"; deals asking for it hold {share:.1%} of the pipeline"
        return f"needs feature {details['feature']}, which the product lacks{polled}"
    if kind is EventKind.BUILDS_FEATURE:
        whom = "the market" if details["for_market"] else "the deals that need it"
        ahead = details["ahead"]
        when = (
            "a team starts at once" if ahead is None else f"{plural(ahead, 'build')} queued ahead"
        )
        return f"puts feature {details['feature']} on its build list for {whom} ({when})"
    return PHRASES[kind].format(**details)


def member_label(event: Event, deal: pd.Series, scenario: Scenario) -> str:
    """'staller 2 of 8 (procurement)' for committee members; other actors by their name."""
    name, seat = actor_name(event, scenario), event.seat
    if event.actor is Actor.STALLER:
        return f"{name} of {deal['stallers']} ({STALLER_ROLES[seat % len(STALLER_ROLES)]})"
    if event.actor is Actor.NAY_SAYER:
        role = NAY_SAYER_ROLES[seat % len(NAY_SAYER_ROLES)]
        return f"{name} of {scenario.committee.nay_sayers} ({role})"
    if event.actor is Actor.DECISION_MAKER:
        return f"{name} of {scenario.committee.decision_makers}"
    return name


def stage_days(deal: pd.Series) -> dict[Stage, float]:
    """Days the deal spent in each stage, from the deal table; they add up to its cycle (or age)."""
    return {stage: float(deal[f"days_{stage.key}"]) for stage in Stage}


def whole_days(days: dict[Stage, float], total: float) -> dict[Stage, int]:
    """Round each stage's days so that the whole numbers add up to the rounded total.

    Largest remainders: each stage gets its floor, and the days left over go to
    the stages with the largest fractions.
    """
    floors = {stage: int(value) for stage, value in days.items()}
    left = round(total) - sum(floors.values())
    by_fraction = sorted(days, key=lambda stage: days[stage] - floors[stage], reverse=True)
    for stage in by_fraction[: max(left, 0)]:
        floors[stage] += 1
    return floors


def breakdown(deal: pd.Series) -> str:
    """'Where the 212 days went: ...' with whole days that add up to the total."""
    total = deal_days(deal)
    parts = whole_days(stage_days(deal), total)
    listed = ", ".join(f"{stage.label} {days}" for stage, days in parts.items() if days)
    still = " so far (still open)" if deal["outcome"] == Outcome.OPEN.key else ""
    return f"Where the {plural(round(total), 'day')}{still} went: {listed or 'none'}."


Row = tuple[str, tuple[int, int]]  # a timeline row's label and rank
SELLER: Row = (SELLER_ROW, (0, 0))


def timeline(log: list[Event], deal: pd.Series) -> list[Segment]:
    """The deal's life cut into segments, one per step, on the row of the member who ended it.

    Each committee member's event ends the stretch since the previous step, so
    that stretch was spent with that member; waiting for the material a staller
    asked for goes on that staller's row. The seller's own steps (finding a
    seller, qualifying, negotiating) go on the seller's row, and so does whatever
    was still under way when the deal ended.
    """
    segments: list[Segment] = []
    cursor, last_asker = 0.0, SELLER
    for event in deal_entries(log, deal):
        step = _step(event)
        if step is None:
            continue
        row, stage = step
        label, rank = last_asker if event.actor is Actor.MARKETING else row
        segments.append(Segment(label, cursor, event.day, stage, rank))
        cursor = event.day
        if event.kind is EventKind.ASKS_FOR_INFORMATION:
            last_asker = row
    end = deal_days(deal)
    if end > cursor or not segments:  # a won deal ends negotiating: its stage says so
        stage = Stage.from_key(str(deal["stage"]))
        label, rank = last_asker if stage is Stage.MARKETING_MATERIAL else SELLER
        segments.append(Segment(label, cursor, end, stage, rank))
    return segments


def _step(event: Event) -> tuple[Row, Stage] | None:
    """(row, stage) when an event ends a step of the deal, None for events that do not."""
    if event.kind is EventKind.VOTES:  # cast in the decision, when no time passes
        return None
    if event.actor in MEMBER_STAGES:
        label = f"{MEMBER_NAMES[event.actor]} {event.seat + 1}"
        rank = (1 + list(MEMBER_STAGES).index(event.actor), event.seat + 1)
        return (label, rank), MEMBER_STAGES[event.actor]
    if event.actor is Actor.MARKETING:  # the material a staller asked for arrives
        return SELLER, Stage.MARKETING_MATERIAL  # drawn on the asking staller's row
    if event.kind in (EventKind.TAKES_DEAL, EventKind.WORKS_DEAL):
        return SELLER, Stage.WAITING_FOR_REP
    if event.kind is EventKind.QUALIFIES:
        return SELLER, Stage.QUALIFYING
    return None


def row_order(segments: list[Segment]) -> list[str]:
    """Rows top to bottom: the seller, then stallers, nay-sayers and decision makers by seat."""
    return [label for _, label in sorted({(segment.rank, segment.row) for segment in segments})]


def sample_deals(deals: pd.DataFrame, count: int = 3) -> list[pd.Series]:
    """A few deals worth a picture: the first won, lost or vetoed, and no-decision deal."""
    wanted = (("won",), ("lost_competitor", "vetoed"), ("no_decision",), ("open",))
    chosen: list[pd.Series] = []
    for outcomes in wanted:
        rows = deals[deals["outcome"].isin(outcomes) & deals["qualified"]]
        if len(rows) and len(chosen) < count:
            chosen.append(rows.iloc[0])
    return chosen
