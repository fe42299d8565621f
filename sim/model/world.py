"""The world of one replication: builds the actors, runs the clock, returns the result tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from ..scenario.schema import Scenario
from .committee import CommitteeDraws
from .deal import Deal
from .founder import Founder
from .leads import MARKETING, SOURCES, arrive, draw_leads
from .marketing import Marketing
from .partners import Partner
from .records import DealRecords
from .reps import Rep, RepPool
from .streams import Streams

LogLine = tuple[float, int, str, str]  # (day, deal id, actor, what happened)


class World:
    """Everything one replication shares: clock, scenario, random streams, sellers, marketing, partners."""

    def __init__(
        self, scenario: Scenario, seed: int, replication: int, log: list[LogLine] | None = None
    ):
        self.env = simpy.Environment()
        self.scenario = scenario
        self.streams = Streams(seed, replication)
        self.log = log
        self.leads = draw_leads(scenario, self.streams.leads.rng, self.streams.partners.rng)
        self.records = DealRecords(self.leads, scenario.scenario.horizon_days)
        self.marketing = Marketing(self, scenario.marketing)
        self.reps = RepPool(self.env, scenario.reps, self.streams.reps.rng, self.rep_left)
        self.founder = Founder(self.env, scenario.founder)
        self.partners = [
            Partner(self, index, params, scenario.channel, self.streams.partners.rng)
            for index, params in enumerate(scenario.partners)
        ]
        self.commission_rates = np.array([partner.commission for partner in scenario.partners])
        self.commissions = np.zeros(len(self.partners))  # paid to each partner
        self.deals: dict[int, Deal] = {}  # open deals only
        self.committees: CommitteeDraws | None = (
            None  # drawn when the clock starts, for the final lead book
        )

    def open_deal(self, deal_id: int) -> None:
        """A candidate lead is due: if it arrives, start its journey and the clock on the buyer's patience."""
        book = self.leads
        index = int(book.partner[deal_id])
        partner = self.partners[index] if index >= 0 else None
        if book.accept[deal_id] >= self.arrival_probability(deal_id, partner):
            return
        deal = Deal(self, deal_id, partner)
        self.deals[deal_id] = deal
        deal.note("lead", "arrives from {}, value ${:,.0f}", self.source_name(deal_id), deal.value)
        deal.process = self.env.process(deal.journey())
        self.env.timeout(float(book.patience_days[deal_id])).callbacks.append(deal.lose_patience)

    def arrival_probability(self, deal_id: int, partner: Partner | None) -> float:
        """Thinning: partner leads follow the partner's mindshare, marketing leads its lead generation."""
        if partner is not None:
            return partner.mindshare(self.env.now)
        if self.leads.source[deal_id] == MARKETING:
            return self.marketing.lead_acceptance()
        return 1.0

    def source_name(self, deal_id: int) -> str:
        index = int(self.leads.partner[deal_id])
        if index >= 0:
            return f"partner {self.partners[index].name}"
        return SOURCES[self.leads.source[deal_id]].replace("_", " ")

    def rep_left(self, rep: Rep) -> None:
        """A rep left the company: each of the rep's deals is handed on or goes dark."""
        for deal in [deal for deal in self.deals.values() if deal.rep is rep]:
            deal.leave_rep()

    def deal_closed(self, deal: Deal, outcome: str) -> None:
        del self.deals[deal.id]
        if deal.rep is not None:
            deal.rep.desk.release(deal.rep)
            if outcome == "won":
                deal.rep.last_win_day = self.env.now
        if deal.partner is not None:
            deal.partner.active_deals -= 1
        if outcome == "won":
            self.commissions += self.records.pay_commissions(deal, self.commission_rates)
        self.records.close(deal, outcome, self.env.now)

    def run(self) -> None:
        self.committees = CommitteeDraws(
            self.scenario.committee, self.streams.committee.rng, len(self.leads)
        )
        self.env.process(arrive(self.env, self.leads, self.open_deal))
        for partner in self.partners:
            self.env.process(partner.follow_comp_plan())
        self.env.run(until=self.scenario.scenario.horizon_days)
        for deal in self.deals.values():  # still open at the horizon: censored, not dropped
            deal.book_time()
            deal.book_direct_hours()
            self.records.close(deal, "open", None)

    def replication_stats(self, replication: int) -> dict[str, Any]:
        """Replication-level figures that no single deal carries."""
        return {
            "replication": replication,
            **self.marketing.time_use(self.scenario.scenario.horizon_days),
            "rep_departures": self.reps.departures,
            "rep_hires": self.reps.hires,
        }

    def partner_stats(self, replication: int) -> dict[str, np.ndarray]:
        """One row per partner: commissions paid, plan changes and mindshare at the horizon."""
        now = self.env.now
        return {
            "replication": np.full(len(self.partners), replication, dtype=np.int32),
            "partner": np.array([partner.name for partner in self.partners], dtype=object),
            "commission": self.commissions.copy(),
            "plan_changes": np.array(
                [partner.plan_changes for partner in self.partners], dtype=np.int32
            ),
            "mindshare_end": np.array([partner.mindshare(now) for partner in self.partners]),
        }


def simulate_replication(
    scenario: Scenario, seed: int, replication: int, log: list[LogLine] | None = None
) -> dict[str, Any]:
    """Run one replication; return its tables: `deals` (columns), `stats` (one row) and `partners` (columns).

    This is the one function experiments call. Pass a list as `log` to receive the
    event log (day, deal id, actor, event); without it nothing is logged.
    """
    world = World(scenario, seed, replication, log)
    world.run()
    return {
        "deals": world.records.columns(replication),
        "stats": world.replication_stats(replication),
        "partners": world.partner_stats(replication),
    }
