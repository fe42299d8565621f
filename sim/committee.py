"""The buying committee: stallers, then nay-sayers, then decision makers."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Iterator

import numpy as np
import simpy

from .decision_makers import NOTHING, DecisionMaker
from .nay_sayers import NaySayer
from .scenario import Committee as CommitteeParams
from .stallers import Staller

if TYPE_CHECKING:
    from .deal import Deal


def _beta(rng: np.random.Generator, mean: float, concentration: float, size: int) -> list[float]:
    """Draws with the given mean; a mean of exactly 0 or 1 leaves no room to vary."""
    a, b = mean * concentration, (1.0 - mean) * concentration
    if size == 0 or a <= 0.0 or b <= 0.0:  # also a mean so near 0 or 1 that a or b underflows to 0
        return [mean] * size
    return rng.beta(a, b, size).tolist()


class Committee:
    """The people on the buying side of one deal, each with their own state."""

    __slots__ = ("stallers", "nay_sayers", "decision_makers", "precleared")

    def __init__(self, params: CommitteeParams, rng: np.random.Generator, preclear_probability: float = 0.0):
        weights = np.array([params.reschedule_weight, params.request_weight, params.handoff_weight])
        styles = rng.choice(3, size=params.stallers, p=weights / weights.sum()).tolist() if params.stallers else []
        engagement = _beta(rng, params.staller_engagement_mean, params.member_concentration, params.stallers)
        scepticism = _beta(rng, params.nay_sayer_scepticism_mean, params.member_concentration, params.nay_sayers)
        self.stallers = [Staller(i, s, e) for i, (s, e) in enumerate(zip(styles, engagement))]
        self.nay_sayers = [NaySayer(i, s) for i, s in enumerate(scepticism)]
        self.decision_makers = [DecisionMaker(i) for i in range(params.decision_makers)]
        # Buyers who researched on the web have cleared some stallers before a seller arrives;
        # drawn for every staller so that committees match across scenarios (common random numbers).
        researched = rng.random(params.stallers) < preclear_probability
        self.precleared = int(researched.sum())
        self.stallers = [staller for staller, done in zip(self.stallers, researched.tolist()) if not done]

    @property
    def size(self) -> int:
        return len(self.stallers) + self.precleared + len(self.nay_sayers) + len(self.decision_makers)

    def get_past_stallers(self, deal: Deal) -> Iterator[simpy.Event]:
        """The rep works through the stallers in turn; one that hands off is met again later."""
        line = deque(self.stallers)
        while line:
            staller = line.popleft()
            let_through = yield from staller.stall(deal)
            if not let_through:
                line.append(staller)

    def win_over_nay_sayers(self, deal: Deal) -> Iterator[simpy.Event]:
        """Every nay-sayer reviews in turn; returns False at the first veto."""
        for nay_sayer in self.nay_sayers:
            approved = yield from nay_sayer.review(deal)
            if not approved:
                return False
        return True

    def decide(self, deal: Deal) -> Iterator[simpy.Event]:
        """The decision makers deliberate; the first proposes, the others must all go along."""
        world = deal.world
        yield world.env.timeout(world.streams.behaviour.exponential(world.scenario.committee.decision_days))
        lead, *others = self.decision_makers
        proposal = lead.choose(deal)
        if proposal == NOTHING:
            return NOTHING
        for other in others:
            if not other.go_along(deal, proposal):
                return NOTHING
        return proposal
