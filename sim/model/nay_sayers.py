"""Nay-sayers: the committee member whose job is to say no (seed 003)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from .deal import Deal


class NaySayer:
    """Weighs the value proposition; objects or vetoes in proportion to its scepticism (0 to 1)."""

    __slots__ = ("seat", "scepticism", "objections")

    def __init__(self, seat: int, scepticism: float):
        self.seat = seat
        self.scepticism = scepticism
        self.objections = 0

    @property
    def name(self) -> str:
        return f"nay-sayer {self.seat + 1}"

    def review(self, deal: Deal) -> Iterator[simpy.Event]:
        """Review rounds until approval (returns True) or veto (returns False).

        Each objection costs the rep time to handle and lowers the scepticism;
        value-proposition collateral damps both objections and vetoes.
        """
        world = deal.world
        env, dice, rules = world.env, world.streams.behaviour, world.scenario.committee
        while True:
            yield env.timeout(dice.exponential(rules.nay_sayer_review_days))
            doubt = self.scepticism * world.marketing.doubt_damping()
            draw = dice.uniform()
            if draw < rules.veto_probability * doubt:
                deal.note(self, "vetoes the deal")
                return False
            if draw >= (rules.veto_probability + rules.objection_probability) * doubt:
                deal.note(self, "approves")
                return True
            self.objections += 1
            deal.objections += 1
            deal.note(self, "raises an objection")
            yield env.timeout(dice.exponential(rules.objection_days))
            self.scepticism *= 1.0 - rules.objection_relief
