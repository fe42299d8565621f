"""Time off: a seller's work stops on vacation and public holidays, and goes on after.

Exact work-time arithmetic for a made-up leave, its invariants over any leave, a small
world in which no seller's step ends while they are away, and the calendar's cost with
common random numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import QUIET
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.compare import compare
from sim.model.calendar import NO_LEAVE, Leave, TimeOff
from sim.model.events import Actor, EventKind
from sim.model.streams import INITIAL, Streams
from sim.model.world import World
from sim.scenario import load_scenario, validate
from sim.scenario.schema import Calendar
from sim.vocabulary import DAYS_PER_YEAR


def test_work_waits_for_the_end_of_a_vacation_and_skips_a_holiday():
    leave = Leave([(20.0, 21.0), (10.0, 15.0)])  # a holiday on day 20, a vacation 10 to 15
    assert leave.work_ends(8.0, 5.0) == 18.0  # 2 days before the vacation, 3 after
    assert leave.work_ends(12.0, 1.0) == 16.0  # asked while away: starts when back
    assert leave.work_ends(18.0, 4.0) == 23.0  # 2 days, the holiday, 2 days
    assert leave.work_ends(8.0, 2.0) == 10.0  # done on the day the vacation starts
    assert leave.work_ends(30.0, 3.0) == 33.0  # after every leave
    assert NO_LEAVE.work_ends(8.0, 5.0) == 13.0


intervals = st.lists(
    st.tuples(st.floats(0, 500), st.floats(0, 30)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=12,
)


def worked(away: list[tuple[float, float]], until: float) -> float:
    """Days worked from day 0 to `until`, counted the long way: time less every day away."""
    covered, last = 0.0, 0.0
    for start, end in sorted(away):  # overlapping leaves count once
        start, end = max(start, last), min(end, until)
        if end > start:
            covered += end - start
            last = end
    return until - covered


@settings(max_examples=80, deadline=None)
@given(intervals, st.floats(0, 600), st.floats(0, 100))
def test_work_time_is_kept_and_never_ends_while_away(away, day, work):
    leave = Leave(away)
    done = leave.work_ends(day, work)
    assert done >= day + work - 1e-9  # time off only ever adds
    assert worked(away, done) - worked(away, day) == pytest.approx(work, abs=1e-6)
    if work > 0:  # the work is done at work, never during a leave
        assert not any(start < done < end for start, end in away)
    assert leave.work_ends(day, work + 1.0) >= done  # more work never ends sooner


def test_everyone_draws_a_vacation_a_year_and_the_company_its_holidays():
    streams, two_years = Streams(5, 0), 2 * DAYS_PER_YEAR
    vacations = TimeOff(Calendar(vacation_days=10), two_years, streams)
    leave = vacations.of((INITIAL, 0))
    assert np.diff(leave.away_before).tolist() == pytest.approx([14.0, 14.0])  # two weeks
    for year, start in enumerate(leave.starts):  # one a year, inside its year
        assert year * DAYS_PER_YEAR <= start <= (year + 1) * DAYS_PER_YEAR - 14
    assert vacations.of((INITIAL, 1)).starts.tolist() != leave.starts.tolist()  # each rep their own
    holidays = TimeOff(Calendar(public_holidays=4), two_years, streams).of((INITIAL, 0))
    quarter = DAYS_PER_YEAR / 4
    assert holidays.starts.tolist() == pytest.approx([(k + 0.5) * quarter for k in range(8)])
    both = TimeOff(Calendar(vacation_days=10, public_holidays=4), two_years, streams)
    assert both.working_share() == pytest.approx(1 - 18 / DAYS_PER_YEAR)
    assert TimeOff(Calendar(), two_years, streams).of((INITIAL, 0)) is NO_LEAVE


def test_no_seller_finishes_a_step_while_on_vacation():
    data = {name: dict(values) for name, values in QUIET.items()}
    data["scenario"].update(horizon_days=400.0)
    data["leads"].update(arrivals_per_month=30.0)
    data["reps"].update(count=2, qualify_days=5.0)
    data["calendar"] = {"vacation_days": 20, "public_holidays": 10}
    world = World(validate(data), 3, 0, log=[])
    world.run()
    leaves = {rep.index: rep.leave for rep in world.reps.reps}
    steps = [e for e in world.log if e.actor == Actor.REP and e.kind == EventKind.QUALIFIES]
    assert len(steps) > 50
    for event in steps:
        leave = leaves[event.seat]
        ends = leave.starts + np.diff(leave.away_before)
        assert not np.any((leave.starts < event.day) & (event.day < ends)), event


def test_time_off_lengthens_the_cycle_and_changes_no_lead():
    base = load_scenario("baseline")
    away = load_scenario("calendar")
    result = compare(base, away, replications=6, seed=2)
    assert result["diff"]["cycle_days_median"]["ci"][0] > 0
    assert result["diff"]["cycle_days_median"]["estimate"] < 0.2 * result["a"]["cycle_days_median"]
    assert not math.isnan(result["diff"]["win_rate"]["estimate"])
