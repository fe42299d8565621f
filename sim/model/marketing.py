"""Marketing: a finite team whose time is split between proactive tactics and one-off requests.

Proactive time (`proactive_share` of every marketer's day) builds reusable assets,
one per tactic: a staller kit, value-proposition collateral, competitive
intelligence, reference customers, web content, lead generation and partner
training. Each asset's level (0 to 1) rises with the people working on it and
decays as the product changes and the asset goes stale. The rest of the team's
time makes one-off material for single deals: a staller request the kit cannot
answer joins marketing's queue, first come first served, while the deal waits.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import simpy
from simpy.events import ProcessGenerator

from ..scenario.schema import TACTICS
from ..scenario.schema import Marketing as MarketingParams
from ..vocabulary import Stage
from .events import Actor, EventKind, Someone
from .meeting import Meeting
from .stretches import Journey


class Asset:
    """The level of one tactic's reusable asset over time.

    d level / dt = (people / build_days) (1 - level) - level / shelf_life, whose
    solution relaxes exponentially from the starting level to the steady state.
    """

    __slots__ = ("steady", "start", "speed")

    def __init__(self, people: float, params: MarketingParams):
        growth = people / params.asset_build_days
        self.speed = growth + 1.0 / params.asset_shelf_life_days
        self.steady = (
            growth / self.speed if self.speed > 0 else 0.0
        )  # nobody on it and it never goes stale
        self.start = params.initial_assets * self.steady

    def level(self, day: float) -> float:
        if self.start == self.steady:
            return self.steady
        return self.steady + (self.start - self.steady) * math.exp(-self.speed * day)

    def levels(self, days: np.ndarray) -> np.ndarray:
        """The level on each of `days`, in one numpy call."""
        return self.steady + (self.start - self.steady) * np.exp(-self.speed * days)


class Marketing:
    """The marketing team of one replication: its assets and its queue of one-off requests."""

    def __init__(self, env: simpy.Environment, params: MarketingParams, working: float = 1.0):
        """`working`: the share of the year marketers are at work (a team covers for whoever
        is away, so time off takes a share of everyone's time rather than whole people)."""
        self.env = env
        self.params = params
        self.assets = {
            tactic: Asset(params.tactic_people(tactic) * working, params) for tactic in TACTICS
        }
        self.reactive_fraction = (1.0 - params.proactive_share) * working  # of each one's time
        self.free = params.staff  # marketers free for one-off work
        self.waiting: deque[simpy.Event] = deque()  # requests queueing for one, oldest first
        self.busy = 0  # marketers working on one-off material right now
        self.busy_area = 0.0  # integral of `busy` over time, in person-days of presence
        self.busy_since = 0.0

    def level(self, tactic: str, day: float) -> float:
        """The asset level of one tactic on `day`, 0 to 1."""
        return self.assets[tactic].level(day)

    def doubt_damping(self, day: float) -> float:
        """Multiplies nay-sayers' objection and veto chances."""
        return 1.0 - self.params.collateral_effect * self.level("value_collateral", day)

    def appeal_boost(self, day: float) -> float:
        """Multiplies our appeal to decision makers: collateral and reference customers."""
        params = self.params
        collateral = 1.0 + params.collateral_effect * self.level("value_collateral", day)
        references = self.level("reference_customers", day)
        return collateral * (1.0 + params.reference_effect * references)

    def competitor_damping(self, day: float) -> float:
        """Multiplies competitors' appeal: competitive intelligence."""
        intelligence = self.level("competitive_intelligence", day)
        return 1.0 - self.params.intelligence_effect * intelligence

    def preclear_probability(self, day: float) -> float:
        """Chance a staller is already cleared by a buyer who researched on the web."""
        return self.params.web_effect * self.level("web_content", day)

    def lead_acceptance(self, days: np.ndarray) -> np.ndarray:
        """Share of candidate marketing leads that arrive on each of `days` (thinning of the top
        rate): the asset's level is a function of the day alone, so it is known up front."""
        effect = self.params.lead_generation_effect
        return (1.0 + effect * self.assets["lead_generation"].levels(days)) / (1.0 + effect)

    def answer(self, deal: Meeting, staller: Someone) -> Journey:
        """Answer a staller's request for information, from the kit or with one-off material."""
        dice = deal.dice
        deal.requests += 1
        deal.enter(Stage.MARKETING_MATERIAL)
        if dice.uniform() < self.level("staller_kit", deal.now):
            if deal.logging:
                deal.note(staller, EventKind.ASKS_FOR_INFORMATION, from_kit=True)
            yield dice.exponential(self.params.ready_answer_days)
        else:
            work_days = dice.exponential(self.params.custom_work_days)
            yield from deal.catch_up()  # the queue is shared: join it on the world's clock
            if deal.logging:
                queue = len(self.waiting)
                deal.note(staller, EventKind.ASKS_FOR_INFORMATION, from_kit=False, queue=queue)
            yield from self.make_material(work_days)
        if deal.logging:
            deal.note(Actor.MARKETING, EventKind.DELIVERS_MATERIAL, staller=staller.seat)
        deal.enter(Stage.STALLERS)

    def make_material(self, work_days: float) -> ProcessGenerator:
        """Wait for a marketer, who works on it with the reactive part of their time."""
        env = self.env
        if self.reactive_fraction <= 0.0:  # all time is proactive: nobody makes one-off material
            yield env.event()
        if self.free:
            self.free -= 1
        else:
            yield from self._queue_for_a_marketer()
        self._count_busy(+1)
        try:
            yield env.timeout(work_days / self.reactive_fraction)
        finally:  # also when the buyer gives up mid-work: the time was spent all the same
            self._count_busy(-1)
            self._hand_on()

    def _queue_for_a_marketer(self) -> ProcessGenerator:
        turn = self.env.event()
        self.waiting.append(turn)
        try:
            yield turn
        except simpy.Interrupt:  # the buyer gave up waiting
            if turn.triggered:  # a marketer came free at that very moment: pass them on
                self._hand_on()
            else:
                self.waiting.remove(turn)
            raise

    def _hand_on(self) -> None:
        """A marketer is done: the oldest waiting request gets them, or they are free."""
        if self.waiting:
            self.waiting.popleft().succeed()
        else:
            self.free += 1

    def _count_busy(self, change: int) -> None:
        now = self.env.now
        self.busy_area += self.busy * (now - self.busy_since)
        self.busy_since = now
        self.busy += change

    def start_window(self, _event: simpy.Event | None = None) -> None:
        """The warm-up is over: time use counts from now."""
        self._count_busy(0)
        self.busy_area = 0.0

    def time_use(self, window_days: float) -> dict[str, float]:
        """Utilisation of the team over the window, and its share of work on one-off support."""
        self._count_busy(0)
        params = self.params
        proactive = (
            params.staff
            * params.proactive_share
            * sum(getattr(params, t) for t in TACTICS)
            * window_days
        )
        reactive = self.busy_area * self.reactive_fraction
        worked = proactive + reactive
        return {
            "marketing_utilisation": worked / (params.staff * window_days),
            "reactive_share": reactive / worked if worked > 0 else math.nan,
        }
