"""Sales reps: a limited pool, each rep with a skill, a ramp-up, a cap on active deals and a drought limit."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..scenario.schema import Reps

if TYPE_CHECKING:
    from .founder import Founder

HOURS_PER_DAY = 8.0


class Desk:
    """Free deal slots of one or more direct sellers, as seller tokens in a Store.

    Leads queue for a slot first come, first served; a rep or the founder
    offers one token per deal they can work at once.
    """

    def __init__(self, env: simpy.Environment, cold_after_days: float):
        self.env = env
        self.cold_after_days = cold_after_days
        self.slots = simpy.Store(env)

    def take(self) -> Iterator[simpy.Event]:
        """Wait for a free seller; return the seller, or None if the lead went cold waiting."""
        request = self.slots.get()
        if not request.triggered:
            try:
                yield request | self.env.timeout(self.cold_after_days)
            except simpy.Interrupt:  # the buyer lost patience while waiting
                self._withdraw(request)
                raise
            if not request.triggered:
                self._withdraw(request)
                return None
        seller = request.value
        seller.active_deals += 1
        return seller

    def try_take(self) -> Rep | Founder | None:
        """A free seller right now, or None; never waits."""
        if not self.slots.items:  # free tokens exist only while nobody is waiting for one
            return None
        seller = self.slots.items.pop(0)
        seller.active_deals += 1
        return seller

    def release(self, seller: Rep | Founder) -> None:
        seller.active_deals -= 1
        if seller.employed:
            self.slots.put(seller)

    def _withdraw(self, request: simpy.resources.store.StoreGet) -> None:
        if request.triggered:  # granted at the very moment we gave up: hand the slot back
            self.slots.put(request.value)
        else:
            request.cancel()


class Rep:
    """One sales rep. Productivity = skill x ramp, where ramp rises linearly to 1."""

    role = "rep"  # the deal's owner, as recorded

    __slots__ = (
        "index",
        "skill",
        "hired_day",
        "ramp_days",
        "ramp_start",
        "active_deals",
        "desk",
        "employed",
        "last_win_day",
        "hours_per_deal_day",
    )

    def __init__(self, index: int, skill: float, hired_day: float, params: Reps, desk: Desk):
        self.index = index
        self.skill = skill
        self.hired_day = hired_day
        self.ramp_days = params.ramp_days
        self.ramp_start = params.ramp_start_productivity
        self.active_deals = 0
        self.desk = desk
        self.employed = True
        self.last_win_day = max(hired_day, 0.0)  # droughts count from day 0 at the earliest
        self.hours_per_deal_day = HOURS_PER_DAY / params.max_active_deals

    @property
    def name(self) -> str:
        return f"rep {self.index + 1}"

    def productivity(self, day: float) -> float:
        """Skill times ramp-up: a new hire starts at ramp_start and reaches 1 after ramp_days."""
        tenure = day - self.hired_day
        if tenure >= self.ramp_days:
            return self.skill
        return self.skill * (self.ramp_start + (1.0 - self.ramp_start) * tenure / self.ramp_days)


class RepPool(Desk):
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
        self.departures = self.hires = 0
        skills = np.exp(params.skill_sigma * rng.standard_normal(params.count))
        for skill in skills:
            self._add(float(skill), -params.initial_tenure_days)
        # Interleaved so that the first deals spread over all reps.
        self.slots.items = [rep for _ in range(params.max_active_deals) for rep in self.reps]

    def _add(self, skill: float, hired_day: float) -> Rep:
        rep = Rep(len(self.reps), skill, hired_day, self.params, self)
        self.reps.append(rep)
        if math.isfinite(self.params.drought_days):
            self.env.process(self.watch_drought(rep))
        return rep

    def watch_drought(self, rep: Rep) -> Iterator[simpy.Event]:
        """The rep leaves once `drought_days` pass without a win."""
        while True:
            yield self.env.timeout(
                max(rep.last_win_day + self.params.drought_days - self.env.now, 0.0)
            )
            if self.env.now >= rep.last_win_day + self.params.drought_days - 1e-9:
                return self.depart(rep)

    def depart(self, rep: Rep) -> None:
        rep.employed = False
        self.departures += 1
        self.slots.items = [token for token in self.slots.items if token is not rep]
        self.rep_left(rep)
        if math.isfinite(self.params.hire_delay_days):
            self.env.process(self.hire_replacement())

    def hire_replacement(self) -> Iterator[simpy.Event]:
        """After the hiring delay a new rep starts, ramping up from scratch."""
        yield self.env.timeout(self.params.hire_delay_days)
        skill = float(np.exp(self.params.skill_sigma * self.rng.standard_normal()))
        rep = self._add(skill, self.env.now)
        self.hires += 1
        for _ in range(self.params.max_active_deals):
            self.slots.put(rep)
