"""The buying committee: stallers, then nay-sayers, then decision makers."""

from __future__ import annotations

from collections import deque

import numpy as np
from simpy.events import ProcessGenerator

from ..scenario.schema import Committee as CommitteeParams
from ..vocabulary import Choice, StallStyle
from .decision_makers import DecisionMaker
from .meeting import Meeting
from .nay_sayers import NaySayer
from .room import Room
from .stallers import Staller


def _beta(
    rng: np.random.Generator, mean: float, concentration: float, shape: tuple[int, int]
) -> np.ndarray:
    """Draws with the given mean; a mean of exactly 0 or 1 leaves no room to vary."""
    a, b = mean * concentration, (1.0 - mean) * concentration
    if a <= 0.0 or b <= 0.0:  # also a mean so near 0 or 1 that a or b underflows to 0
        return np.full(shape, mean)
    return rng.beta(a, b, shape)


class CommitteeDraws:
    """The committee members of every candidate lead, drawn up front (row = deal id).

    One draw per replication is far cheaper than several small draws per deal, and
    a deal's committee then depends on its id alone, so committees match across
    scenarios that share a seed (common random numbers).
    """

    __slots__ = ("styles", "engagement", "scepticism", "researched")

    def __init__(self, params: CommitteeParams, rng: np.random.Generator, leads: int):
        stallers = (leads, params.stallers)
        weights = np.array(  # in StallStyle order
            [params.reschedule_weight, params.request_weight, params.handoff_weight]
        )
        self.styles = rng.choice(len(StallStyle), size=stallers, p=weights / weights.sum())
        self.engagement = _beta(
            rng, params.staller_engagement_mean, params.member_concentration, stallers
        )
        self.scepticism = _beta(
            rng,
            params.nay_sayer_scepticism_mean,
            params.member_concentration,
            (leads, params.nay_sayers),
        )
        # Buyers who researched on the web have cleared some stallers before a seller arrives;
        # drawn for every staller so that committees match across scenarios.
        self.researched = rng.random(stallers)


class Committee:
    """The people on the buying side of one deal, each with their own state."""

    __slots__ = ("stallers", "nay_sayers", "decision_makers", "precleared")

    def __init__(
        self,
        params: CommitteeParams,
        draws: CommitteeDraws,
        deal_id: int,
        preclear_probability: float = 0.0,
    ):
        styles, engagement = draws.styles[deal_id].tolist(), draws.engagement[deal_id].tolist()
        researched = draws.researched[deal_id].tolist()
        self.stallers = [
            Staller(seat, styles[seat], engagement[seat])
            for seat in range(params.stallers)
            if researched[seat] >= preclear_probability
        ]
        self.precleared = params.stallers - len(self.stallers)
        self.nay_sayers = [
            NaySayer(seat, s) for seat, s in enumerate(draws.scepticism[deal_id].tolist())
        ]
        self.decision_makers = [DecisionMaker(seat) for seat in range(params.decision_makers)]

    @property
    def size(self) -> int:
        return (
            len(self.stallers) + self.precleared + len(self.nay_sayers) + len(self.decision_makers)
        )

    def get_past_stallers(self, deal: Meeting, room: Room) -> ProcessGenerator:
        """The rep works through the stallers in turn; one that hands off is met again later."""
        line = deque(self.stallers)
        while line:
            staller = line.popleft()
            let_through = yield from staller.stall(deal, room)
            if not let_through:
                line.append(staller)

    def win_over_nay_sayers(self, deal: Meeting, room: Room) -> ProcessGenerator:
        """Every nay-sayer reviews in turn; returns False at the first veto."""
        for nay_sayer in self.nay_sayers:
            approved = yield from nay_sayer.review(deal, room)
            if not approved:
                return False
        return True

    def decide(self, deal: Meeting, room: Room) -> ProcessGenerator:
        """The decision makers deliberate; the first proposes, the others must all go along."""
        yield room.env.timeout(room.dice.exponential(room.rules.decision_days))
        lead, *others = self.decision_makers
        proposal = lead.choose(deal, room)
        if proposal == Choice.NOTHING:
            return Choice.NOTHING
        for other in others:
            if not other.go_along(deal, room, proposal):
                return Choice.NOTHING
        return proposal
