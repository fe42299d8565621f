"""Stallers: committee members who keep vendors away from the decision maker (seed 003)."""

from __future__ import annotations

from ..scenario.schema import Committee as CommitteeRules
from ..vocabulary import StallStyle
from .events import Actor, EventKind
from .meeting import Meeting
from .room import Room
from .streams import Dice
from .stretches import Journey


class Staller:
    """A gatekeeper, evaluator or influencer with an engagement level (0 to 1) and a style.

    Engagement is also the staller's stance in the final decision: the chance it votes
    for buying. A staller the seller has won over is a champion; one left unconvinced
    is a voice against.
    """

    actor = Actor.STALLER
    __slots__ = ("seat", "style", "engagement", "vote_draw", "stalls")

    def __init__(self, seat: int, style: int, engagement: float, vote_draw: float):
        self.seat = seat
        self.style = style  # a StallStyle code
        self.engagement = engagement
        self.vote_draw = vote_draw  # the member's own uniform draw for its vote
        self.stalls = 0

    def stance(self, _room: Room, _day: float) -> float:
        """Chance of voting for buying, before the committee sways it."""
        return self.engagement

    def win_over(self, gain: float) -> None:
        """Engagement grows by `gain` of what is left to win: an answered stall, or the web."""
        self.engagement += gain * (1.0 - self.engagement)

    def recall(self, dice: Dice, rules: CommitteeRules) -> None:
        """The stalls an open deal of a pipeline got through before the run, each winning
        the staller over as a stall does; no time (it is past), until it let the seller by."""
        while True:
            chance = rules.staller_stall_probability * (1.0 - self.engagement)
            if chance >= 1.0 or dice.uniform() >= chance:
                return
            self.win_over(rules.staller_engagement_gain)

    def stall(self, deal: Meeting, room: Room) -> Journey:
        """Meet the seller until satisfied.

        Returns True when the staller lets the seller through, False when it hands the
        seller off to a colleague (the seller has to come back to this staller later).
        """
        dice, rules = deal.dice, room.rules
        meeting_days, stall_probability = (
            rules.staller_meeting_days,
            rules.staller_stall_probability,
        )
        while True:
            yield deal.sellers_days(dice.exponential(meeting_days / deal.productivity(deal.now)))
            if dice.uniform() >= stall_probability * (1.0 - self.engagement):
                if deal.logging:
                    deal.note(self, EventKind.LETS_THROUGH)
                return True
            self.stalls += 1
            deal.stalls += 1
            if self.style == StallStyle.RESCHEDULES:
                if deal.logging:
                    deal.note(self, EventKind.RESCHEDULES)
                yield dice.exponential(rules.reschedule_days)
            elif self.style == StallStyle.REQUESTS_INFORMATION:
                yield from room.marketing.answer(deal, self)
            else:
                if deal.logging:
                    deal.note(self, EventKind.HANDS_OFF)
                yield dice.exponential(rules.handoff_days)
            self.win_over(rules.staller_engagement_gain)  # each stall got through
            deal.after_stall()
            if self.style == StallStyle.HANDS_OFF:
                return False
