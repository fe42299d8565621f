"""Sales reps: a limited pool, each rep with a skill, a ramp-up and a cap on active deals."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import simpy

from .scenario import Reps


class Rep:
    """One sales rep. Productivity = skill x ramp, where ramp rises linearly to 1."""

    __slots__ = ("index", "skill", "hired_day", "ramp_days", "ramp_start", "active_deals")

    def __init__(self, index: int, skill: float, hired_day: float, ramp_days: float, ramp_start: float):
        self.index = index
        self.skill = skill
        self.hired_day = hired_day
        self.ramp_days = ramp_days
        self.ramp_start = ramp_start
        self.active_deals = 0

    @property
    def name(self) -> str:
        return f"rep {self.index + 1}"

    def productivity(self, day: float) -> float:
        """Skill times ramp-up: a new hire starts at ramp_start and reaches 1 after ramp_days."""
        tenure = day - self.hired_day
        if tenure >= self.ramp_days:
            return self.skill
        return self.skill * (self.ramp_start + (1.0 - self.ramp_start) * tenure / self.ramp_days)


class RepPool:
    """Free deal slots: each rep offers max_active_deals slots; leads queue first come, first served."""

    def __init__(self, env: simpy.Environment, params: Reps, rng: np.random.Generator):
        self.env = env
        self.cold_after_days = params.cold_after_days
        skills = np.exp(params.skill_sigma * rng.standard_normal(params.count))
        self.reps = [
            Rep(i, float(skill), -params.initial_tenure_days, params.ramp_days, params.ramp_start_productivity)
            for i, skill in enumerate(skills)
        ]
        self.slots = simpy.Store(env)
        # Interleaved so that the first deals spread over all reps.
        self.slots.items = [rep for _ in range(params.max_active_deals) for rep in self.reps]

    def take(self) -> Iterator[simpy.Event]:
        """Wait for a free rep; return the rep, or None if the lead went cold waiting."""
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
        rep = request.value
        rep.active_deals += 1
        return rep

    def release(self, rep: Rep) -> None:
        rep.active_deals -= 1
        self.slots.put(rep)

    def _withdraw(self, request: simpy.resources.store.StoreGet) -> None:
        if request.triggered:  # granted at the very moment we gave up: hand the slot back
            self.slots.put(request.value)
        else:
            request.cancel()
