"""The story of one deal, told from the model's event log.

`traced_replication` runs one replication with the event log switched on; the
functions below pick a deal, tell what happened to it in plain sentences, say
where its days went (from the deal table's days_<stage> columns), and cut its
life into segments, one per committee member in turn, for the timeline plot.
Days in the story count from the lead's arrival.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.records import OUTCOMES, STAGES
from .palette import OUTCOME_LABELS, STAGE_LABELS

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
MEMBER = re.compile(r"^(staller|nay-sayer|decision maker) (\d+)$")
MEMBER_STAGES = {"staller": "stallers", "nay-sayer": "nay_sayers", "decision maker": "deciding"}
SELLER_ROW = "seller"
MARKETING = "marketing"
OUTCOME_ALIASES = {"lost": "lost_competitor"}


class TraceError(Exception):
    """The deal asked for is not in the traced replication."""


@dataclass(frozen=True)
class Segment:
    """A stretch of a deal's life spent with one committee member (or with the seller alone)."""

    row: str
    start: float
    end: float
    stage: str


def traced_replication(
    scenario: Scenario, seed: int, replication: int
) -> tuple[pd.DataFrame, list]:
    """Run one replication with the event log on; return its deal table and the log."""
    from ..analysis.replications import deal_table
    from ..model.world import simulate_replication

    log: list = []
    part = simulate_replication(scenario, seed, replication, log=log)
    return deal_table([part["deals"]]), log


def pick_deal(
    deals: pd.DataFrame, deal_id: int | None = None, outcome: str | None = None
) -> pd.Series:
    """The deal to trace: by id, else the first with the outcome, else the first won (or qualified) deal."""
    if deal_id is not None:
        rows = deals[deals["deal_id"] == deal_id]
        if rows.empty:
            ids = deals["deal_id"]
            raise TraceError(
                f"--deal {deal_id}: no such deal in this replication; allowed: one of its {len(ids)} deal ids "
                f"between {ids.min()} and {ids.max()} (leads that never arrived leave gaps)"
            )
        return rows.iloc[0]
    if outcome is not None:
        outcome = OUTCOME_ALIASES.get(outcome, outcome)
        if outcome not in OUTCOMES:
            raise TraceError(
                f"--outcome {outcome}: not an outcome; allowed: {', '.join(OUTCOMES)} (or lost)"
            )
        rows = deals[deals["outcome"] == outcome].sort_values(
            "qualified", ascending=False, kind="stable"
        )
        if rows.empty:
            counts = deals["outcome"].value_counts()
            present = ", ".join(
                f"{name} ({counts[name]})" for name in OUTCOMES if counts.get(name, 0)
            )
            raise TraceError(
                f"--outcome {outcome}: no deal ended that way in this replication; allowed here: {present} "
                "(or try another --replication or --seed)"
            )
        return rows.iloc[0]
    for wanted in (deals["outcome"] == "won", deals["qualified"]):
        if wanted.any():
            return deals[wanted].iloc[0]
    return deals.iloc[0]


def deal_entries(log: list, deal: pd.Series) -> list[tuple[float, str, str]]:
    """The deal's log lines as (day since arrival, actor, what happened)."""
    deal_id, created = int(deal["deal_id"]), float(deal["created_day"])
    return [(day - created, actor, what) for day, who, actor, what in log if who == deal_id]


def deal_days(deal: pd.Series) -> float:
    """The deal's cycle length, or its age at the horizon if it is still open."""
    return float(deal["age_days"])


def tell(log: list, deal: pd.Series, scenario: Scenario, seed: int) -> list[str]:
    """The whole story: a heading, one sentence per event, the ending and where the days went."""
    lines = [heading(deal, scenario, seed)]
    previous = 0
    for day, actor, what in deal_entries(log, deal):
        lines.append(sentence(day, actor, what, deal, scenario, round(day) - previous))
        previous = round(day)
    if deal["outcome"] == "open":
        lines.append(f"Day {round(deal_days(deal))}: the horizon; the deal is still open.")
    lines.append(breakdown(deal))
    return lines


def heading(deal: pd.Series, scenario: Scenario, seed: int) -> str:
    """Which deal this is, where it came from, who sits on its committee and how it ended."""
    committee = scenario.committee
    outcome = OUTCOME_LABELS[deal["outcome"]]
    source = str(deal["source"]).replace("_", " ")
    if deal["partner"] >= 0:
        source = f"partner {scenario.partners[deal['partner']].name}"
    return (
        f"Deal {deal['deal_id']} of {scenario.scenario.name} (seed {seed}, replication {deal['replication']}): "
        f"a lead from {source} worth ${deal['value']:,.0f}, "
        f"arriving on day {deal['created_day']:.0f} of the run; "
        f"committee of {deal['committee_size']}: {plural(deal['stallers'], 'staller')}, "
        f"{plural(committee.nay_sayers, 'nay-sayer')}, {plural(committee.decision_makers, 'decision maker')}. "
        f"Outcome: {outcome}."
    )


