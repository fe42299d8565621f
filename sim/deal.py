"""A deal: one lead's journey from arrival to a signed contract, a loss, or the horizon."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import simpy

from .committee import Committee
from .decision_makers import COMPETITOR, NOTHING
from .results import STAGE_INDEX

if TYPE_CHECKING:
    from .reps import Rep
    from .world import World


class Deal:
    """One deal: its lead's attributes, its committee, its rep and where its days went."""

    __slots__ = (
        "world", "id", "created_day", "incumbent", "fit", "committee", "rep", "process",
        "qualified", "committed", "closed", "stage", "stage_since", "stage_days", "stalls", "requests",
        "objections",
    )

    def __init__(self, world: World, deal_id: int):
        book = world.leads
        self.world = world
        self.id = deal_id
        self.created_day = world.env.now
        self.incumbent = bool(book.incumbent[deal_id])
        self.fit = float(book.fit[deal_id])
        self.committee = Committee(world.scenario.committee, world.streams.committee.rng)
        self.rep: Rep | None = None
        self.process: simpy.Process | None = None
        self.qualified = False  # an opportunity once the rep has qualified the lead
        self.committed = False  # once the committee has chosen us, patience no longer matters
        self.closed = False
        self.stage = STAGE_INDEX["waiting_for_rep"]
        self.stage_since = self.created_day
        self.stage_days = [0.0] * len(STAGE_INDEX)
        self.stalls = self.requests = self.objections = 0

    def journey(self) -> Iterator[simpy.Event]:
        """Wait for a rep, qualify, get past the stallers, the nay-sayers and the decision makers, sign."""
        world = self.world
        env, dice = world.env, world.streams.behaviour
        try:
            self.rep = yield from world.reps.take()
            if self.rep is None:
                return self.close("no_decision", "goes cold waiting for a free rep")
            self.note(self.rep.name, f"takes the deal ({self.rep.active_deals} active)")
            self.enter("qualifying")
            yield env.timeout(dice.exponential(world.scenario.reps.qualify_days))
            if self.fit < world.scenario.leads.disqualify_probability:
                return self.close("disqualified", "is disqualified: a poor fit")
            self.qualified = True
            self.note(self.rep.name, "qualifies the lead")
            self.enter("stallers")
            yield from self.committee.get_past_stallers(self)
            self.enter("nay_sayers")
            approved = yield from self.committee.win_over_nay_sayers(self)
            if not approved:
                return self.close("vetoed", "is vetoed")
            self.enter("deciding")
            choice = yield from self.committee.decide(self)
            if choice == COMPETITOR:
                inside = " (an inside job)" if self.incumbent else ""
                return self.close("lost_competitor", "is lost to a competitor" + inside)
            if choice == NOTHING:
                return self.close("no_decision", "ends in no decision")
            self.committed = True
            self.enter("negotiating")
            yield env.timeout(dice.exponential(world.scenario.committee.negotiation_days))
            self.close("won", "is won")
        except simpy.Interrupt:
            self.close("no_decision", "goes dark: the buyer's patience ran out")

    def lose_patience(self, _event: simpy.Event) -> None:
        """Called when the buyer's patience runs out: the deal goes dark unless already decided."""
        if not self.closed and not self.committed:
            self.process.interrupt("patience")

    def book_time(self) -> None:
        """Add the time since the last booking to the current stage."""
        now = self.world.env.now
        self.stage_days[self.stage] += now - self.stage_since
        self.stage_since = now

    def enter(self, stage: str) -> None:
        self.book_time()
        self.stage = STAGE_INDEX[stage]

    def close(self, outcome: str, story: str) -> None:
        self.book_time()
        self.closed = True
        self.note("deal", story)
        self.world.deal_closed(self, outcome)

    def note(self, actor: str, event: str) -> None:
        """Add a line to the event log, when one is being kept."""
        if self.world.log is not None:
            self.world.log.append((self.world.env.now, self.id, actor, event))
