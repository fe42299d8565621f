"""The world of one replication: builds the actors, runs the clock, returns the result tables."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import simpy

from ..scenario.pipeline import OpenDeal, Pipeline
from ..scenario.schema import Scenario
from ..vocabulary import Outcome, Source
from .calendar import TimeOff
from .committee import Committee, CommitteeDraws
from .deal import Deal
from .events import Actor, Event, EventKind
from .founder import Founder
from .leads import Arrivals, draw_leads
from .market import Accounts
from .marketing import Marketing
from .partners import Partner
from .pipeline import OpenDeals
from .product import ProductTeam
from .records import DealRecords
from .reps import Rep, RepPool
from .room import Room
from .sellers import Seller
from .streams import CHUNK, FOUNDER, Streams


class World:
    """What one replication shares: clock, scenario, dice, sellers, marketing, partners.

    `streams` replaces the replication's random streams (tests pass scripted dice).
    `run_ahead=False` makes every wait an event: the same model, event by event.
    `pipeline`: open deals the run starts from on day 0, with ids after every candidate
    lead's, in the pipeline's order (`sim.model.pipeline`).
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        replication: int,
        log: list[Event] | None = None,
        streams: Streams | None = None,
        run_ahead: bool = True,
        pipeline: Pipeline | None = None,
    ):
        self.env = simpy.Environment()
        self.scenario = scenario
        self.streams = streams or Streams(seed, replication)
        self.log = log
        self.run_ahead = run_ahead  # deals' own waits without events (sim.model.stretches)
        streams = self.streams
        self.leads = draw_leads(scenario, streams.leads, streams.partners, streams.market)
        self.pipeline = pipeline
        self.pipeline_from = sys.maxsize  # the first open deal's id, if any
        if pipeline is not None:
            pipeline.check(scenario)
            self.pipeline_from = first = len(self.leads)
            self.open_deals = OpenDeals(scenario, pipeline, streams.open_pipeline(first))
            self.leads = self.open_deals.after(self.leads)
        self.accounts = Accounts(scenario.market)  # a finite market's accounts, if any
        info = scenario.scenario
        self.records = DealRecords(self.leads, info.horizon_days, info.warmup_days)
        self.time_off = TimeOff(scenario.calendar, info.horizon_days, streams)
        self.marketing = Marketing(self.env, scenario.marketing, self.time_off.working_share())
        self.room = Room(self.env, scenario.committee, scenario.competition, self.marketing)
        self.reps = RepPool(self.env, scenario.reps, self.streams, self.rep_left, self.time_off)
        self.founder = Founder(self.env, scenario.founder, self.time_off.of((FOUNDER, 0)))
        horizon = scenario.scenario.horizon_days
        self.partners = [
            Partner(
                self.env,
                index,
                params,
                scenario.channel,
                self.streams.partners,
                self.marketing,
                horizon,
            )
            for index, params in enumerate(scenario.partners)
        ]
        self.commission_rates = np.array([partner.commission for partner in scenario.partners])
        self.commissions = np.zeros(len(self.partners))  # paid to each partner
        self.deals: dict[int, Deal] = {}  # open deals only
        self.product = ProductTeam(
            self.env, scenario.features, scenario.leads.value_median, self.streams, self.deals
        )
        self._committees: CommitteeDraws | None = None  # the latest chunk of committees
        self._may_meet: np.ndarray | None = None  # leads that may meet their committee (`start`)

    def committee(self, deal_id: int, preclear_probability: float) -> Committee:
        """The buying committee of a deal: an open deal of the pipeline has its own draws."""
        if deal_id >= self.pipeline_from:
            return self.open_deals.committee(deal_id - self.pipeline_from, preclear_probability)
        params = self.scenario.committee
        return Committee(params, self.committee_draws(deal_id), deal_id, preclear_probability)

    def committee_draws(self, deal_id: int) -> CommitteeDraws:
        """The committee members of the chunk of deals that holds `deal_id`."""
        chunk = deal_id // CHUNK
        draws = self._committees
        if draws is None or draws.chunk != chunk:  # deals open in id order: one chunk at a time
            needed = None if self._may_meet is None else self._may_meet[chunk * CHUNK :][:CHUNK]
            draws = CommitteeDraws(self.scenario.committee, self.streams, chunk, needed)
            self._committees = draws
        return draws

    def may_meet_committee(self, due: list[int]) -> np.ndarray:
        """Which candidate leads may meet their committee (a mask, padded to whole chunks):
        those due to arrive, less the poor fits, disqualified before any meeting."""
        book = self.leads
        chunks = -(-len(book) // CHUNK)
        may_meet = np.zeros(chunks * CHUNK, dtype=bool)
        may_meet[due] = True
        may_meet[: len(book)] &= book.fit >= self.scenario.leads.disqualify_probability
        return may_meet

    def open_deal(self, deal_id: int) -> None:
        """A lead is due: if it arrives, start its journey (the buyer's patience is timed once
        the journey waits for the world: `Deal.waits_for_the_world`)."""
        book = self.leads
        value, _patience, _fit, _incumbent, source, index = book.leads[deal_id]
        partner = self.partners[index] if index >= 0 else None
        if partner is not None and book.accept[deal_id] >= partner.mindshare(self.env.now):
            return  # thinning: partner leads follow its mindshare of the day
        if self.accounts.limited and not self.accounts.admits(book.account[deal_id], self.env.now):
            return  # turned away: the account is in a deal, a customer or cooling off
        deal = Deal(self, deal_id, partner)
        self.deals[deal_id] = deal
        if deal.logging:
            origin = Source.from_code(source)
            deal.note(Actor.LEAD, EventKind.ARRIVES, source=origin, partner=index, value=value)
        deal.start()

    def join_from_pipeline(self, index: int, opened: OpenDeal) -> None:
        """An open deal of the pipeline joins on day 0 where the CRM shows it, worked by its
        owner's rep (or the founder), who takes a slot for it even beyond their limit."""
        assert self.pipeline is not None
        deal = Deal(self, self.pipeline_from + index, None, opened.stage, opened.age_days)
        self.deals[deal.id] = deal
        deal.committee.recall(deal, self.room, opened.stage)
        if opened.has_seller:
            seller = self.seller_of(opened.owner)
            seller.slots.claim(seller)
            deal.assign(seller, EventKind.TAKES_DEAL, active_deals=seller.active_deals)
        deal.start()

    def seller_of(self, owner: str) -> Seller:
        """The seller of an owner of the pipeline's deals: the founder, or rep i for owner i."""
        assert self.pipeline is not None
        if owner == self.pipeline.founder:
            return self.founder
        return self.reps.reps[self.pipeline.owners.index(owner)]

    def due_leads(self) -> list[int]:
        """The candidate leads that may arrive, in order (thinning decided up front where it can).

        Marketing leads follow lead generation's asset, a function of the day alone: decided
        here. Partner leads follow a mindshare that account conflicts lower as deals go: those
        above the partner's top mindshare are dropped here, the rest decided on the day.
        """
        book = self.leads
        ceiling = np.ones(len(book))
        marketing = book.source == Source.MARKETING
        ceiling[marketing] = self.marketing.lead_acceptance(book.arrival_day[marketing])
        brought = book.partner >= 0
        top = np.array([params.mindshare for params in self.scenario.partners] + [1.0])
        ceiling[brought] = top[book.partner[brought]]
        return np.flatnonzero(book.accept < ceiling).tolist()

    def rep_left(self, rep: Rep) -> None:
        """A rep left the company: each of the rep's deals is handed on or goes dark."""
        for deal in [deal for deal in self.deals.values() if deal.seller is rep]:
            deal.leave_rep()

    def deal_closed(self, deal: Deal, outcome: Outcome) -> None:
        del self.deals[deal.id]
        day = deal.now
        seller = deal.seller
        if seller is not None:
            seller.slots.release(seller)
            if outcome == Outcome.WON:
                seller.last_win_day = day
        if deal.partner is not None:
            deal.partner.active_deals -= 1
        if outcome == Outcome.WON and self.partners:  # partners covering the account claim
            claims = self.records.pay_commissions(deal, self.commission_rates)
            if day >= self.scenario.scenario.warmup_days:  # paid in the window
                self.commissions += claims
        if self.accounts.limited:
            self.accounts.deal_ended(self.leads.account[deal.id], outcome == Outcome.WON, day)
        self.records.close(deal, outcome, day)

    def start(self) -> None:
        """Set the replication going: leads, the end of the warm-up, partners' plans."""
        due = self.due_leads()
        self._may_meet = self.may_meet_committee(due)
        Arrivals(self.env, self.leads, due, self.open_deal)
        self.env.timeout(self.scenario.scenario.warmup_days).callbacks.append(
            self.marketing.start_window
        )
        for partner in self.partners:
            self.env.process(partner.follow_comp_plan())
        if self.pipeline is not None:
            for index, opened in enumerate(self.pipeline.deals):
                self.join_from_pipeline(index, opened)

    def run(self) -> None:
        self.start()
        self.env.run(until=self.scenario.scenario.horizon_days)
        for deal in self.deals.values():  # still open at the horizon: censored, not dropped
            deal.now = self.env.now  # every open deal waits for the world at the end
            deal.book_time()
            deal.book_direct_hours()
            self.records.close(deal, Outcome.OPEN, None)
        self.records.write()

    def replication_stats(self, replication: int) -> dict[str, Any]:
        """Replication-level figures that no single deal carries, over the statistics window."""
        info = self.scenario.scenario
        start, end = info.warmup_days, info.horizon_days
        reps = self.reps
        return {
            "replication": replication,
            **self.marketing.time_use(end - start),
            "rep_departures": sum(day >= start for day in reps.departure_days),
            "rep_hires": sum(day >= start for day in reps.hire_days),
            "rep_days": reps.days_employed(start, end),
            **self.product.stats(start, end),
            **self.accounts.stats(start, end),
        }

    def rep_stats(self, replication: int) -> dict[str, np.ndarray]:
        """One row per rep ever employed: hired, left (NaN: stayed), days employed in the window."""
        info = self.scenario.scenario
        reps = self.reps.reps
        return {
            "replication": np.full(len(reps), replication, dtype=np.int32),
            "rep": np.array([rep.index for rep in reps], dtype=np.int32),
            "hired_day": np.array([rep.hired_day for rep in reps]),
            "left_day": np.array(
                [rep.left_day if rep.left_day < math.inf else math.nan for rep in reps]
            ),
            "days_in_window": np.array(
                [self.reps.days_employed(info.warmup_days, info.horizon_days, rep) for rep in reps]
            ),
        }

    def partner_stats(self, replication: int) -> dict[str, np.ndarray]:
        """One row per partner: commissions paid in the window, plan changes, final mindshare."""
        now = self.env.now
        partners = self.partners
        return {
            "replication": np.full(len(partners), replication, dtype=np.int32),
            "partner": np.array([partner.name for partner in partners], dtype=object),
            "commission": self.commissions.copy(),
            "plan_changes": np.array(
                [partner.plan_changes for partner in partners], dtype=np.int32
            ),
            "mindshare_end": np.array([partner.mindshare(now) for partner in partners]),
        }


def simulate_replication(
    scenario: Scenario,
    seed: int,
    replication: int,
    log: list[Event] | None = None,
    run_ahead: bool = True,
    pipeline: Pipeline | None = None,
) -> dict[str, Any]:
    """Run one replication; its tables: `deals` (columns), `stats` (one row), `partners` and
    `reps` (columns).

    This is the one function experiments call. Pass a list as `log` to receive the
    event log (`sim.model.events.Event` records); without it nothing is logged.
    `run_ahead=False` runs the same model event by event (slower; for checking).
    With a `pipeline`, its open deals are open on day 0 and are the last rows of `deals`,
    in the pipeline's order.
    """
    world = World(scenario, seed, replication, log, run_ahead=run_ahead, pipeline=pipeline)
    world.run()
    return {
        "deals": world.records.columns(replication),
        "stats": world.replication_stats(replication),
        "partners": world.partner_stats(replication),
        "reps": world.rep_stats(replication),
    }
