"""The sales team as a plan: planned hires, attrition by tenure, and what a rep-year is.

Small quiet worlds (every delay off unless switched on) run through the model's own
`World`; exact checks of hire and departure days, the tenure law against theory, and
common random numbers between plans.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import QUIET, told

from sim.model.streams import REPLACEMENT, TENURE, Streams
from sim.model.world import World
from sim.scenario import Scenario, validate
from sim.vocabulary import DAYS_PER_YEAR

SEED = 7


def build(**sections) -> Scenario:
    data = {name: dict(values) for name, values in QUIET.items()}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return validate(data)


def run_world(params: Scenario) -> World:
    world = World(params, SEED, 0, log=[])
    world.run()
    return world


def test_planned_hires_join_evenly_spaced_and_take_waiting_leads():
    params = build(
        scenario={"horizon_days": 400.0},
        leads={"arrivals_per_month": 40.0},
        reps={  # every deal holds its rep for long and a queued lead never goes cold
            "count": 1,
            "max_active_deals": 1,
            "planned_hires_per_year": 2.0,
            "qualify_days": 3000.0,
            "cold_after_days": 1e4,
        },
    )
    world = run_world(params)
    pool = world.reps
    half_year = DAYS_PER_YEAR / 2
    assert pool.hire_days == [half_year, 2 * half_year]
    assert [rep.hired_day for rep in pool.reps[1:]] == [half_year, 2 * half_year]
    stats = world.replication_stats(0)
    assert stats["rep_hires"] == 2
    each = [400, 400 - half_year, 400 - 2 * half_year]
    assert stats["rep_days"] == pytest.approx(sum(each))
    assert world.rep_stats(0)["days_in_window"].tolist() == pytest.approx(each)
    # With one slot each and a queue of leads, each new rep takes a deal the day they join.
    taken = {day for day, _deal, actor, what in told(world) if actor == "rep 1"}
    assert min(taken) == pytest.approx(half_year)


def test_attrition_ends_each_tenure_on_its_drawn_day_and_the_leaver_is_replaced():
    params = build(
        scenario={"horizon_days": 1000.0},
        reps={"count": 3, "attrition_per_year": 0.5, "hire_delay_days": 30.0},
    )
    world = run_world(params)
    pool = world.reps
    mean = -DAYS_PER_YEAR / math.log(0.5)
    streams = Streams(SEED, 0)
    for rep in pool.reps:
        tenure = streams.person_draw(rep.person, TENURE).exponential(mean)
        assert rep.quits_day == pytest.approx(max(rep.hired_day, 0.0) + tenure)
        assert rep.left_day == (rep.quits_day if rep.quits_day <= 1000 else math.inf)
    assert pool.departure_days == sorted(r.left_day for r in pool.reps if r.left_day < math.inf)
    replaced = [day + 30.0 for day in pool.departure_days if day + 30.0 <= 1000]
    assert pool.hire_days == pytest.approx(replaced)
    assert pool.departures > 0  # the test saw what it checks


def test_tenures_follow_the_constant_hazard_the_attrition_rate_implies():
    """P(leave within a year) = attrition_per_year: the share of 4,000 tenures under a year."""
    streams, attrition, n = Streams(3, 0), 0.28, 4000
    mean = -DAYS_PER_YEAR / math.log1p(-attrition)
    tenures = np.array(
        [streams.person_draw((REPLACEMENT, i), TENURE).exponential(mean) for i in range(n)]
    )
    share = float((tenures < DAYS_PER_YEAR).mean())
    tolerance = 4 * math.sqrt(attrition * (1 - attrition) / n)  # four standard errors
    assert abs(share - attrition) < tolerance


def test_a_hiring_plan_shifts_no_replacements_tenure():
    """Each replacement draws its tenure by its place among the replacements: planned hires,
    who take rep numbers, leave the replacements' draws as they were."""
    turnover = {"count": 3, "attrition_per_year": 0.5, "hire_delay_days": 30.0}
    tenures = []
    for plan in (0.0, 2.0):
        params = build(
            scenario={"horizon_days": 1500.0}, reps={**turnover, "planned_hires_per_year": plan}
        )
        reps = run_world(params).reps.reps
        tenures.append(
            {r.person: r.quits_day - r.hired_day for r in reps if r.person[0] == REPLACEMENT}
        )
    shared = tenures[0].keys() & tenures[1].keys()
    assert len(shared) >= 3
    assert [tenures[1][person] for person in shared] == pytest.approx(
        [tenures[0][person] for person in shared]  # hired on other days: rounding differs
    )


def test_attrition_and_hiring_plans_leave_the_first_reps_and_the_leads_alone():
    """Common random numbers: the same leads and the same first reps under any team plan."""
    plain = World(build(reps={"count": 3}), SEED, 0)
    planned = World(build(reps={"count": 3, "attrition_per_year": 0.3}), SEED, 0)
    assert [r.skill for r in plain.reps.reps] == [r.skill for r in planned.reps.reps]
    assert np.array_equal(plain.leads.arrival_day, planned.leads.arrival_day)
