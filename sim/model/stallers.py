"""Stallers: committee members who keep vendors away from the decision maker (seed 003)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from .deal import Deal

# How a staller stalls: each staller has one style of its own.
RESCHEDULES, REQUESTS_INFORMATION, HANDS_OFF = 0, 1, 2
STYLES = ("reschedules", "requests information", "hands off")


class Staller:
    """A gatekeeper, evaluator or influencer with an engagement level (0 to 1) and a style."""

    __slots__ = ("seat", "style", "engagement", "stalls")

    def __init__(self, seat: int, style: int, engagement: float):
        self.seat = seat
        self.style = style
        self.engagement = engagement
        self.stalls = 0

    @property
    def name(self) -> str:
        return f"staller {self.seat + 1}"

    def stall(self, deal: Deal) -> Iterator[simpy.Event]:
        """Meet the seller until satisfied.

        Returns True when the staller lets the seller through, False when it hands the
        seller off to a colleague (the seller has to come back to this staller later).
        """
        world = deal.world
        env, dice, rules = world.env, world.streams.behaviour, world.scenario.committee
        meeting_days, stall_probability = (
            rules.staller_meeting_days,
            rules.staller_stall_probability,
        )
        while True:
            yield env.timeout(dice.exponential(meeting_days / deal.productivity(env.now)))
            if dice.uniform() >= stall_probability * (1.0 - self.engagement):
                deal.note(self, "lets the seller through")
                return True
            self.stalls += 1
            deal.stalls += 1
            if self.style == RESCHEDULES:
                deal.note(self, "reschedules the meeting")
                yield env.timeout(dice.exponential(rules.reschedule_days))
            elif self.style == REQUESTS_INFORMATION:
                yield from world.marketing.answer(deal, self)
            else:
                deal.note(self, "hands the seller off to a colleague")
                yield env.timeout(dice.exponential(rules.handoff_days))
            # Each stall the seller gets through builds some engagement.
            self.engagement += rules.staller_engagement_gain * (1.0 - self.engagement)
            if (
                deal.partner is not None
                and deal.rep is None
                and deal.stalls >= world.scenario.channel.rescue_after_stalls
            ):
                deal.call_for_rescue()
            if self.style == HANDS_OFF:
                return False
