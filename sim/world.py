"""The world of one replication: builds the actors, runs the clock, returns the deal table."""

from __future__ import annotations

import numpy as np
import simpy

from .deal import Deal
from .leads import SOURCES, arrive, draw_leads
from .marketing import Marketing
from .reps import RepPool
from .results import DealRecords
from .scenario import Scenario
from .streams import Streams

LogLine = tuple[float, int, str, str]  # (day, deal id, actor, what happened)


class World:
    """Everything one replication shares: clock, scenario, random streams, reps, marketing."""

    def __init__(self, scenario: Scenario, seed: int, replication: int, log: list[LogLine] | None = None):
        self.env = simpy.Environment()
        self.scenario = scenario
        self.streams = Streams(seed, replication)
        self.log = log
        horizon = scenario.scenario.horizon_days
        self.leads = draw_leads(scenario.leads, scenario.competition, horizon, self.streams.leads.rng)
        self.records = DealRecords(self.leads, horizon)
        self.reps = RepPool(self.env, scenario.reps, self.streams.reps.rng)
        self.marketing = Marketing(self, scenario.marketing)
        self.deals: dict[int, Deal] = {}  # open deals only

    def open_deal(self, deal_id: int) -> None:
        """A lead arrives: start its journey and the clock on the buyer's patience."""
        deal = Deal(self, deal_id)
        self.deals[deal_id] = deal
        deal.note("lead", f"arrives from {self.source_name(deal_id)}, value ${self.leads.value[deal_id]:,.0f}")
        deal.process = self.env.process(deal.journey())
        self.env.timeout(float(self.leads.patience_days[deal_id])).callbacks.append(deal.lose_patience)

    def source_name(self, deal_id: int) -> str:
        return SOURCES[self.leads.source[deal_id]].replace("_", " ")

    def deal_closed(self, deal: Deal, outcome: str) -> None:
        del self.deals[deal.id]
        if deal.rep is not None:
            self.reps.release(deal.rep)
        self.records.close(deal, outcome, self.env.now)

    def run(self) -> None:
        self.env.process(arrive(self.env, self.leads, self.open_deal))
        self.env.run(until=self.scenario.scenario.horizon_days)
        for deal in self.deals.values():  # still open at the horizon: censored, not dropped
            deal.book_time()
            self.records.close(deal, "open", None)


def simulate_replication(
    scenario: Scenario, seed: int, replication: int, log: list[LogLine] | None = None
) -> dict[str, np.ndarray]:
    """Run one replication and return its deal table as columns.

    This is the one function experiments call. Pass a list as `log` to receive the
    event log (day, deal id, actor, event); without it nothing is logged.
    """
    world = World(scenario, seed, replication, log)
    world.run()
    return world.records.columns(replication)
