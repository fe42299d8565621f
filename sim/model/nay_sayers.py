"""Nay-sayers: the committee member whose job is to say no (seed 003)."""

from __future__ import annotations

from .events import Actor, EventKind
from .meeting import Meeting
from .room import Room
from .streams import Dice
from .stretches import Journey


class NaySayer:
    """Weighs the value proposition; objects or vetoes in proportion to its scepticism (0 to 1).

    A nay-sayer who approved still has a voice in the final decision: its remaining
    doubt, damped by value-proposition collateral, is the chance it votes against buying.
    """

    actor = Actor.NAY_SAYER
    __slots__ = ("seat", "scepticism", "vote_draw", "objections")

    def __init__(self, seat: int, scepticism: float, vote_draw: float):
        self.seat = seat
        self.scepticism = scepticism
        self.vote_draw = vote_draw  # the member's own uniform draw for its vote
        self.objections = 0

    def stance(self, room: Room, day: float) -> float:
        """Chance of voting for buying, before the committee sways it."""
        return 1.0 - self.scepticism * room.marketing.doubt_damping(day)

    def recall(self, dice: Dice, room: Room, day: float) -> None:
        """The objections an open deal of a pipeline handled before the run, each relieving
        some scepticism; no time (it is past), until approval. The nay-sayer approved: a
        round is drawn given that it did not veto."""
        rules = room.rules
        while True:
            doubt = self.scepticism * room.marketing.doubt_damping(day)
            spared = 1.0 - rules.veto_probability * doubt
            objects = rules.objection_probability * doubt
            if objects >= spared or dice.uniform() * spared >= objects:
                return
            self.scepticism *= 1.0 - rules.objection_relief

    def review(self, deal: Meeting, room: Room) -> Journey:
        """Review rounds until approval (returns True) or veto (returns False).

        Each objection costs the rep time to handle and lowers the scepticism;
        value-proposition collateral damps both objections and vetoes.
        """
        dice, rules = deal.dice, room.rules
        while True:
            yield dice.exponential(rules.nay_sayer_review_days)
            doubt = self.scepticism * room.marketing.doubt_damping(deal.now)
            draw = dice.uniform()
            if draw < rules.veto_probability * doubt:
                if deal.logging:
                    deal.note(self, EventKind.VETOES)
                return False
            if draw >= (rules.veto_probability + rules.objection_probability) * doubt:
                if deal.logging:
                    deal.note(self, EventKind.APPROVES)
                return True
            self.objections += 1
            deal.objections += 1
            if deal.logging:
                deal.note(self, EventKind.OBJECTS)
            yield dice.exponential(rules.objection_days)
            self.scepticism *= 1.0 - rules.objection_relief
