"""A deal: one lead's journey from arrival to a signed contract, a loss, or the horizon."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import simpy

from .committee import Committee
from .decision_makers import COMPETITOR, NOTHING
from .leads import FOUNDER_NETWORK
from .records import STAGE_INDEX

if TYPE_CHECKING:
    from .founder import Founder
    from .partners import Partner
    from .reps import Rep
    from .world import World

MIN_PRODUCTIVITY = 0.02  # a seller who has all but forgotten the deal still moves it, slowly


class Deal:
    """One deal: its lead's attributes, its committee, who works it and where its days went."""

    __slots__ = (
        "world",
        "id",
        "created_day",
        "value",
        "incumbent",
        "fit",
        "committee",
        "rep",
        "partner",
        "effort",
        "process",
        "qualified",
        "committed",
        "closed",
        "stage",
        "stage_since",
        "stage_days",
        "stalls",
        "requests",
        "objections",
        "misrepresented",
        "misrepresentation_veto",
        "rescued",
        "direct_since",
        "direct_hours",
        "revenue",
    )

    def __init__(self, world: World, deal_id: int, partner: Partner | None):
        book = world.leads
        self.world = world
        self.id = deal_id
        self.created_day = world.env.now
        self.value = float(book.value[deal_id])
        self.incumbent = bool(book.incumbent[deal_id])
        self.fit = float(book.fit[deal_id])
        self.committee = Committee(
            world.scenario.committee,
            world.committees,
            deal_id,
            world.marketing.preclear_probability(),
        )
        self.rep: Rep | Founder | None = None  # the direct seller: a rep or the founder
        self.partner = partner  # the partner that brought the lead and works it
        self.effort = 1.0
        self.process: simpy.Process | None = None
        self.qualified = False  # an opportunity once the seller has qualified the lead
        self.committed = False  # once the committee has chosen us, patience no longer matters
        self.closed = self.misrepresented = self.misrepresentation_veto = self.rescued = False
        self.stage = STAGE_INDEX["waiting_for_rep"]
        self.stage_since = self.created_day
        self.stage_days = [0.0] * len(STAGE_INDEX)
        self.stalls = self.requests = self.objections = 0
        self.direct_since = 0.0
        self.direct_hours = self.revenue = 0.0

    def journey(self) -> Iterator[simpy.Event]:
        """Find a seller, qualify, get past the stallers, the nay-sayers and the decision makers, sign."""
        world = self.world
        env, dice = world.env, world.streams.behaviour
        try:
            if self.partner is None:
                seller = yield from self.find_direct_seller()
                if seller is None:
                    return self.close("no_decision", "goes cold waiting for a free rep")
                self.assign(seller, "takes the deal ({} active)", seller.active_deals)
            else:
                self.partner.active_deals += 1
                self.note(
                    self.partner, "works the deal ({} of ours active)", self.partner.active_deals
                )
            self.enter("qualifying")
            yield env.timeout(dice.exponential(world.scenario.reps.qualify_days))
            if self.fit < world.scenario.leads.disqualify_probability:
                return self.close("disqualified", "is disqualified: a poor fit")
            self.qualified = True
            self.note(self.rep or self.partner, "qualifies the lead")
            self.enter("stallers")
            yield from self.committee.get_past_stallers(self)
            self.enter("nay_sayers")
            if (
                self.partner is not None
                and self.partner_misrepresents()
                and self.nay_sayer_finds_out()
            ):
                self.misrepresentation_veto = True
                return self.close(
                    "vetoed", "is vetoed: the partner promised what the product cannot do"
                )
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
            self.revenue = self.value * (
                1.0 - world.scenario.channel.missed_option_share * self.misrepresented
            )
            self.close("won", "is won")
        except simpy.Interrupt as stop:
            if stop.cause == "rep_left":
                self.close("no_decision", "goes dark: its rep left the company")
            else:
                self.close("no_decision", "goes dark: the buyer's patience ran out")

    def find_direct_seller(self) -> Iterator[simpy.Event]:
        """Founder-network leads go to the founder when free; the rest wait for a rep."""
        world = self.world
        if world.leads.source[self.id] == FOUNDER_NETWORK:
            founder = world.founder.desk.try_take()
            if founder is not None:
                return founder
        seller = yield from world.reps.take()
        return seller

    def assign(self, seller: Rep | Founder, story: str, *details: object) -> None:
        """A direct seller starts on the deal; partners covering the account resent it."""
        world = self.world
        self.rep = seller
        self.direct_since = world.env.now
        params = world.scenario.reps
        if seller.role == "rep" and params.value_focus:  # the reps' compensation plan
            ratio = self.value / world.scenario.leads.value_median
            self.effort = min(max(ratio**params.value_focus, 0.25), 4.0)
        self.note(seller, story, *details)
        if world.partners:
            for index in world.leads.covered[self.id].nonzero()[0].tolist():
                world.partners[index].account_conflict()

    def call_for_rescue(self) -> None:
        """A stalled partner deal pulls in the founder or, failing that, a rep with a free slot."""
        world = self.world
        seller = world.founder.desk.try_take() or world.reps.try_take()
        if seller is not None:
            self.rescued = True
            self.assign(seller, "steps in to rescue {}'s stalled deal", self.partner.name)

    def leave_rep(self) -> None:
        """The deal's rep left the company: hand the deal on, or let it go dark."""
        world = self.world
        self.book_direct_hours()
        self.rep = None
        if self.partner is not None or self.committed:
            return  # the partner or the signed-off committee carries on without the rep
        if world.streams.reps.uniform() < world.scenario.reps.reassign_probability:
            heir = world.reps.try_take()
            if heir is not None:
                return self.assign(heir, "takes over the deal of a rep who left")
        self.process.interrupt("rep_left")

    def partner_misrepresents(self) -> bool:
        """Did the partner's staff misrepresent the product (claims it cannot meet, options unsold)?"""
        dice, channel = self.world.streams.behaviour, self.world.scenario.channel
        if dice.uniform() >= channel.misrepresentation_probability * (
            1.0 - self.partner.training()
        ):
            return False
        self.misrepresented = True
        self.note(self.partner, "has claimed features the product lacks and left options unsold")
        return True

    def nay_sayer_finds_out(self) -> bool:
        """A nay-sayer, if the committee has one, may veto for the partner's false claims."""
        chance = self.world.scenario.channel.misrepresentation_veto_probability
        return bool(self.committee.nay_sayers) and self.world.streams.behaviour.uniform() < chance

    def productivity(self, day: float) -> float:
        """How fast the deal moves: the better of its direct seller and its partner."""
        best = MIN_PRODUCTIVITY
        if self.rep is not None:
            direct = self.rep.productivity(day) * self.effort
            if direct > best:
                best = direct
        if self.partner is not None:
            brought = self.partner.productivity(day)
            if brought > best:
                best = brought
        return best

    @property
    def owner(self) -> str:
        """Who works the deal: a partner's deal stays the partner's, even when rescued."""
        if self.partner is not None:
            return "partner"
        return "none" if self.rep is None else self.rep.role

    def lose_patience(self, _event: simpy.Event) -> None:
        """Called when the buyer's patience runs out: the deal goes dark unless already decided."""
        if not self.closed and not self.committed:
            self.process.interrupt("patience")

    def book_time(self) -> None:
        """Add the time since the last booking to the current stage."""
        now = self.world.env.now
        self.stage_days[self.stage] += now - self.stage_since
        self.stage_since = now

    def book_direct_hours(self) -> None:
        """Add the direct seller's hours on this deal since they started on it."""
        if self.rep is not None:
            now = self.world.env.now
            self.direct_hours += (now - self.direct_since) * self.rep.hours_per_deal_day
            self.direct_since = now

    def enter(self, stage: str) -> None:
        self.book_time()
        self.stage = STAGE_INDEX[stage]

    def close(self, outcome: str, story: str) -> None:
        self.book_time()
        self.book_direct_hours()
        self.closed = True
        self.note("deal", story)
        self.world.deal_closed(self, outcome)

    def note(self, actor: object, event: str, *details: object) -> None:
        """Add a line to the event log, when one is being kept.

        `actor` is a name or anything with a `name`; `event` is a `str.format` template
        for `details`. Nothing is formatted unless a log is kept, so sweeps pay nothing.
        """
        log = self.world.log
        if log is not None:
            name = actor if isinstance(actor, str) else actor.name
            log.append((self.world.env.now, self.id, name, event.format(*details)))
