"""Feature requests and the product team (seed 001): exact scripts, invariants, directions."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import one_lead_world, scenario, trace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.product import PRODUCT_STATS
from sim.model.world import World, simulate_replication
from sim.scenario import load_scenario
from sim.vocabulary import Outcome, Reason

ASKS, NEEDS_NOTHING = 0.0, 0.999  # first feature draw: below the request chance (1/2) asks


def features(**more) -> dict:
    """A deal needs a feature with chance 1/2, whatever its value; one gap, feature 0, built in
    30 days by one team."""
    return {
        "request_probability": 0.5,
        "value_exponent": 0.0,
        "distinct_features": 1,
        "build_days": 30.0,
        "product_capacity": 1,
        **more,
    }


def script_requests(world: World, draws: dict[int, tuple[float, float]]) -> None:
    """Deal i draws `draws[i]` (asks, which feature) for its request; others need nothing."""
    world.streams.feature_draws = lambda deal_id: list(draws.get(deal_id, (NEEDS_NOTHING, 0.0)))


def product_events(world: World, deal_id: int = 0) -> list[tuple[float, str, str]]:
    """The deal's story from its qualification on, without the lead and the rep's first steps."""
    return [entry for entry in trace(world, deal_id) if entry[1] in ("deal", "the product team")]


def outcome(world: World, deal_id: int = 0) -> str:
    return Outcome.from_code(int(world.records.outcome[deal_id])).key


# ---------------------------------------------------------------- build for the deal


def test_a_deal_waits_for_the_feature_built_for_it_and_the_next_asker_joins_the_build():
    params = scenario(features=features(policy="build"))
    world = one_lead_world(params, arrivals=(0.0, 10.0))
    script_requests(world, {0: (ASKS, 0.0), 1: (ASKS, 0.0)})
    world.run()
    assert product_events(world) == [
        (0.0, "deal", "needs feature 0, which the product lacks"),
        (
            0.0,
            "the product team",
            "puts feature 0 on its build list for the deals that need it (a team starts at once)",
        ),
        (30.0, "the product team", "delivers feature 0, built for the deals that need it"),
        (30.0, "deal", "is won"),
    ]
    assert product_events(world, 1) == [  # the same gap: no second build
        (10.0, "deal", "needs feature 0, which the product lacks"),
        (30.0, "the product team", "delivers feature 0, built for the deals that need it"),
        (30.0, "deal", "is won"),
    ]
    columns = world.records.columns(0)
    assert list(columns["feature"]) == [0, 0]
    assert list(columns["feature_wait_days"]) == pytest.approx([30.0, 20.0])
    assert not columns["workaround"].any()
    stats = world.product.stats(0.0, 365.0)
    assert stats["features_built_for_deals"] == 1 and stats["roadmap_delay_days"] == 30.0
    assert stats["product_build_share"] == pytest.approx(30.0 / 365.0)
    assert stats["roadmap_features"] == 11  # 365 - 30 team-days left: 11 roadmap features


def test_builds_queue_for_a_busy_team_and_a_built_gap_gives_way_to_a_new_one():
    params = scenario(features=features(policy="build", distinct_features=2))
    world = one_lead_world(params, arrivals=(0.0, 0.0, 70.0))
    script_requests(world, {0: (ASKS, 0.0), 1: (ASKS, 0.5), 2: (ASKS, 0.0)})
    world.run()
    assert product_events(world, 1)[1] == (
        0.0,
        "the product team",
        "puts feature 1 on its build list for the deals that need it (0 builds queued ahead)",
    )
    assert list(world.records.closed_day) == pytest.approx([30.0, 60.0, 100.0])
    # Feature 0 was built: its place went to feature 2, which deal 2 asks for and waits for.
    assert list(world.records.feature) == [0, 1, 2]
    assert [start for start, _ in world.product.builds] == [0.0, 30.0, 70.0]


def test_a_queued_build_for_deals_that_have_all_ended_is_dropped():
    params = scenario(features=features(policy="build", distinct_features=2))
    world = one_lead_world(params, arrivals=(0.0, 0.0), patience=20.0)
    script_requests(world, {0: (ASKS, 0.0), 1: (ASKS, 0.5)})
    world.run()
    assert [Reason.from_code(int(r)).key for r in world.records.reason] == [
        "patience_with_committee",
        "patience_with_committee",
    ]
    assert list(world.records.feature_wait_days) == pytest.approx([20.0, 20.0])
    assert len(world.product.builds) == 1  # feature 1's build never began
    assert world.product.free == 1


def test_building_for_deals_costs_later_deals_appeal_for_as_long_as_the_market_remembers():
    params = scenario(
        features=features(policy="build", roadmap_appeal_gain=0.25, roadmap_memory_days=100.0)
    )
    world = one_lead_world(params)
    script_requests(world, {0: (ASKS, 0.0)})
    world.run()
    product = world.product
    assert product.roadmap_appeal(15.0) == pytest.approx(1.25**-0.5)  # half a feature so far
    assert product.roadmap_appeal(100.0) == pytest.approx(1.25**-1.0)
    assert product.roadmap_appeal(120.0) == pytest.approx(1.25 ** (-1 / 3))  # days 20-30 of 30
    assert product.roadmap_appeal(130.0) == 1.0


# ---------------------------------------------------------------- workaround


@pytest.mark.parametrize(
    ("asks", "expected", "workaround"),
    [(NEEDS_NOTHING, "won", False), (ASKS, "no_decision", True)],
)
def test_a_workaround_lowers_our_appeal_to_the_decision_maker(asks, expected, workaround):
    # Us 1 and the status quo 1: a draw of 0.4 picks us; with the workaround, us 0.5 of 1.5
    # and 0.4 falls to the status quo.
    params = scenario(
        committee={"status_quo_weight": 1.0},
        features=features(policy="workaround", workaround_appeal=0.5),
    )
    world = one_lead_world(params, decisions=[0.4])
    script_requests(world, {0: (asks, 0.0)})
    world.run()
    assert outcome(world) == expected
    assert bool(world.records.workaround[0]) is workaround
    if workaround:
        assert product_events(world)[:2] == [
            (0.0, "deal", "needs feature 0, which the product lacks"),
            (0.0, "deal", "goes to its decision with a workaround for feature 0"),
        ]
    assert not world.product.builds


# ---------------------------------------------------------------- threshold


def threshold_world(threshold_share: float) -> World:
    """Three deals open from day 0 to 1, qualified on day 2 and 3; deals 0 and 1 need feature
    0, deal 0 worth 2 of the 4 units of pipeline value; each meets a staller on day 42."""
    params = scenario(
        committee={"stallers": 1, "staller_meeting_days": 40.0},
        reps={"qualify_days": 2.0},
        features=features(policy="threshold", threshold_share=threshold_share),
    )
    world = one_lead_world(params, [], arrivals=(0.0, 0.0, 1.0))
    world.streams.scripted["behaviour"].then = NEEDS_NOTHING  # no stalls
    world.leads = dataclasses.replace(world.leads, value=np.array([2000.0, 1000.0, 1000.0]))
    script_requests(world, {0: (ASKS, 0.0), 1: (ASKS, 0.0)})
    return world


def test_threshold_builds_for_the_market_once_enough_of_the_pipeline_asks():
    world = threshold_world(0.6)
    world.run()
    assert product_events(world)[0] == (
        2.0,
        "deal",
        "needs feature 0, which the product lacks; deals asking for it hold 50.0% of the pipeline",
    )
    assert product_events(world, 1)[:2] == [
        (
            2.0,
            "deal",
            "needs feature 0, which the product lacks; deals asking for it hold 75.0% of the "
            "pipeline",
        ),
        (
            2.0,
            "the product team",
            "puts feature 0 on its build list for the market (a team starts at once)",
        ),
    ]
    # Built by day 32, before either committee decides on day 42: no workaround needed.
    assert not world.records.workaround.any() and not world.records.feature_wait_days.any()
    stats = world.product.stats(0.0, 365.0)
    assert (stats["features_built_for_market"], stats["features_built_for_deals"]) == (1, 0)
    assert stats["roadmap_delay_days"] == 0.0 and world.product.roadmap_appeal(40.0) == 1.0


def test_below_the_threshold_the_deals_go_to_their_decision_with_a_workaround():
    world = threshold_world(0.8)
    world.run()
    assert list(world.records.workaround) == [True, True, False]
    assert not world.product.builds


# ---------------------------------------------------------------- invariants


def small_company(policy: str, **more) -> dict:
    return {
        "scenario": {"horizon_days": 700.0, "warmup_days": 200.0},
        "features": {
            "request_probability": 0.5,
            "policy": policy,
            "build_days": 40.0,
            **more,
        },
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from(["build", "workaround", "threshold"]),
    capacity=st.integers(1, 3),
    build_days=st.floats(1.0, 120.0),
    gaps=st.integers(1, 30),
    threshold_share=st.floats(0.0, 0.2),
    seed=st.integers(1, 1000),
)
def test_product_team_invariants(policy, capacity, build_days, gaps, threshold_share, seed):
    from sim.scenario import validate

    data = small_company(
        policy,
        product_capacity=capacity,
        build_days=build_days,
        distinct_features=gaps,
        threshold_share=threshold_share,
    )
    params = validate(data)
    world = World(params, seed, 0)
    world.run()
    deals = world.records.columns(0)
    asked = deals["feature"] >= 0
    assert (deals["feature_wait_days"] >= 0).all()
    assert not deals["workaround"][~asked].any()
    if policy != "build":
        assert not deals["feature_wait_days"].any()
    else:
        assert not deals["workaround"].any()
    starts = [start for start, _ in world.product.builds]
    for start in starts:  # never more builds under way than teams
        assert sum(s <= start < s + build_days for s in starts) <= capacity
    stats = world.product.stats(200.0, 700.0)
    assert 0.0 <= stats["product_build_share"] <= 1.0 + 1e-9
    assert 0.0 < stats["roadmap_appeal_end"] <= 1.0
    # The same model event by event: every deal ends alike.
    stepwise = simulate_replication(params, seed, 0, run_ahead=False)["deals"]
    for name, column in deals.items():
        np.testing.assert_allclose(column, stepwise[name], rtol=1e-9, err_msg=name)


def test_with_no_requests_the_product_team_draws_nothing_and_builds_nothing():
    world = World(load_scenario("scenarios/baseline.toml"), 1, 0)

    def never(deal_id):
        raise AssertionError("a feature draw with feature requests off")

    world.streams.feature_draws = never
    world.run()
    assert not world.product.listening and not world.product.builds
    assert (world.records.feature == -1).all()
    stats = world.replication_stats(0)  # the team's figures are empty, not a roadmap's
    assert all(math.isnan(stats[name]) for name in PRODUCT_STATS)


# ---------------------------------------------------------------- directions (paired runs)


def requesting_win_rates(data: dict, replications: int) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: the win rate of counted opportunities that needed a missing feature,
    and the market-wide features delivered (roadmap and builds for the market) in the window."""
    from sim.scenario import validate

    params = validate(data)
    rates, delivered = [], []
    for replication in range(replications):
        part = simulate_replication(params, 7, replication)
        deals, stats = part["deals"], part["stats"]
        asked = deals["counted"] & (deals["feature"] >= 0) & (deals["outcome"] != Outcome.OPEN)
        rates.append(np.mean(deals["outcome"][asked] == Outcome.WON))
        delivered.append(stats["roadmap_features"] + stats["features_built_for_market"])
    return np.array(rates), np.array(delivered)


