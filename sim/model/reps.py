"""Sales reps: a limited pool, each with a skill, a ramp-up, a cap on deals and a drought limit."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import ProcessGenerator

from ..scenario.schema import Reps
from ..vocabulary import Owner
from .events import Actor
from .sellers import Slots

DROUGHT_TOLERANCE = 1e-9  # days: a timer's rounding must not postpone a departure


class Rep:
    """One sales rep. Productivity = skill x ramp, where ramp rises linearly to 1."""

    actor, owner = Actor.REP, Owner.REP

    __slots__ = (
        "index",
        "skill",
        "hired_day",
        "ramp_days",
        "ramp_start",
        "active_deals",
        "slots",
        "employed",
        "last_win_day",
        "hours_per_deal_day",
        "drought_days",
    )

    def __init__(self, index: int, skill: float, hired_day: float, params: Reps, slots: Slots):
        self.index = index
        self.skill = skill
        self.hired_day = hired_day
        self.ramp_days = params.ramp_days
        self.ramp_start = params.ramp_start_productivity
        self.active_deals = 0
        self.slots = slots
        self.employed = True
        self.last_win_day = max(hired_day, 0.0)  # droughts count from day 0 at the earliest
        self.hours_per_deal_day = params.hours_per_day / params.max_active_deals
        self.drought_days = params.drought_days

    @property
    def seat(self) -> int:
        return self.index

    def stays_until(self) -> float:
        """A drought ends the rep's time: no sooner than `drought_days` after the last win."""
        return self.last_win_day + self.drought_days - DROUGHT_TOLERANCE

    def productivity(self, day: float) -> float:
        """Skill times ramp-up: a new hire starts at ramp_start and reaches 1 after ramp_days."""
        tenure = day - self.hired_day
        if tenure >= self.ramp_days:
            return self.skill
        return self.skill * (self.ramp_start + (1.0 - self.ramp_start) * tenure / self.ramp_days)


class RepPool(Slots):
    """The reps: hired, ramping up, and leaving after a long drought without a win."""

    def __init__(
        self,
        env: simpy.Environment,
        params: Reps,
        rng: np.random.Generator,
        rep_left: Callable[[Rep], None],
    ):
        super().__init__(env, params.cold_after_days)
        self.params = params
        self.rng = rng
        self.rep_left = rep_left  # the world hands the departing rep's deals on or loses them
        self.reps: list[Rep] = []
        self.hires = 0
        self.departure_days: list[float] = []
        skills = np.exp(params.skill_sigma * rng.standard_normal(params.count))
        for skill in skills:
            self._add(float(skill), -params.initial_tenure_days)
        for _ in range(
            params.max_active_deals
        ):  # interleaved: the first deals spread over all reps
            for rep in self.reps:
                self.offer(rep)

    @property
    def departures(self) -> int:
        return len(self.departure_days)

    def _add(self, skill: float, hired_day: float) -> Rep:
        rep = Rep(len(self.reps), skill, hired_day, self.params, self)
        self.reps.append(rep)
        if math.isfinite(self.params.drought_days):
            self.env.process(self.watch_drought(rep))
        return rep

    def watch_drought(self, rep: Rep) -> ProcessGenerator:
        """The rep leaves once `drought_days` pass without a win."""
        drought = self.params.drought_days
        while True:
            yield self.env.timeout(max(rep.last_win_day + drought - self.env.now, 0.0))
            if self.env.now >= rep.last_win_day + drought - DROUGHT_TOLERANCE:
                return self.depart(rep)

    def depart(self, rep: Rep) -> None:
        rep.employed = False  # its free slots are skipped from now on
        self.departure_days.append(self.env.now)
        self.rep_left(rep)
        if math.isfinite(self.params.hire_delay_days):
            self.env.process(self.hire_replacement())

    def hire_replacement(self) -> ProcessGenerator:
        """After the hiring delay a new rep starts, ramping up from scratch."""
        yield self.env.timeout(self.params.hire_delay_days)
        skill = float(np.exp(self.params.skill_sigma * self.rng.standard_normal()))
        rep = self._add(skill, self.env.now)
        self.hires += 1
        self.offer(rep, self.params.max_active_deals)
