"""The buying committee: stallers, then nay-sayers, then decision makers."""

from __future__ import annotations

from collections import deque
from enum import IntEnum

import numpy as np
from simpy.events import ProcessGenerator

from ..scenario.schema import Committee as CommitteeParams
from ..vocabulary import Choice
from .decision_makers import DecisionMaker
from .meeting import Meeting
from .nay_sayers import NaySayer
from .room import Room
from .stallers import Staller
from .streams import CHUNK, Streams


class Trait(IntEnum):
    """Committee members' traits, each drawn from its own generator (part of its key)."""

    STYLE_AND_RESEARCH = 0  # uniforms: a staller's stalling style; whether the buyer cleared it
    ENGAGEMENT = 1
    SCEPTICISM = 2


def _beta(
    rng: np.random.Generator, mean: float, concentration: float, shape: tuple[int, int]
) -> np.ndarray:
    """Draws with the given mean; a mean of exactly 0 or 1 leaves no room to vary."""
    a, b = mean * concentration, (1.0 - mean) * concentration
    if a <= 0.0 or b <= 0.0:  # also a mean so near 0 or 1 that a or b underflows to 0
        return np.full(shape, mean)
    return rng.beta(a, b, shape)


class CommitteeDraws:
    """The committee members of a chunk of deals, drawn by seat; kept as lists by deal.

    A few numpy calls per chunk are far cheaper than small draws per deal. Each trait
    has its own generator and seats fill rows in order, so a deal's member in seat s
    depends only on the deal and the seat: committees match across scenarios that
    share a seed (common random numbers), and one more staller adds a member without
    redrawing the others.
    """

    __slots__ = ("chunk", "styles", "engagement", "scepticism", "researched")

    def __init__(self, params: CommitteeParams, streams: Streams, chunk: int):
        self.chunk = chunk
        stallers = (params.stallers, CHUNK)
        weights = np.array(  # in StallStyle order
            [params.reschedule_weight, params.request_weight, params.handoff_weight]
        )
        cumulative = np.cumsum(weights / weights.sum())
        uniforms = streams.seat_generator(chunk, Trait.STYLE_AND_RESEARCH).random(
            (params.stallers, 2, CHUNK)
        )
        style_draws = uniforms[:, 0]
        last = int(np.flatnonzero(weights)[-1])  # rounding never picks a style of weight 0
        styles = np.minimum(np.searchsorted(cumulative, style_draws, side="right"), last)
        engagement = _beta(
            streams.seat_generator(chunk, Trait.ENGAGEMENT),
            params.staller_engagement_mean,
            params.member_concentration,
            stallers,
        )
        scepticism = _beta(
            streams.seat_generator(chunk, Trait.SCEPTICISM),
            params.nay_sayer_scepticism_mean,
            params.member_concentration,
            (params.nay_sayers, CHUNK),
        )
        # Buyers who researched on the web have cleared some stallers before a seller arrives;
        # drawn for every staller so that committees match across scenarios.
        researched = uniforms[:, 1]
        # Deal by deal, as plain lists: a deal reads its members with one index each.
        self.styles: list[list[int]] = styles.T.tolist()
        self.engagement: list[list[float]] = engagement.T.tolist()
        self.researched: list[list[float]] = researched.T.tolist()
        self.scepticism: list[list[float]] = scepticism.T.tolist()


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
        column = deal_id - draws.chunk * CHUNK
        styles, engagement = draws.styles[column], draws.engagement[column]
        researched = draws.researched[column]
        self.stallers = [
            Staller(seat, styles[seat], engagement[seat])
            for seat in range(params.stallers)
            if researched[seat] >= preclear_probability
        ]
        self.precleared = params.stallers - len(self.stallers)
        self.nay_sayers = [NaySayer(seat, s) for seat, s in enumerate(draws.scepticism[column])]
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
        """The decision makers deliberate; the first proposes, the others must all go along.

        Returns the committee's choice, or None when a decision maker blocks the proposal
        (no consensus: nothing is bought).
        """
        yield room.env.timeout(deal.dice.exponential(room.rules.decision_days))
        lead, *others = self.decision_makers
        proposal = lead.choose(deal, room)
        if proposal == Choice.NOTHING:
            return Choice.NOTHING
        for other in others:
            if not other.go_along(deal, room, proposal):
                return None
        return proposal
