"""The open pipeline a run can start from: the open deals of a CRM export, as the model takes them.

A forecast starts from the deals open on a day (`as_of`) instead of an empty pipeline.
What the CRM shows of each is kept: its age, stage, value, owner, source and committee
size; what it cannot show (the buyer's patience, the committee's members) the model draws
(`sim.model.pipeline`). Choices where the export says too little, each listed in the
pipeline's `notes` for the views to show:
- no amount: the deal is worth the scenario's median deal value (`leads.value_median`):
  young opportunities often have no amount yet, and one missing figure should not stop
  a forecast of the rest;
- a stage the mapping does not know (or none): the deal starts at qualifying, with every
  later step still ahead (for a deal further along, a forecast on the slow side);
- no owner: the deal waits for a free rep, as a new lead does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..vocabulary import Source, Stage
from .files import ScenarioError
from .schema import Scenario

if TYPE_CHECKING:
    import pandas as pd  # the model imports this module: its worker processes never need pandas

# Where an open deal joins the run, for each stage it may be in: marketing material is
# waited for inside the staller meetings, so a deal waiting for it joins at the stallers.
JOINS_AT = {
    Stage.WAITING_FOR_REP: Stage.WAITING_FOR_REP,
    Stage.QUALIFYING: Stage.QUALIFYING,
    Stage.STALLERS: Stage.STALLERS,
    Stage.MARKETING_MATERIAL: Stage.STALLERS,
    Stage.NAY_SAYERS: Stage.NAY_SAYERS,
    Stage.DECIDING: Stage.DECIDING,
    Stage.NEGOTIATING: Stage.NEGOTIATING,
}
UNKNOWN = Stage.QUALIFYING  # where a deal joins whose stage the mapping does not know
SHOWN_IDS = 5  # opportunity ids a note names before "and N more"


class PipelineError(ScenarioError, ValueError):
    """A pipeline the scenario cannot run: one message, exit code 2."""


@dataclass(frozen=True)
class OpenDeal:
    """One open deal as the CRM shows it on the as-of day.

    `value` NaN: no amount (the run uses the scenario's median). `committee_size` None:
    unknown (the scenario's committee).
    """

    opportunity_id: str
    age_days: float  # as_of - created
    stage: Stage  # where it joins: waiting_for_rep, qualifying, stallers, ... negotiating
    value: float
    owner: str
    source: Source
    committee_size: int | None = None

    def value_in(self, scenario: Scenario) -> float:
        """Its value, or the scenario's median deal value if the CRM had no amount."""
        return scenario.leads.value_median if math.isnan(self.value) else self.value

    @property
    def has_seller(self) -> bool:
        """Past waiting for a rep: its owner works it."""
        return self.stage != Stage.WAITING_FOR_REP


@dataclass(frozen=True)
class Pipeline:
    """The open deals a run starts from, and who works them.

    Each owner is a rep: `owners` in sorted order, owner i working as rep i of the
    scenario's team; `founder`, if named, is the owner whose deals the founder works.
    """

    deals: tuple[OpenDeal, ...]
    founder: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def owners(self) -> tuple[str, ...]:
        """The owners whose deals reps work, sorted: owner i is rep i."""
        names = {deal.owner for deal in self.deals if deal.has_seller}
        return tuple(sorted(names - {self.founder}))

    def check(self, scenario: Scenario) -> None:
        """Raise PipelineError if the scenario cannot run this pipeline."""
        owners, reps = self.owners, scenario.reps.count
        if len(owners) > reps:
            raise PipelineError(
                f"the pipeline's open deals have {len(owners)} owners ({_listed(owners)}) but "
                f"the scenario has {reps} reps (reps.count = {reps}): each owner is a rep of "
                f"its own; set --set reps.count={len(owners)}"
            )
        founders = sum(deal.has_seller and deal.owner == self.founder for deal in self.deals)
        if founders and scenario.founder.max_active_deals == 0:
            raise PipelineError(
                f"{founders} open deals belong to the founder ({self.founder}) but the "
                "founder does not sell (founder.max_active_deals = 0): set --set "
                f"founder.max_active_deals={founders}"
            )
        if math.isfinite(scenario.market.accounts):
            raise PipelineError(
                f"the scenario's market has {scenario.market.accounts:g} accounts "
                "(market.accounts) and the pipeline's open deals name none of them: set "
                "--set market.accounts=inf"
            )


def pipeline_from_opportunities(
    opportunities: pd.DataFrame,
    as_of: pd.Timestamp,
    stage_of: Callable[[str], Stage | None],
    source_of: Callable[[str, str], Source],
    *,
    stages: pd.DataFrame | None = None,
    founder: str | None = None,
) -> Pipeline:
    """The deals open on `as_of` in a normalised opportunities table (docs/crm-import.md).

    Open on `as_of`: created by then and not closed by then (a deal closed later was
    open). Its stage is the latest one the stage history (`stages`, if given) shows it
    entering by `as_of`, else the table's `stage` of a deal still open; `stage_of` maps
    the CRM's stage name to the model's (None: unknown), `source_of` its source and
    partner to a Source. `founder`: the owner whose deals the founder works.
    """
    import pandas as pd

    table = opportunities
    closed = table["closed_date"]
    open_then = (table["created_date"] <= as_of) & (closed.isna() | (closed > as_of))
    rows = table[open_then]
    history = _stages_on(stages, as_of) if stages is not None else {}
    deals, unknown, no_amount, no_owner = [], [], [], []
    for row in rows.itertuples(index=False):
        opportunity = str(row.opportunity_id)
        named = history.get(opportunity, row.stage if pd.isna(row.closed_date) else "")
        stage = stage_of(named) if named else None
        if stage is None:
            unknown.append(opportunity)
            stage = UNKNOWN
        owner = str(row.owner)
        if not owner and stage != Stage.WAITING_FOR_REP:
            no_owner.append(opportunity)
            stage = Stage.WAITING_FOR_REP
        if math.isnan(row.amount):
            no_amount.append(opportunity)
        contacts = row.contacts
        deals.append(
            OpenDeal(
                opportunity_id=opportunity,
                age_days=(as_of - row.created_date) / pd.Timedelta(days=1),
                stage=JOINS_AT[stage],
                value=float(row.amount),
                owner=owner,
                source=source_of(str(row.source), str(row.partner)),
                committee_size=None if math.isnan(contacts) or contacts < 1 else round(contacts),
            )
        )
    notes = [
        *_note(unknown, f"with a stage the mapping does not know: started at {UNKNOWN.key}"),
        *_note(no_amount, "without an amount: valued at the median (leads.value_median)"),
        *_note(no_owner, f"without an owner: started at {Stage.WAITING_FOR_REP.key}"),
    ]
    return Pipeline(tuple(deals), founder, tuple(notes))


def _stages_on(stages: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, str]:
    """Each opportunity's latest stage entered by `as_of`, from the stage history."""
    entered = stages[stages["entered_date"] <= as_of].sort_values("entered_date", kind="stable")
    latest = entered.drop_duplicates("opportunity_id", keep="last")
    return dict(zip(latest["opportunity_id"].astype(str), latest["stage"].astype(str), strict=True))


def _note(opportunities: list[str], what: str) -> list[str]:
    """A note on open deals the export says too little of; none if there are none."""
    if not opportunities:
        return []
    count = len(opportunities)
    return [f"{count} open deal{'s' * (count != 1)} {what}: {_listed(opportunities)}"]


def _listed(names: tuple[str, ...] | list[str]) -> str:
    shown_names = ", ".join(names[:SHOWN_IDS])
    more = len(names) - SHOWN_IDS
    return f"{shown_names} and {more:,} more" if more > 0 else shown_names
