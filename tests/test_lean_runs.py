"""What a run skips for speed changes nothing: the same deals as doing it all.

Generators are seeded from the words numpy would make of their key. A run without an
event log skips the notes, inverts the committee's Beta draws only
for leads that may meet their committee, sets a patience timer only for a deal that
waits for the world, and lets go of each deal as it closes. Each shortcut is checked
here against the run that does not take it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from conftest import ROOT, one_lead_world, scenario
from hypothesis import given
from hypothesis import strategies as st

from sim.model.committee import CommitteeDraws
from sim.model.deal import Deal
from sim.model.streams import CHUNK, Streams, entropy
from sim.model.stretches import delay_until
from sim.model.world import World, simulate_replication
from sim.scenario import load_scenario
from sim.vocabulary import Reason

SCENARIOS = ("baseline", "channel_overlap", "feature_request_threshold", "finite_market")
SHORT = ["scenario.horizon_days=730", "scenario.warmup_days=0"]


def short_run(name: str) -> World:
    return World(load_scenario(ROOT / "scenarios" / f"{name}.toml", SHORT), 1, 0)


def same_deals(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("name", SCENARIOS)
def test_inverting_only_the_committees_that_may_meet_changes_no_deal(name):
    # Every member's engagement and scepticism inverted, as before the shortcut.
    lean, full = short_run(name), short_run(name)
    with mock.patch.object(World, "may_meet_committee", return_value=None):
        full.run()
    lean.run()
    same_deals(lean.records.columns(0), full.records.columns(0))


def test_members_of_leads_that_cannot_meet_their_committee_are_left_undrawn():
    params = load_scenario(ROOT / "scenarios" / "baseline.toml").committee
    needed = np.arange(CHUNK) % 3 == 0
    lean = CommitteeDraws(params, Streams(1, 0), 0, needed)
    full = CommitteeDraws(params, Streams(1, 0), 0)
    for seat in range(params.stallers):
        for column in range(CHUNK):
            drawn, everyone = lean.engagement[seat][column], full.engagement[seat][column]
            assert drawn == everyone if needed[column] else np.isnan(drawn)
    assert lean.staller_votes == full.staller_votes  # uniforms are drawn for all alike


def test_poor_fits_and_leads_never_due_are_the_ones_left_out():
    world = short_run("baseline")
    due = world.due_leads()
    may_meet = world.may_meet_committee(due)
    fit = world.leads.fit >= world.scenario.leads.disqualify_probability
    expected = np.zeros(len(world.leads), dtype=bool)
    expected[due] = fit[due]
    np.testing.assert_array_equal(may_meet[: len(world.leads)], expected)
    assert len(may_meet) % CHUNK == 0 and not may_meet[len(world.leads) :].any()


@pytest.fixture
def collector_off() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def test_a_closed_deal_lets_go_of_its_runner(collector_off):
    # Deals whose journey ends the moment it starts (a poor fit qualified ahead of the
    # world) used to keep a cycle with their runner, left for the cycle collector.
    simulate_replication(short_run("baseline").scenario, 1, 0)
    deals = [thing for thing in gc.get_objects() if isinstance(thing, Deal)]
    closed = [deal for deal in deals if deal.closed]
    assert closed, "the run's deals are still in memory: the check saw some"
    assert [deal.id for deal in closed if deal.process is not None] == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_keeping_an_event_log_changes_no_deal(name):
    logged = World(short_run(name).scenario, 1, 0, log=[])
    logged.run()
    plain = short_run(name)
    plain.run()
    assert logged.log
    same_deals(logged.records.columns(0), plain.records.columns(0))


def test_a_deal_that_never_waits_for_the_world_sets_no_patience_timer():
    # A free rep, a poor fit: qualified and closed on its own clock, ahead of the world.
    # (Patience running out while a deal waits for the world: test_mechanisms.py.)
    params = scenario(leads={"disqualify_probability": 0.5})
    world = one_lead_world(params, [0.5], fit=0.0, patience=30.0)
    world.start()
    world.env.run()  # until nothing is left to happen
    assert world.records.columns(0)["reason"].tolist() == [int(Reason.POOR_FIT)]
    assert world.env.now < 30.0  # no timer was left for the end of its patience


@given(st.floats(0.0, 1e5, allow_subnormal=False), st.floats(0.0, 1e5, allow_subnormal=False))
def test_a_timer_set_now_fires_on_the_day_exactly(now, later):
    day = now + later
    assert now + delay_until(now, day) == day


@given(
    st.integers(0, 2**63 - 1),
    st.lists(st.one_of(st.integers(0, 2**20), st.integers(0, 2**70)), max_size=7),
)
def test_seeding_from_the_key_s_words_is_seeding_with_the_key(seed, key):
    keyed = np.random.SeedSequence(seed, spawn_key=tuple(key))
    worded = np.random.SeedSequence(entropy(seed, tuple(key)))
    np.testing.assert_array_equal(worded.pool, keyed.pool)
    np.testing.assert_array_equal(worded.generate_state(4), keyed.generate_state(4))
