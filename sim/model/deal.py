"""A deal: one lead's journey from arrival to a signed contract, a loss, or the horizon.

An open deal of a pipeline the run starts from joins the journey at its stage: the
steps before it are done (`Deal.goes_through`).

The journey waits two ways (see `sim.model.stretches`): for the world, as a SimPy event
(a free rep); or for a number of days of its own (a meeting), which the deal's own
clock `now` may pass at once when nothing else could act on it meanwhile.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, cast

import simpy

from ..scenario.schema import Scenario
from ..vocabulary import PATIENCE_REASONS, Choice, Outcome, Owner, Reason, Source, Stage
from .calendar import NO_LEAVE
from .committee import Committee
from .events import Actor, Event, EventKind, Someone
from .founder import Founder
from .leads import LeadBook
from .marketing import Marketing
from .partners import Partner
from .product import Gap, ProductTeam
from .reps import RepPool
from .room import Room
from .sellers import Seller
from .streams import BEHAVIOUR, DECISIONS, Dice, Streams
from .stretches import Journey, Stretches, delay_until


class Market(Protocol):
    """What a deal needs of its replication: the world it is sold in."""

    env: simpy.Environment
    scenario: Scenario
    streams: Streams
    leads: LeadBook

    def committee(self, deal_id: int, preclear_probability: float) -> Committee: ...

    room: Room
    marketing: Marketing
    founder: Founder
    reps: RepPool
    partners: list[Partner]
    product: ProductTeam
    log: list[Event] | None
    run_ahead: bool  # let deals' own clocks run ahead (False: every wait is an event)

    def deal_closed(self, deal: Deal, outcome: Outcome) -> None: ...


class Deal:
    """One deal: its lead's attributes, its committee, who works it and where its days went."""

    __slots__ = (
        "world",
        "logging",
        "id",
        "created_day",
        "now",
        "patience_ends",
        "patience_timed",
        "value",
        "incumbent",
        "fit",
        "source",
        "committee",
        "dice",
        "_decision_dice",
        "seller",
        "partner",
        "effort",
        "process",
        "qualified",
        "committed",
        "closed",
        "stage",
        "joins",
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
        "reason",
        "gap",
        "workaround",
        "product_appeal",
        "feature_wait_since",
        "feature_wait_days",
    )

    def __init__(
        self,
        world: Market,
        deal_id: int,
        partner: Partner | None,
        joins: Stage = Stage.WAITING_FOR_REP,
        age_days: float = 0.0,
    ):
        """A lead arriving now; or an open deal of a pipeline, `age_days` old, joining at the
        stage `joins` (its rows in the lead book are drawn for that: `sim.model.pipeline`)."""
        book = world.leads
        self.world = world
        self.logging = world.log is not None  # notes cost a call: skipped when no log is kept
        self.id = deal_id
        self.now = world.env.now
        self.created_day = self.now - age_days
        self.value, patience_days, self.fit, self.incumbent, self.source, _ = book.leads[deal_id]
        self.patience_ends = self.created_day + patience_days
        self.patience_timed = False  # a timer for the end of the buyer's patience is set
        self.dice: Dice = world.streams.dice(deal_id, BEHAVIOUR)  # delays and behaviour
        self._decision_dice: Dice | None = None  # drawn when the committee comes to decide
        self.committee = world.committee(deal_id, world.marketing.preclear_probability(self.now))
        self.seller: Seller | None = None  # the direct seller: a rep or the founder
        self.partner = partner  # the partner that brought the lead and works it
        self.effort = 1.0
        self.process: Stretches | None = None
        self.qualified = joins > Stage.QUALIFYING  # an opportunity once the seller qualified it
        self.committed = False  # once the committee has chosen us, patience no longer matters
        self.closed = self.misrepresented = self.misrepresentation_veto = self.rescued = False
        self.stage = self.joins = joins  # an open deal's days before the run count to its stage
        self.stage_since = self.created_day
        self.stage_days = [0.0] * len(Stage)
        self.stalls = self.requests = self.objections = 0
        self.direct_since = 0.0
        self.direct_hours = self.revenue = 0.0
        self.reason = Reason.OPEN
        self.gap: Gap | None = None  # a feature it needs that the product lacks (seed 001)
        self.workaround = False  # its committee decided without that feature
        self.product_appeal = 1.0  # multiplies our appeal: the product as the committee sees it
        self.feature_wait_since: float | None = None  # waiting for a feature built for it
        self.feature_wait_days = 0.0

    def start(self) -> None:
        """Set off on the journey, now. (Its runner is the deal's before the journey starts:
        a journey that ends at once lets go of it, and the two never hold each other.)"""
        self.process = Stretches(self.world.env, self, self.journey(), self.world.run_ahead)
        self.process.start()

    def journey(self) -> Journey:
        """Find a seller, qualify, get past stallers, nay-sayers and decision makers, sign."""
        world, room = self.world, self.world.room
        dice = self.dice
        try:
            if self.goes_through(Stage.WAITING_FOR_REP):
                if self.partner is None:
                    seller = yield from self.find_direct_seller()
                    if seller is None:
                        return self.close(Outcome.NO_DECISION, Reason.WENT_COLD)
                    self.assign(seller, EventKind.TAKES_DEAL, active_deals=seller.active_deals)
                else:
                    self.partner.active_deals += 1
                    if self.logging:
                        active = self.partner.active_deals
                        self.note(self.partner, EventKind.WORKS_DEAL, active_deals=active)
            if self.goes_through(Stage.QUALIFYING):
                self.enter(Stage.QUALIFYING)
                yield self.sellers_days(dice.exponential(world.scenario.reps.qualify_days))
                if self.fit < world.scenario.leads.disqualify_probability:
                    return self.close(Outcome.DISQUALIFIED, Reason.POOR_FIT)
                self.qualified = True
                worker = self.seller or self.partner
                assert worker is not None  # a rep who left with no heir has ended the deal already
                if self.logging:
                    self.note(worker, EventKind.QUALIFIES)
                if world.product.listening:  # the deal may need a feature the product lacks
                    yield from world.product.hear_needs(self)
            if self.goes_through(Stage.STALLERS):
                self.enter(Stage.STALLERS)
                yield from self.committee.get_past_stallers(self, room)
            if self.goes_through(Stage.NAY_SAYERS):
                self.enter(Stage.NAY_SAYERS)
                if self.partner_misrepresents() and self.nay_sayer_finds_out():
                    self.misrepresentation_veto = True
                    return self.close(Outcome.VETOED, Reason.MISREPRESENTATION)
                approved = yield from self.committee.win_over_nay_sayers(self, room)
                if not approved:
                    return self.close(Outcome.VETOED, Reason.VETO)
            if self.goes_through(Stage.DECIDING):
                self.enter(Stage.DECIDING)
                if world.product.listening:  # a feature built for the deal, or a workaround
                    yield from world.product.settle(self)
                choice = yield from self.committee.decide(self, room)
                if choice is None:
                    return self.close(Outcome.NO_DECISION, Reason.NO_CONSENSUS)
                if choice == Choice.NOTHING:
                    return self.close(Outcome.NO_DECISION, Reason.STATUS_QUO)
                if choice == Choice.COMPETITOR:
                    lost_to = Reason.INSIDE_JOB if self.incumbent else Reason.COMPETITOR
                    return self.close(Outcome.LOST_COMPETITOR, lost_to)
            self.committed = True
            self.enter(Stage.NEGOTIATING)
            yield self.sellers_days(dice.exponential(world.scenario.committee.negotiation_days))
            missed = world.scenario.channel.missed_option_share * self.misrepresented
            self.revenue = self.value * (1.0 - missed)
            self.close(Outcome.WON, Reason.WON)
        except simpy.Interrupt as stop:  # the rep left, or the buyer's patience ran out
            self.close(Outcome.NO_DECISION, cast(Reason, stop.cause))

    def goes_through(self, stage: Stage) -> bool:
        """Does the journey go through this stage? A new lead goes through every stage; an
        open deal of a pipeline starts afresh at its own (see docs/model.md)."""
        return self.joins <= stage

    def find_direct_seller(self) -> Journey:
        """Founder-network leads go to the founder when free; the rest wait for a rep."""
        world = self.world
        if self.source == Source.FOUNDER_NETWORK:
            founder = world.founder.slots.try_take()
            if founder is not None:
                return founder
        seller = yield from world.reps.take()
        return seller

    def assign(self, seller: Seller, kind: EventKind, **details: Any) -> None:
        """A direct seller starts on the deal; partners covering the account resent it."""
        world = self.world
        self.seller = seller
        self.direct_since = self.now
        params = world.scenario.reps
        if seller.owner == Owner.REP and params.value_focus:  # the reps' compensation plan
            ratio = self.value / world.scenario.leads.value_median
            self.effort = min(
                max(ratio**params.value_focus, params.effort_floor), params.effort_ceiling
            )
        if self.logging:
            self.note(seller, kind, **details)
        if world.partners:
            for index in world.leads.covered[self.id].nonzero()[0].tolist():
                world.partners[index].account_conflict()

    def after_stall(self) -> None:
        """A partner deal that keeps stalling calls for rescue while no direct seller is on it."""
        partner = self.partner
        if partner is None or self.seller is not None:
            return
        if self.stalls >= self.world.scenario.channel.rescue_after_stalls:
            world = self.world
            seller = world.founder.slots.try_take() or world.reps.try_take()
            if seller is not None:
                self.rescued = True
                self.assign(seller, EventKind.RESCUES, partner=partner.index)

    def leave_rep(self) -> None:
        """The deal's rep left the company: hand the deal on, or let it go dark."""
        world = self.world
        self.now = world.env.now  # the deal was waiting for the world: its clock is the world's
        self.book_direct_hours()
        self.seller = None
        if self.partner is not None or self.committed:
            return  # the partner or the signed-off committee carries on without the rep
        if self.dice.uniform() < world.scenario.reps.reassign_probability:
            heir = world.reps.try_take()
            if heir is not None:
                return self.assign(heir, EventKind.TAKES_OVER)
        self.interrupt(Reason.REP_LEFT)

    def partner_misrepresents(self) -> bool:
        """Did the partner misrepresent the product (claims it cannot meet, options unsold)?"""
        if self.partner is None:
            return False
        dice, channel = self.dice, self.world.scenario.channel
        untrained = 1.0 - self.partner.training(self.now)
        if dice.uniform() >= channel.misrepresentation_probability * untrained:
            return False
        self.misrepresented = True
        self.note(self.partner, EventKind.MISREPRESENTS)
        return True

    def nay_sayer_finds_out(self) -> bool:
        """A nay-sayer, if the committee has one, may veto for the partner's false claims."""
        chance = self.world.scenario.channel.misrepresentation_veto_probability
        return bool(self.committee.nay_sayers) and self.dice.uniform() < chance

    def productivity(self, day: float) -> float:
        """How fast the deal moves: the better of its direct seller and its partner."""
        best = self.world.scenario.reps.productivity_floor
        if self.seller is not None:
            direct = self.seller.productivity(day) * self.effort
            if direct > best:
                best = direct
        if self.partner is not None:
            brought = self.partner.productivity(day)
            if brought > best:
                best = brought
        return best

    def sellers_days(self, days: float) -> float:
        """Calendar days that `days` of the direct seller's own work take from now: the work
        stops while the seller is on vacation or it is a public holiday."""
        seller = self.seller
        if seller is None or seller.leave is NO_LEAVE:  # a partner's time off is not modelled
            return days
        return seller.leave.work_ends(self.now, days) - self.now

    @property
    def decision_dice(self) -> Dice:
        """The deal's own dice for decision makers' choices."""
        if self._decision_dice is None:
            self._decision_dice = self.world.streams.dice(self.id, DECISIONS)
        return self._decision_dice

    @property
    def owner(self) -> Owner:
        """Who works the deal: a partner's deal stays the partner's, even when rescued."""
        if self.partner is not None:
            return Owner.PARTNER
        return Owner.NONE if self.seller is None else self.seller.owner

    def waits_for_the_world(self) -> None:
        """The journey waits for the world (a rep, marketing, the world's clock): meanwhile the
        buyer's patience may run out, so a timer is set for the day it ends, once. A journey
        that never waits for the world needs none (two deals in three of the baseline): its
        own clock never passes that day (`horizon_of_own_time`)."""
        if self.patience_timed or self.committed:
            return
        self.patience_timed = True
        env = self.world.env
        timer = env.timeout(delay_until(env.now, self.patience_ends))
        timer.callbacks.append(self.lose_patience)

    def lose_patience(self, _event: simpy.Event) -> None:
        """Called when the buyer's patience runs out: the deal goes dark unless already decided."""
        if not self.closed and not self.committed:
            self.interrupt(PATIENCE_REASONS.get(self.stage, Reason.PATIENCE_WITH_COMMITTEE))

    def interrupt(self, reason: Reason) -> None:
        if self.process is not None:
            self.process.interrupt(reason)

    def horizon_of_own_time(self) -> float:
        """The first day something outside the deal could act on it: until then its own
        waits need no events. A partner's pace moves with its other deals: never ahead."""
        if self.partner is not None:
            return -math.inf
        limit = self.world.scenario.scenario.horizon_days
        if not self.committed and self.patience_ends < limit:
            limit = self.patience_ends
        if self.seller is not None:
            stays = self.seller.stays_until()
            if stays < limit:
                limit = stays
        return limit

    def catch_up(self) -> Journey:
        """Wait until the world's clock reaches the deal's own: before a step on shared ground."""
        env = self.world.env
        if self.now > env.now:
            yield env.timeout(self.now - env.now)

    def book_time(self) -> None:
        """Add the time since the last booking to the current stage; never less than none,
        though the deal's own clock may have put a stage's start a rounding error past the
        world's end of it (a deal run ahead up to the horizon)."""
        now = self.now
        elapsed = now - self.stage_since
        if elapsed > 0.0:
            self.stage_days[self.stage] += elapsed
        self.stage_since = now

    def book_direct_hours(self) -> None:
        """Add the direct seller's hours on this deal since they started on it."""
        if self.seller is not None:
            now = self.now
            self.direct_hours += (now - self.direct_since) * self.seller.hours_per_deal_day
            self.direct_since = now

    def enter(self, stage: Stage) -> None:
        self.book_time()
        self.stage = stage

    def close(self, outcome: Outcome, reason: Reason) -> None:
        self.book_time()
        self.book_direct_hours()
        self.closed = True
        self.process = None  # the deal and its runner pointed at each other: let both go
        self.reason = reason
        if self.logging:
            self.note(Actor.DEAL, EventKind.CLOSES, outcome=outcome, reason=reason)
        env = self.world.env
        if self.now > env.now:  # closed ahead of the world: it hears of it on the day
            env.timeout(self.now - env.now).callbacks.append(
                lambda _day: self.world.deal_closed(self, outcome)
            )
        else:
            self.world.deal_closed(self, outcome)

    def note(self, who: Someone | Actor, kind: EventKind, **details: Any) -> None:
        """Add an event to the log, when one is being kept (sweeps keep none). Callers on
        the hot paths check `logging` first: without a log, even an empty call costs."""
        log = self.world.log
        if log is not None:
            actor, seat = (who, 0) if isinstance(who, Actor) else (who.actor, who.seat)
            log.append(Event(self.now, self.id, actor, seat, kind, details))