def plural(count: int, noun: str) -> str:
    """'1 day', '2 days'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def sentence(
    day: float, actor: str, what: str, deal: pd.Series, scenario: Scenario, gap: int
) -> str:
    """One log line as a sentence; committee members and marketing get the days since the last step."""
    if actor == "lead":
        subject = "the lead"
    elif actor == "deal":
        subject = "the deal"
    else:
        subject = member_label(actor, deal, scenario)
    timed = MEMBER.match(actor) or actor == MARKETING
    took = f"after {plural(gap, 'day')}, " if timed and gap > 0 else ""
    return f"Day {round(day)}: {took}{subject} {what}."


def member_label(actor: str, deal: pd.Series, scenario: Scenario) -> str:
    """'staller 2 of 8 (procurement)' for committee members; other actors as they are."""
    found = MEMBER.match(actor)
    if found is None:
        return actor
    kind, number = found.group(1), int(found.group(2))
    if kind == "staller":
        return f"{actor} of {deal['stallers']} ({STALLER_ROLES[(number - 1) % len(STALLER_ROLES)]})"
    if kind == "nay-sayer":
        return f"{actor} of {scenario.committee.nay_sayers} ({NAY_SAYER_ROLES[(number - 1) % len(NAY_SAYER_ROLES)]})"
    return f"{actor} of {scenario.committee.decision_makers}"


def stage_days(deal: pd.Series) -> dict[str, float]:
    """Days the deal spent in each stage, from the deal table; they add up to its cycle (or age)."""
    return {stage: float(deal[f"days_{stage}"]) for stage in STAGES}


def whole_days(days: dict[str, float], total: float) -> dict[str, int]:
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
    listed = ", ".join(f"{STAGE_LABELS[stage]} {days}" for stage, days in parts.items() if days)
    still = " so far (still open)" if deal["outcome"] == "open" else ""
    return f"Where the {round(total)} days{still} went: {listed or 'none'}."


def timeline(log: list, deal: pd.Series) -> list[Segment]:
    """The deal's life cut into segments, one per step, on the row of the member who ended it.

    Each committee member's log line ends the stretch since the previous step, so
    that stretch was spent with that member; waiting for the material a staller
    asked for goes on that staller's row. The seller's own steps (finding a
    seller, qualifying, negotiating) go on the seller's row, and so does whatever
    was still under way when the deal ended.
    """
    segments: list[Segment] = []
    cursor, last_asker, chosen = 0.0, SELLER_ROW, False
    for day, actor, what in deal_entries(log, deal):
        step = _step(actor, what)
        if step is None:
            continue
        row, stage = step
        segments.append(Segment(last_asker if row == MARKETING else row, cursor, day, stage))
        cursor = day
        if what.startswith("asks for information"):
            last_asker = actor
        chosen = what == "would buy from us" or (chosen and what == "goes along")
    end = deal_days(deal)
    if end > cursor or not segments:
        stage = "negotiating" if chosen else str(deal["stage"])
        row = last_asker if stage == "marketing_material" else SELLER_ROW
        segments.append(Segment(row, cursor, end, stage))
    return segments


def _step(actor: str, what: str) -> tuple[str, str] | None:
    """(row, stage) when a log line ends a step of the deal, None for lines that do not."""
    found = MEMBER.match(actor)
    if found is not None:
        return actor, MEMBER_STAGES[found.group(1)]
    if actor == MARKETING:  # the material a staller asked for arrives
        return MARKETING, "marketing_material"
    if what.startswith(("takes the deal", "works the deal")):
        return SELLER_ROW, "waiting_for_rep"
    if what == "qualifies the lead":
        return SELLER_ROW, "qualifying"
    return None


def row_order(segments: list[Segment]) -> list[str]:
    """Rows top to bottom: the seller, then stallers, nay-sayers and decision makers by seat."""

    def key(row: str) -> tuple[int, int]:
        found = MEMBER.match(row)
        if found is None:
            return (0, 0)
        return (1 + list(MEMBER_STAGES).index(found.group(1)), int(found.group(2)))

    return sorted({segment.row for segment in segments}, key=key)


def sample_deals(deals: pd.DataFrame, count: int = 3) -> list[pd.Series]:
    """A few deals worth a picture: the first won, the first lost or vetoed, the first no-decision."""
    wanted = (("won",), ("lost_competitor", "vetoed"), ("no_decision",), ("open",))
    chosen: list[pd.Series] = []
    for outcomes in wanted:
        rows = deals[deals["outcome"].isin(outcomes) & deals["qualified"]]
        if len(rows) and len(chosen) < count:
            chosen.append(rows.iloc[0])
    return chosen
