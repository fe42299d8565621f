"""The buying committee: stallers, then nay-sayers, then decision makers, then a vote.

Stallers gate access and nay-sayers review (seed 003); when the decision makers come
to decide, every member has a say. Members' stances (the chance each votes for
buying) are what the seller's meetings and marketing's tools made of them, pulled
toward the committee's average as they deliberate. The decision maker with the final
go-ahead either prefers the status quo, or needs a strict majority of all members
behind buying: a tie or a minority is a failure to align (no consensus). With two
members any disagreement is a tie; with three a majority always exists: hence the
bump in purchase likelihood at three that CEB (2015) found.
"""

from __future__ import annotations

from collections import deque
from enum import IntEnum

import numpy as np
from scipy.special import betaincinv

from ..scenario.schema import Committee as CommitteeParams
from ..vocabulary import Choice, Stage
from .decision_makers import DecisionMaker
from .events import EventKind
from .meeting import Meeting
from .nay_sayers import NaySayer
from .room import Room
from .stallers import Staller
from .streams import CHUNK, Streams
from .stretches import Journey


class Trait(IntEnum):
    """Committee members' traits, each drawn from its own generator (part of its key)."""

    STYLE_AND_RESEARCH = 0  # uniforms: a staller's stalling style; whether the buyer cleared it
    ENGAGEMENT = 1
    SCEPTICISM = 2
    STALLER_VOTE = 3  # uniforms: each member's draw for its vote in the final decision
    NAY_SAYER_VOTE = 4


def _beta(
    rng: np.random.Generator,
    mean: float,
    concentration: float,
    shape: tuple[int, int],
    needed: np.ndarray | None,
) -> np.ndarray:
    """Draws with the given mean; a mean of exactly 0 or 1 leaves no room to vary.

    By inversion of uniforms, so a member keeps its rank when the mean or the
    concentration changes: two scenarios that differ in them pair smoothly (common
    random numbers), and a calibration's objective moves with the parameters, not noise.
    Inverted only in the `needed` columns (deals), the costly part: the others are NaN.
    """
    uniforms = rng.random(shape)
    a, b = mean * concentration, (1.0 - mean) * concentration
    if a <= 0.0 or b <= 0.0:  # also a mean so near 0 or 1 that a or b underflows to 0
        return np.full(shape, mean)
    if needed is None:
        return betaincinv(a, b, uniforms)
    draws = np.full(shape, np.nan)
    draws[:, needed] = betaincinv(a, b, uniforms[:, needed])
    return draws


class CommitteeDraws:
    """The committee members of a chunk of deals, drawn by seat; kept as lists by deal.

    A few numpy calls per chunk are far cheaper than small draws per deal. Each trait
    has its own generator and seats fill rows in order, so a deal's member in seat s
    depends only on the deal and the seat: committees match across scenarios that
    share a seed (common random numbers), and one more staller adds a member without
    redrawing the others.

    `needed` (a mask of the chunk's deals, or None for all) names the deals whose
    members' engagement and scepticism will be read: a lead that never arrives, or is
    disqualified before it meets its committee, leaves them NaN (inverting the Beta is
    most of the cost).
    """

    __slots__ = (
        "chunk",
        "styles",
        "engagement",
        "scepticism",
        "researched",
        "staller_votes",
        "nay_sayer_votes",
    )

    def __init__(
        self,
        params: CommitteeParams,
        streams: Streams,
        chunk: int,
        needed: np.ndarray | None = None,
    ):
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
            needed,
        )
        scepticism = _beta(
            streams.seat_generator(chunk, Trait.SCEPTICISM),
            params.nay_sayer_scepticism_mean,
            params.member_concentration,
            (params.nay_sayers, CHUNK),
            needed,
        )
        # Buyers who researched on the web have cleared some stallers before a seller arrives;
        # drawn for every staller so that committees match across scenarios.
        researched = uniforms[:, 1]
        staller_votes = streams.seat_generator(chunk, Trait.STALLER_VOTE).random(stallers)
        nay_sayer_votes = streams.seat_generator(chunk, Trait.NAY_SAYER_VOTE).random(
            (params.nay_sayers, CHUNK)
        )
        # Seat by seat, as plain lists (a deal reads its member in seat s at [s][column]):
        # a list per seat, not per deal, spares the cycle collector hundreds of lists.
        self.styles: list[list[int]] = styles.tolist()
        self.engagement: list[list[float]] = engagement.tolist()
        self.researched: list[list[float]] = researched.tolist()
        self.scepticism: list[list[float]] = scepticism.tolist()
        self.staller_votes: list[list[float]] = staller_votes.tolist()
        self.nay_sayer_votes: list[list[float]] = nay_sayer_votes.tolist()


