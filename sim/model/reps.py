"""Sales reps: a limited pool, each with a skill, a ramp-up, a cap on deals and a drought limit."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import ProcessGenerator

from ..scenario.schema import Reps
from ..vocabulary import DAYS_PER_YEAR, Owner
from .calendar import Leave, TimeOff
from .events import Actor
from .sellers import Slots
from .streams import INITIAL, PLANNED, REPLACEMENT, SKILL, TENURE, Streams

DROUGHT_TOLERANCE = 1e-9  # days: a timer's rounding must not postpone a departure


class Rep:
    """One sales rep. Productivity = skill x ramp, where ramp rises linearly to 1.

    A rep leaves after `drought_days` without a win, or on `quits_day`, the end of a
    tenure drawn at hire (attrition), whichever comes first.
    """

    actor, owner = Actor.REP, Owner.REP

    __slots__ = (
        "index",
        "skill",
        "hired_day",
        "left_day",
        "quits_day",
        "ramp_days",
        "ramp_start",
        "active_deals",
        "overbooked",
        "slots",
        "employed",
        "last_win_day",
        "hours_per_deal_day",
        "drought_days",
        "leave",
        "person",
    )

    def __init__(
        self,
        index: int,
        skill: float,
        hired_day: float,
        quits_day: float,
        params: Reps,
        slots: Slots,
        leave: Leave,
        person: tuple[int, int] | None = None,
    ):
        self.index = index
        self.skill = skill
        self.hired_day = hired_day
        self.left_day = math.inf  # still employed
        self.quits_day = quits_day
        self.leave = leave  # vacations and public holidays
        # How the rep joined and their number in that line: the key of their own draws.
        self.person = person or (INITIAL, index)
        self.ramp_days = params.ramp_days
        self.ramp_start = params.ramp_start_productivity
        self.active_deals = 0
        self.overbooked = 0  # deals of a pipeline beyond max_active_deals (`Slots.claim`)
        self.slots = slots
        self.employed = True
        self.last_win_day = max(hired_day, 0.0)  # droughts count from day 0 at the earliest
        self.hours_per_deal_day = params.hours_per_day / params.max_active_deals
        self.drought_days = params.drought_days

    @property
    def seat(self) -> int:
        return self.index

    def drought_ends(self) -> float:
        """The day a drought would end the rep's time: `drought_days` after the last win."""
        return self.last_win_day + self.drought_days

    def stays_until(self) -> float:
        """The rep's last day as things stand: the end of a drought or of the tenure."""
        return min(self.drought_ends() - DROUGHT_TOLERANCE, self.quits_day)

    def productivity(self, day: float) -> float:
        """Skill times ramp-up: a new hire starts at ramp_start and reaches 1 after ramp_days."""
        tenure = day - self.hired_day
        if tenure >= self.ramp_days:
            return self.skill
        return self.skill * (self.ramp_start + (1.0 - self.ramp_start) * tenure / self.ramp_days)


class RepPool(Slots):
    """The reps: hired (as planned, or to replace a leaver), ramping up, and leaving after a
    long drought without a win or at the end of their tenure."""

    def __init__(
        self,
        env: simpy.Environment,
        params: Reps,
        streams: Streams,
        rep_left: Callable[[Rep], None],
        time_off: TimeOff,
    ):
        super().__init__(env, params.cold_after_days)
        self.params = params
        self.rng = streams.reps  # the replacements' skills, in order of hire
        self.streams = streams
        self.time_off = time_off
        # Attrition as a constant hazard: tenures are exponential with this mean (days).
        self.mean_tenure_days = (
            -DAYS_PER_YEAR / math.log1p(-params.attrition_per_year)
            if params.attrition_per_year > 0
            else math.inf
        )
        self.rep_left = rep_left  # the world hands the departing rep's deals on or loses them
        self.reps: list[Rep] = []  # everyone ever employed, leavers included
        self.hire_days: list[float] = []  # start days of everyone hired after day 0
        self.departure_days: list[float] = []
        self.joined = {INITIAL: 0, REPLACEMENT: 0, PLANNED: 0}  # reps so far, by how they joined
        skills = np.exp(params.skill_sigma * self.rng.standard_normal(params.count))
        for skill in skills:  # + 0.0: a team hired on day 0 starts on day 0, not -0
            self._add(float(skill), -params.initial_tenure_days + 0.0, INITIAL)
        for _ in range(params.max_active_deals):  # interleaved: first deals spread over reps
            for rep in self.reps:
                self.offer(rep)
        if params.planned_hires_per_year > 0:
            self.env.process(self.follow_hiring_plan())

    @property
    def departures(self) -> int:
        return len(self.departure_days)

    @property
    def hires(self) -> int:
        return len(self.hire_days)

    def days_employed(self, start: float, end: float, *reps: Rep) -> float:
        """Days of employment between two days, of the reps given or everyone ever employed."""
        return sum(
            max(min(rep.left_day, end) - max(rep.hired_day, start), 0.0)
            for rep in reps or self.reps
        )

    def _add(self, skill: float, hired_day: float, route: int) -> Rep:
        person = (route, self.joined[route])
        self.joined[route] += 1
        quits_day = math.inf
        if math.isfinite(self.mean_tenure_days):
            tenure = self.streams.person_draw(person, TENURE).exponential(self.mean_tenure_days)
            # From day 0 for a rep hired before it: an exponential tenure has no memory.
            quits_day = max(hired_day, 0.0) + tenure
        leave = self.time_off.of(person)
        rep = Rep(len(self.reps), skill, hired_day, quits_day, self.params, self, leave, person)
        self.reps.append(rep)
        if math.isfinite(self.params.drought_days) or math.isfinite(quits_day):
            self.env.process(self.watch_for_leaving(rep))
        return rep

    def watch_for_leaving(self, rep: Rep) -> ProcessGenerator:
        """The rep leaves once `drought_days` pass without a win, or when the tenure ends."""
        while True:
            leaving = min(rep.drought_ends(), rep.quits_day)
            yield self.env.timeout(max(leaving - self.env.now, 0.0))
            if self.env.now >= rep.stays_until():
                return self.depart(rep)

    def depart(self, rep: Rep) -> None:
        rep.employed = False  # its free slots are skipped from now on
        rep.left_day = self.env.now
        self.departure_days.append(self.env.now)
        self.rep_left(rep)
        if math.isfinite(self.params.hire_delay_days):
            self.env.process(self.hire_replacement())

    def hire_replacement(self) -> ProcessGenerator:
        """After the hiring delay a new rep starts, ramping up from scratch."""
        yield self.env.timeout(self.params.hire_delay_days)
        self.hire(float(np.exp(self.params.skill_sigma * self.rng.standard_normal())), REPLACEMENT)

    def follow_hiring_plan(self) -> ProcessGenerator:
        """The planned hires join one by one, evenly spaced, each ramping up from scratch."""
        spacing = DAYS_PER_YEAR / self.params.planned_hires_per_year
        while True:
            yield self.env.timeout(spacing)
            person = (PLANNED, self.joined[PLANNED])
            draw = self.streams.person_draw(person, SKILL).standard_normal()
            self.hire(float(np.exp(self.params.skill_sigma * draw)), PLANNED)

    def hire(self, skill: float, route: int) -> None:
        """A new rep starts today with free slots for every deal they can work."""
        rep = self._add(skill, self.env.now, route)
        self.hire_days.append(self.env.now)
        self.offer(rep, self.params.max_active_deals)
