"""Time off: the days a seller is away (vacation, public holidays) and work time around them.

The model's durations are calendar days with ordinary time off inside them. With a
`[calendar]` the time off becomes explicit: a seller's own work (qualifying a lead,
meeting stallers, negotiating) stops while the seller is away and goes on when they are
back, so a meeting due during a vacation waits for its end.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import Calendar
from ..vocabulary import DAYS_PER_YEAR
from .streams import VACATION, Streams

WEEK_PER_WORKING_WEEK = 7 / 5  # vacation is counted in working days; the model in calendar days
HOLIDAY_DAYS = 1.0  # a public holiday keeps everyone away one day


class Leave:
    """One person's days away, as sorted intervals; their work advances only outside them."""

    __slots__ = ("starts", "ends", "work_at_start", "away_before")

    def __init__(self, intervals: list[tuple[float, float]]):
        merged: list[list[float]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = np.array([start for start, _ in merged])
        self.ends = np.array([end for _, end in merged])
        self.away_before = np.concatenate(([0.0], np.cumsum(self.ends - self.starts)))
        self.work_at_start = self.starts - self.away_before[:-1]  # work time at each start

    def work_ends(self, day: float, work_days: float) -> float:
        """The day on which `work_days` of the person's work, begun on `day`, is done."""
        if not len(self.starts):
            return day + work_days
        behind = int(np.searchsorted(self.starts, day, side="right"))  # leaves begun by `day`
        if behind and day < self.ends[behind - 1]:  # away today: the work starts on return
            day = float(self.ends[behind - 1])
        target = day - self.away_before[behind] + work_days  # work time when it is done
        ahead = max(int(np.searchsorted(self.work_at_start, target, side="left")), behind)
        # From `day`, not back from the work time: no rounding lands the end inside a leave.
        return day + work_days + float(self.away_before[ahead] - self.away_before[behind])


NO_LEAVE = Leave([])


class TimeOff:
    """The company's calendar in one replication: each person's leave, from their own draws."""

    def __init__(self, calendar: Calendar, horizon_days: float, streams: Streams):
        self.calendar = calendar
        self.horizon_days = horizon_days
        self.streams = streams
        self.on = calendar.vacation_days > 0 or calendar.public_holidays > 0

    def of(self, person: tuple[int, int]) -> Leave:
        """The leave of one person, keyed as `Streams.person_draw` keys them."""
        if not self.on:
            return NO_LEAVE
        years = int(np.ceil(self.horizon_days / DAYS_PER_YEAR))
        starts = self.streams.person_draw(person, VACATION).random(years)
        return leave_of(self.calendar, self.horizon_days, starts)

    def working_share(self) -> float:
        """Share of a year a person is at work: what is left after vacation and holidays."""
        calendar = self.calendar
        vacation = calendar.vacation_days * WEEK_PER_WORKING_WEEK
        away = vacation + calendar.public_holidays * HOLIDAY_DAYS
        return max(1.0 - away / DAYS_PER_YEAR, 0.0)


def leave_of(calendar: Calendar, horizon_days: float, vacation_starts: np.ndarray) -> Leave:
    """Public holidays, evenly spread over each year, and one vacation a year from each of
    `vacation_starts` (a share of the year, one per year of the run)."""
    years = int(np.ceil(horizon_days / DAYS_PER_YEAR))
    intervals = []
    if calendar.public_holidays > 0:
        spacing = DAYS_PER_YEAR / calendar.public_holidays
        for year in range(years):
            for holiday in range(int(calendar.public_holidays)):
                day = year * DAYS_PER_YEAR + (holiday + 0.5) * spacing
                intervals.append((day, day + HOLIDAY_DAYS))
    vacation = calendar.vacation_days * WEEK_PER_WORKING_WEEK
    if vacation > 0:
        for year, share in zip(range(years), vacation_starts, strict=False):
            day = year * DAYS_PER_YEAR + share * (DAYS_PER_YEAR - vacation)
            intervals.append((day, day + vacation))
    return Leave(intervals)