class Committee:
    """The people on the buying side of one deal, each with their own state."""

    __slots__ = ("stallers", "cleared", "nay_sayers", "decision_makers", "size")

    def __init__(
        self,
        params: CommitteeParams,
        draws: CommitteeDraws,
        deal_id: int,
        preclear_probability: float = 0.0,
    ):
        column = deal_id - draws.chunk * CHUNK
        styles, engagement, votes = draws.styles, draws.engagement, draws.staller_votes
        self.stallers: list[Staller] = []
        self.cleared: list[Staller] = []
        for seat in range(params.stallers):
            staller = Staller(
                seat, styles[seat][column], engagement[seat][column], votes[seat][column]
            )
            if draws.researched[seat][column] >= preclear_probability:
                self.stallers.append(staller)
            else:
                # Cleared by a buyer who researched on the web: no meetings, still a voice,
                # won over as much as by one stall the seller got through (the web answered it).
                staller.win_over(params.staller_engagement_gain)
                self.cleared.append(staller)
        scepticism, nay_votes = draws.scepticism, draws.nay_sayer_votes
        self.nay_sayers = [
            NaySayer(seat, scepticism[seat][column], nay_votes[seat][column])
            for seat in range(params.nay_sayers)
        ]
        self.decision_makers = [DecisionMaker(seat) for seat in range(params.decision_makers)]
        self.size = params.stallers + params.nay_sayers + params.decision_makers  # all members

    @property
    def precleared(self) -> int:
        return len(self.cleared)

    def recall(self, deal: Meeting, room: Room, joins: Stage) -> None:
        """An open deal of a pipeline joining at `joins` got past the members before it:
        what its meetings made of them, replayed with the deal's dice (docs/model.md)."""
        if joins > Stage.STALLERS:
            for staller in self.stallers:
                staller.recall(deal.dice, room.rules)
        if joins > Stage.NAY_SAYERS:
            for nay_sayer in self.nay_sayers:
                nay_sayer.recall(deal.dice, room, deal.now)

    def get_past_stallers(self, deal: Meeting, room: Room) -> Journey:
        """The rep works through the stallers in turn; one that hands off is met again later."""
        line = deque(self.stallers)
        while line:
            staller = line.popleft()
            let_through = yield from staller.stall(deal, room)
            if not let_through:
                line.append(staller)

    def win_over_nay_sayers(self, deal: Meeting, room: Room) -> Journey:
        """Every nay-sayer reviews in turn; returns False at the first veto."""
        for nay_sayer in self.nay_sayers:
            approved = yield from nay_sayer.review(deal, room)
            if not approved:
                return False
        return True

    def decide(self, deal: Meeting, room: Room) -> Journey:
        """The committee deliberates, then the decision makers choose and the members vote.

        Every member beyond the first adds alignment time. Returns the committee's
        choice: NOTHING when the lead decision maker prefers the status quo, None when
        the committee fails to align (another decision maker declines, or buying lacks
        a strict majority of all members), else the lead decision maker's vendor.
        """
        rules = room.rules
        deliberation = rules.decision_days + rules.alignment_days * (self.size - 1)
        yield deal.dice.exponential(deliberation)
        lead, *others = self.decision_makers
        proposal = lead.choose(deal, room)
        if proposal == Choice.NOTHING:
            return Choice.NOTHING
        if any(other.choose(deal, room) == Choice.NOTHING for other in others):
            return None
        backers = len(self.decision_makers) + self.count_votes(deal, room)
        return proposal if 2 * backers > self.size else None

    def count_votes(self, deal: Meeting, room: Room) -> int:
        """Votes for buying among stallers and nay-sayers, after they sway one another."""
        voices: list[Staller | NaySayer] = [*self.stallers, *self.cleared, *self.nay_sayers]
        if not voices:
            return 0
        stances = [member.stance(room, deal.now) for member in voices]
        average = sum(stances) / len(stances)
        pull = room.rules.peer_influence
        count = 0
        for member, stance in zip(voices, stances, strict=True):
            swayed = stance + pull * (average - stance)
            for_buying = member.vote_draw < swayed
            count += for_buying
            if deal.logging:
                deal.note(member, EventKind.VOTES, for_buying=for_buying, stance=swayed)
        return count
