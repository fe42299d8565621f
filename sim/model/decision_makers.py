"""Decision makers: they buy from us, from a competitor, or nothing at all."""

from __future__ import annotations

from ..vocabulary import Choice
from .events import Actor, EventKind
from .meeting import Meeting
from .room import Room


class DecisionMaker:
    """Weighs our offer against the competition and the status quo; remembers its choice."""

    actor = Actor.DECISION_MAKER
    __slots__ = ("seat", "choice")

    def __init__(self, seat: int):
        self.seat = seat
        self.choice: Choice | None = None

    def choose(self, deal: Meeting, room: Room) -> Choice:
        """Pick US, COMPETITOR or NOTHING with probability proportional to each one's appeal."""
        competition, marketing = room.competition, room.marketing
        ours = deal.productivity(room.env.now) * marketing.appeal_boost()
        theirs = (
            competition.competitors * competition.competitor_weight * marketing.competitor_damping()
        )
        if deal.incumbent:
            theirs += competition.incumbent_weight
        weights = (ours, theirs, room.rules.status_quo_weight)
        self.choice = Choice.from_code(deal.decision_dice.choice(weights))
        deal.note(self, EventKind.CHOOSES, choice=self.choice)
        return self.choice

    def go_along(self, deal: Meeting, room: Room, proposal: Choice) -> bool:
        """Back the lead decision maker's proposal, or block it (then nothing is bought)."""
        agrees = deal.decision_dice.uniform() < room.rules.consensus_probability
        self.choice = proposal if agrees else Choice.NOTHING
        deal.note(self, EventKind.GOES_ALONG if agrees else EventKind.BLOCKS)
        return agrees
