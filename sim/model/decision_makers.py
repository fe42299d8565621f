"""Decision makers: they buy from us, from a competitor, or nothing at all."""

from __future__ import annotations

from ..vocabulary import Choice
from .events import Actor, EventKind
from .meeting import Meeting
from .room import Room


class DecisionMaker:
    """Weighs our offer against the competition and the status quo; remembers its choice.

    The decision maker has the final go-ahead (seed 003): one who prefers the status quo
    ends the decision; one who wants to buy still needs the committee behind it.
    """

    actor = Actor.DECISION_MAKER
    __slots__ = ("seat", "choice")

    def __init__(self, seat: int):
        self.seat = seat
        self.choice: Choice | None = None

    def choose(self, deal: Meeting, room: Room) -> Choice:
        """Pick US, COMPETITOR or NOTHING with probability proportional to each one's appeal."""
        competition, marketing = room.competition, room.marketing
        ours = deal.productivity(deal.now) * marketing.appeal_boost(deal.now) * deal.product_appeal
        theirs = (
            competition.competitors
            * competition.competitor_weight
            * marketing.competitor_damping(deal.now)
        )
        if deal.incumbent:
            theirs += competition.incumbent_weight
        weights = (ours, theirs, room.rules.status_quo_weight)
        self.choice = Choice.from_code(deal.decision_dice.choice(weights))
        if deal.logging:
            deal.note(self, EventKind.CHOOSES, choice=self.choice)
        return self.choice
