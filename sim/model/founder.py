"""The founder who sells: a strong closer with few hours, pulled into partner rescues (seed 000)."""

from __future__ import annotations

import math

import simpy

from ..scenario.schema import Founder as FounderParams
from ..vocabulary import Owner
from .calendar import Leave
from .events import Actor
from .sellers import Slots


class Founder:
    """The founder as a direct seller. With `max_active_deals` = 0 the founder does not sell."""

    __slots__ = (
        "skill",
        "active_deals",
        "overbooked",
        "slots",
        "employed",
        "last_win_day",
        "hours_per_deal_day",
        "leave",
    )
    index = -1  # not one of the reps
    seat = 0
    actor, owner = Actor.FOUNDER, Owner.FOUNDER

    def __init__(self, env: simpy.Environment, params: FounderParams, leave: Leave):
        self.skill = params.skill
        self.leave = leave  # vacations and public holidays
        self.active_deals = 0
        self.overbooked = 0  # deals of a pipeline beyond max_active_deals (`Slots.claim`)
        self.employed = True
        self.last_win_day = 0.0
        self.hours_per_deal_day = params.hours_per_day / max(params.max_active_deals, 1)
        self.slots = Slots(env, cold_after_days=0.0)
        self.slots.offer(self, params.max_active_deals)

    def productivity(self, day: float) -> float:
        return self.skill

    def stays_until(self) -> float:
        return math.inf