def clearly_above_zero(differences: np.ndarray) -> bool:
    """The mean paired difference is more than three standard errors above zero."""
    error = differences.std(ddof=1) / np.sqrt(len(differences))
    return bool(differences.mean() > 3 * error)


DIRECTIONS = {  # a team big enough that a build for a deal comes in time; a costly workaround
    "features": {
        "request_probability": 0.3,
        "product_capacity": 3,
        "build_days": 20.0,
        "workaround_appeal": 0.5,
        "threshold_share": 0.2,
    }
}


def with_features(**more) -> dict:
    return {"features": {**DIRECTIONS["features"], **more}}


def test_threshold_wins_fewer_requesting_deals_than_build_but_delivers_more_to_the_market():
    # The requesting deals themselves: the roadmap's slip, which costs every deal under
    # `build`, is switched off here (it has its own test above).
    built, built_market = requesting_win_rates(
        with_features(policy="build", roadmap_appeal_gain=0.0), 8
    )
    polled, polled_market = requesting_win_rates(with_features(policy="threshold"), 8)
    assert clearly_above_zero(built - polled)
    assert clearly_above_zero(polled_market - built_market)


def test_a_workaround_costs_the_requesting_deals_win_probability():
    present, _ = requesting_win_rates(with_features(policy="workaround", workaround_appeal=1.0), 8)
    worked_around, _ = requesting_win_rates(with_features(policy="workaround"), 8)
    assert clearly_above_zero(present - worked_around)


@pytest.mark.slow
def test_seed_001s_company_wins_less_when_it_builds_for_every_deal():
    """The shipped scenarios: building for deals costs the whole pipeline, roadmap and all."""

    def win_rates(name: str) -> np.ndarray:
        params = load_scenario(f"scenarios/feature_request_{name}.toml")
        rates = []
        for replication in range(10):
            deals = simulate_replication(params, 1, replication)["deals"]
            counted = deals["counted"] & deals["qualified"] & (deals["outcome"] != Outcome.OPEN)
            rates.append(np.mean(deals["outcome"][counted] == Outcome.WON))
        return np.array(rates)

    assert clearly_above_zero(win_rates("threshold") - win_rates("build"))
