"""A deal's own clock (sim.model.stretches): waits nothing else can touch pass without events.

The property test in test_properties.py checks that running ahead changes no deal on
random scenarios; these are the exact stories at the edges of a stretch, and the
events it saves.
"""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pytest
import simpy
from conftest import ROOT, one_lead_world, scenario, trace

from sim.model.world import simulate_replication
from sim.scenario import load_scenario

ARRIVES, TAKES = "arrives from marketing, value $1,000", "takes the deal (1 active)"


@pytest.mark.parametrize("run_ahead", [True, False])
def test_a_rep_who_leaves_mid_stretch_ends_the_deal_on_the_day_the_rep_leaves(run_ahead):
    # The rep's drought ends on day 7; qualifying from day 6 would take until day 8.
    params = scenario(
        reps={
            "count": 1,
            "max_active_deals": 1,
            "drought_days": 7.0,
            "qualify_days": 2.0,
            "initial_tenure_days": 0.0,
            "hire_delay_days": math.inf,
            "reassign_probability": 0.0,
        }
    )
    world = one_lead_world(params, [0.5], arrivals=(6.0,))
    world.run_ahead = run_ahead
    world.run()
    assert trace(world) == [
        (6.0, "lead", ARRIVES),
        (6.0, "rep 0", TAKES),
        (7.0, "deal", "goes dark: its rep left the company (no decision)"),
    ]


@pytest.mark.parametrize("run_ahead", [True, False])
def test_patience_that_runs_out_mid_stretch_ends_the_deal_that_day(run_ahead):
    # Qualifying takes 2 days and the first staller meeting 2 more; patience is 3 days.
    params = scenario(
        committee={"stallers": 1, "staller_meeting_days": 2.0}, reps={"qualify_days": 2.0}
    )
    world = one_lead_world(params, [0.9], arrivals=(0.0,), patience=3.0)
    world.run_ahead = run_ahead
    world.run()
    assert trace(world) == [
        (0.0, "lead", ARRIVES),
        (0.0, "rep 0", TAKES),
        (2.0, "rep 0", "qualifies the lead"),
        (
            3.0,
            "deal",
            "goes dark: the buyer's patience ran out in the committee's process (no decision)",
        ),
    ]
    assert world.records.closed_day[0] == 3.0
    assert world.records.stage_days[0].sum() == 3.0  # two days qualifying, one with the staller


class CountingEnvironment(simpy.Environment):
    steps = 0

    def step(self) -> None:
        CountingEnvironment.steps += 1
        super().step()


def events(run_ahead: bool) -> tuple[int, int]:
    """Events processed, and deals, in a two-year baseline replication."""
    base = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        ["scenario.horizon_days=730", "scenario.warmup_days=0"],
    )
    CountingEnvironment.steps = 0
    with mock.patch.object(simpy, "Environment", CountingEnvironment):
        deals = simulate_replication(base, 1, 0, run_ahead=run_ahead)["deals"]
    return CountingEnvironment.steps, len(deals["deal_id"])


def test_running_ahead_saves_most_events_of_the_baseline():
    ahead, deals = events(run_ahead=True)
    stepwise, same_deals = events(run_ahead=False)
    assert deals == same_deals > 100
    # Measured: about 4.5 events a deal against 10.4 event by event.
    assert ahead < 0.6 * stepwise


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda path: path.stem
)
def test_every_shipped_scenario_runs_ahead_to_the_same_deals(path):
    """Stronger than equal in distribution: deal by deal, the same fates, days and counts."""
    shipped = load_scenario(path, [])
    for replication in range(10):
        ahead = simulate_replication(shipped, 1, replication)["deals"]
        stepwise = simulate_replication(shipped, 1, replication, run_ahead=False)["deals"]
        for name, column in ahead.items():
            if column.dtype.kind == "f":
                np.testing.assert_allclose(column, stepwise[name], rtol=1e-9, err_msg=name)
            else:
                np.testing.assert_array_equal(column, stepwise[name], err_msg=name)
