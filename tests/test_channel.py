"""Channel partners, the founder who sells, rep attrition and the compensation plan.

Small worlds built from a quiet scenario (every delay and behaviour off unless a
test switches it on) and run through the model's own `World`; exact checks
against the event log and the records, counts against their Poisson laws, and
direction checks with common random numbers (the same seed for every variant).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import QUIET, ROOT, told
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.replications import simulate
from sim.analysis.summary import summarise
from sim.model.world import World
from sim.scenario import Scenario, ScenarioError, load_scenario, validate
from sim.vocabulary import DAYS_PER_MONTH, Outcome, Owner, Source, Stage

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SEED = 2024
# A year's warm-up and two years' window, as in test_directions: directions, unlike levels,
# do not need the shipped window (each direction below keeps its margin over it).
DIRECTION_WINDOW = ("scenario.warmup_days=365", "scenario.horizon_days=1095")
RESCHEDULERS = {  # stallers who stall half the time and reschedule
    "staller_stall_probability": 0.5,
    "staller_engagement_mean": 0.0,
    "staller_meeting_days": 2.0,
    "reschedule_weight": 1.0,
    "request_weight": 0.0,
    "handoff_weight": 0.0,
    "reschedule_days": 3.0,
}
WON = Outcome.WON


def partner(name: str = "P", **values) -> dict:
    """A partner table without random plan changes (the schema's default has some)."""
    return {"name": name, "comp_changes_per_year": 0.0, **values}


def build(partners: list[dict] = (), **sections) -> Scenario:
    """The QUIET scenario with some values changed and the given partners, validated like a file."""
    data = {name: dict(values) for name, values in QUIET.items()}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    data["partners"] = [dict(p) for p in partners]
    return validate(data)


def with_partners(path: Path, partners: list[dict], *overrides: str) -> Scenario:
    data = load_scenario(path, overrides).to_dict()
    data["partners"] = partners
    return validate(data)


def run_world(params: Scenario, seed: int | None = None, replication: int = 0) -> World:
    world = World(params, SEED if seed is None else seed, replication, log=[])
    world.run()
    return world


def lines(world: World, deal_id: int) -> list[tuple[float, str, str]]:
    return [(day, actor, what) for day, deal, actor, what in told(world) if deal == deal_id]


def closed_ids(world: World) -> np.ndarray:
    return np.flatnonzero(~np.isnan(world.records.closed_day))


# ---------------------------------------------------------------- commissions


def test_each_partner_covering_a_won_account_is_paid_its_rate_on_the_revenue():
    params = build(
        leads={"arrivals_per_month": 20.0},
        channel={"leads_per_staff_month": 0.2},
        partners=[
            partner("A", coverage=0.5, commission=0.1),
            partner("B", coverage=0.7, commission=0.25),
            partner("C", coverage=0.0, commission=0.5),  # claims on the leads it brings itself only
        ],
    )
    world = run_world(params)
    records, book = world.records, world.leads
    rates = np.array([0.1, 0.25, 0.5])
    won = records.outcome == WON
    assert won.sum() > 100 and (~won).sum() > 10  # misrepresentation vetoes some partner deals
    claims = book.covered * rates * records.revenue[:, None]
    np.testing.assert_allclose(
        records.commission, np.where(won, claims.sum(axis=1), 0.0), rtol=1e-12
    )
    np.testing.assert_allclose(world.commissions, claims[won].sum(axis=0), rtol=1e-12)
    # Partner C covers no account but those of its own leads.
    assert (book.covered[:, 2] == (book.partner == 2)).all()
    # Revenue is the value, less the options a misrepresenting partner never sold.
    expected_revenue = book.value * (1 - 0.2 * records.misrepresented)
    np.testing.assert_allclose(records.revenue[won], expected_revenue[won], rtol=1e-12)
    assert (records.revenue[~won] == 0).all()
    assert records.misrepresented[won].any()
    # The partner table of a run holds the same payments.
    results = simulate(params, 2, SEED)
    by_replication = results.deals.groupby("replication")["commission"].sum()
    paid = results.partners.groupby("replication")["commission"].sum()
    np.testing.assert_allclose(paid.to_numpy(), by_replication.to_numpy(), rtol=1e-12)
    first = results.partners[results.partners["replication"] == 0]
    np.testing.assert_allclose(first["commission"].to_numpy(), world.commissions, rtol=1e-12)


def test_three_partners_covering_every_account_take_sixty_percent():
    params = build(
        leads={"arrivals_per_month": 10.0},
        channel={"leads_per_staff_month": 0.1},
        partners=[partner(name, coverage=1.0, commission=0.2) for name in ("A", "B", "C")],
    )
    results = simulate(params, 2, SEED)
    deals = results.deals
    assert (deals["claimants"] == 3).all()
    won = deals[deals["outcome"] == "won"]
    assert len(won) > 50
    np.testing.assert_allclose(won["commission"], 0.6 * won["revenue"], rtol=1e-12)
    summary = summarise(results)
    assert summary["commission_share"] == pytest.approx(0.6, rel=1e-12)
    assert summary["revenue_net_per_year"] == pytest.approx(
        0.4 * summary["revenue_gross_per_year"], rel=1e-12
    )


@st.composite
def channel_scenarios(draw) -> Scenario:
    count = draw(st.integers(1, 3))
    partners = [
        partner(
            f"P{i}",
            staff=draw(st.integers(1, 40)),
            coverage=draw(st.floats(0.0, 1.0)),
            mindshare=draw(st.floats(0.0, 1.0)),
            training=draw(st.floats(0.0, 1.0)),
            commission=draw(st.floats(0.0, 1.0)),
            comp_changes_per_year=draw(st.floats(0.0, 4.0)),
            comp_shock_day=draw(st.one_of(st.just(math.inf), st.floats(0.0, 200.0))),
        )
        for i in range(count)
    ]
    data = load_scenario(ROOT / "scenarios/baseline.toml").to_dict()
    data["scenario"].update(horizon_days=150.0, warmup_days=0.0)
    data["leads"]["arrivals_per_month"] = draw(st.floats(0.0, 15.0))
    data["founder"]["max_active_deals"] = draw(st.integers(0, 3))
    data["channel"].update(
        leads_per_staff_month=draw(st.floats(0.0, 0.5)),
        missed_option_share=draw(st.floats(0.0, 1.0)),
        misrepresentation_probability=draw(st.floats(0.0, 1.0)),
        rescue_after_stalls=draw(st.integers(1, 5)),
        conflict_mindshare_loss=draw(st.floats(0.0, 1.0)),
    )
    data["partners"] = partners
    return validate(data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=channel_scenarios(), seed=st.integers(0, 2**16))
def test_commissions_are_bounded_by_the_claimants_and_their_rates(params, seed):
    results = simulate(params, 1, seed)
    deals = results.deals
    top_rate = max(p.commission for p in params.partners)
    low_rate = min(p.commission for p in params.partners)
    commission, revenue, claimants = deals["commission"], deals["revenue"], deals["claimants"]
    assert (commission >= 0).all()
    assert (commission <= claimants * top_rate * revenue * (1 + 1e-12) + 1e-9).all()
    assert (commission >= claimants * low_rate * revenue * (1 - 1e-12) - 1e-9).all()
    assert (commission[deals["outcome"] != "won"] == 0).all()
    assert (
        claimants[deals["source"] == "partner"] >= 1
    ).all()  # a partner covers the leads it brings
    assert (revenue <= deals["value"] * (1 + 1e-12)).all()
    summary = summarise(results)
    assert summary["revenue_net_per_year"] <= summary["revenue_gross_per_year"] + 1e-9
    # The same money summed two ways (net from the deal table, commissions from the
    # partners' table) agrees to rounding, and a commission of nearly 100% leaves rounding
    # as all there is of the net: the tolerance is relative to the gross.
    assert summary["revenue_net_per_year"] == pytest.approx(
        summary["revenue_gross_per_year"] - summary["commissions_per_year"],
        abs=1e-9 * max(1.0, summary["revenue_gross_per_year"]),
    )
    if revenue.sum() > 0:
        assert summary["commission_share"] == pytest.approx(
            commission.sum() / revenue.sum(), rel=1e-9
        )
    else:
        assert math.isnan(summary["commission_share"])
    assert results.partners["commission"].sum() == pytest.approx(
        commission.sum(), rel=1e-9, abs=1e-9
    )


# ---------------------------------------------------------------- partner leads and mindshare


def test_partner_leads_arrive_at_staff_times_rate_times_mindshare():
    replications, horizon = 4, 365.0
    staff, rate, mindshare = 25, 0.4, 0.6
    params = build(
        leads={"arrivals_per_month": 5.0},
        channel={"leads_per_staff_month": rate, "conflict_mindshare_loss": 0.0},
        partners=[partner(staff=staff, mindshare=mindshare, coverage=0.5)],
    )
    deals = simulate(params, replications, SEED).deals
    arrived = int((deals["source"] == "partner").sum())
    expected = replications * staff * rate * mindshare * horizon / DAYS_PER_MONTH  # about 1440
    assert arrived == pytest.approx(expected, abs=4 * math.sqrt(expected))
    # Partners leave the direct leads of a seed as they were (their draws have their own stream).
    alone = simulate(build(leads={"arrivals_per_month": 5.0}), replications, SEED).deals
    direct = deals[deals["source"] != "partner"]
    np.testing.assert_allclose(np.sort(direct["value"]), np.sort(alone["value"]))


def test_partner_leads_thin_with_the_mindshare_of_the_day():
    # The plan turns against us on day 150: the arrival rate drops from 0.8 to 0.1 of the top rate.
    replications, horizon, shock_day = 4, 365.0, 150.0
    params = build(
        leads={"arrivals_per_month": 0.0},
        channel={
            "leads_per_staff_month": 1.0,
            "shock_mindshare": 0.1,
            "conflict_mindshare_loss": 0.0,
        },
        partners=[partner(staff=20, mindshare=0.8, comp_shock_day=shock_day)],
    )
    deals = simulate(params, replications, SEED).deals
    top = replications * 20 * 1.0 / DAYS_PER_MONTH
    before = int((deals["created_day"] < shock_day).sum())
    after = len(deals) - before
    for count, expected in (
        (before, top * 0.8 * shock_day),
        (after, top * 0.1 * (horizon - shock_day)),
    ):
        assert count == pytest.approx(expected, abs=4 * math.sqrt(expected))


def test_account_conflict_cuts_mindshare_which_then_recovers_exponentially():
    loss, recovery, plan = 0.2, 40.0, 0.7
    params = build(
        channel={"conflict_mindshare_loss": loss, "mindshare_recovery_days": recovery},
        partners=[partner(mindshare=plan)],
    )
    world = World(params, SEED, 0)
    env, p = world.env, world.partners[0]
    env.run(until=50.0)
    assert p.mindshare(50.0) == plan
    p.account_conflict()
    low = plan * (1 - loss)
    assert p.mindshare(50.0) == pytest.approx(low)
    for later in (1.0, 10.0, 40.0, 200.0):
        assert p.mindshare(50.0 + later) == pytest.approx(
            plan + (low - plan) * math.exp(-later / recovery)
        )
    env.run(until=70.0)
    p.account_conflict()  # a second conflict cuts what is left of the recovering level
    at_70 = plan + (low - plan) * math.exp(-20.0 / recovery)
    assert p.mindshare(70.0) == pytest.approx(at_70 * (1 - loss))
    assert p.mindshare(70.0 + 1e4) == pytest.approx(plan)


def test_mindshare_at_the_horizon_follows_every_conflict_of_a_run():
    # Every direct deal is in an account the partner covers; the partner brings no leads.
    # Replay the log's engagements through the closed form and compare.
    loss, recovery, plan, horizon = 0.05, 30.0, 0.6, 365.0
    params = build(
        leads={"arrivals_per_month": 8.0},
        committee={"stallers": 2, **RESCHEDULERS},
        channel={
            "conflict_mindshare_loss": loss,
            "mindshare_recovery_days": recovery,
            "leads_per_staff_month": 0.0,
        },
        partners=[partner(mindshare=plan, coverage=1.0)],
    )
    world = run_world(params)
    engagements = [
        day
        for day, _, actor, what in told(world)
        if actor.startswith("rep") and what.startswith("takes ")
    ]
    assert len(engagements) > 50
    level, since = plan, 0.0
    for day in engagements:
        level = plan + (level - plan) * math.exp(-(day - since) / recovery)
        level, since = level * (1 - loss), day
    expected = plan + (level - plan) * math.exp(-(horizon - since) / recovery)
    assert world.partner_stats(0)["mindshare_end"][0] == pytest.approx(expected, rel=1e-9)
    assert expected < plan
    untouched = run_world(
        build(
            leads={"arrivals_per_month": 8.0},
            committee={"stallers": 2, **RESCHEDULERS},
            channel={"conflict_mindshare_loss": 0.0, "leads_per_staff_month": 0.0},
            partners=[partner(mindshare=plan, coverage=1.0)],
        )
    )
    assert untouched.partner_stats(0)["mindshare_end"][0] == plan


def stepped_world(params: Scenario) -> World:
    """A world whose processes are started as `World.run` starts them, to be run in steps."""
    world = World(params, SEED, 0, log=[])
    world.start()
    return world


def test_a_comp_plan_shock_drops_mindshare_overnight():
    params = build(  # no leads, so no account conflicts either
        scenario={"horizon_days": 300.0},
        leads={"arrivals_per_month": 0.0},
        channel={"shock_mindshare": 0.05, "leads_per_staff_month": 0.0},
        partners=[partner(mindshare=0.8, comp_shock_day=120.0)],
    )
    world = stepped_world(params)
    p = world.partners[0]
    world.env.run(until=119.99)
    assert p.mindshare(world.env.now) == 0.8 and p.plan_changes == 0
    world.env.run(until=120.01)
    assert p.mindshare(world.env.now) == 0.05 and p.plan_changes == 1
    world.env.run(until=299.0)
    assert p.mindshare(world.env.now) == 0.05  # the plan stays against us
    # The whole run reports the same.
    stats = run_world(params).partner_stats(0)
    assert stats["mindshare_end"][0] == 0.05 and stats["plan_changes"][0] == 1


def test_a_plan_change_back_in_our_favour_recovers_gradually_from_the_shock_level():
    params = build(  # no leads, so no account conflicts either
        scenario={"horizon_days": 400.0},
        leads={"arrivals_per_month": 0.0},
        channel={
            "shock_mindshare": 0.03,
            "mindshare_recovery_days": 90.0,
            "leads_per_staff_month": 0.0,
        },
        partners=[partner(mindshare=0.8, comp_shock_day=100.0)],
    )
    world = stepped_world(params)
    p = world.partners[0]
    p.change_days.append((200.0, False))  # a second, ordinary change restores the plan
    world.env.run(until=199.999)
    assert p.mindshare(world.env.now) == 0.03
    world.env.run(until=200.001)
    assert p.plan_changes == 2
    assert p.mindshare(world.env.now) == pytest.approx(0.03, abs=1e-3)  # no jump overnight
    world.env.run(until=290.0)
    assert p.mindshare(290.0) == pytest.approx(0.8 + (0.03 - 0.8) * math.exp(-1.0), rel=1e-6)


# ---------------------------------------------------------------- misrepresentation


def misrepresentation_world(training: float, **channel) -> World:
    params = build(
        leads={"arrivals_per_month": 10.0, "patience_mean_days": 40.0, "patience_shape": 1000.0},
        committee={
            "stallers": 5,
            **RESCHEDULERS,
            "staller_engagement_mean": 1.0,  # champions all: every committee that decides buys
            "nay_sayers": 1,
            "nay_sayer_scepticism_mean": 0.0,
        },
        channel={
            "leads_per_staff_month": 1.0,
            "misrepresentation_probability": 1.0,
            "misrepresentation_veto_probability": 1.0,
            **channel,
        },
        partners=[partner(staff=10, mindshare=1.0, training=training, coverage=0.3)],
    )
    return run_world(params)


def reached_nay_sayers(world: World) -> np.ndarray:
    later = [Outcome.WON, Outcome.LOST_COMPETITOR, Outcome.VETOED]
    stage = world.records.stage
    return np.isin(world.records.outcome, later) | (
        stage >= Stage.NAY_SAYERS
    )  # or deciding, negotiating


def test_an_untrained_partner_who_always_misrepresents_is_always_vetoed():
    world = misrepresentation_world(training=0.0)
    records = world.records
    arrived = ~np.isnan(records.created_day)
    from_partner = arrived & (world.leads.partner == 0)
    direct = arrived & (world.leads.partner < 0)
    reached = reached_nay_sayers(world)
    assert (from_partner & reached).sum() > 10 and (from_partner & ~reached).sum() > 5
    assert (records.outcome[from_partner & reached] == Outcome.VETOED).all()
    assert records.misrepresented[from_partner & reached].all()
    assert not records.misrepresented[
        from_partner & ~reached
    ].any()  # found out at the nay-sayer only
    assert not records.misrepresented[direct].any()
    assert not (records.outcome[direct] == Outcome.VETOED).any()  # the nay-sayer has no doubts
    assert (records.outcome[direct] == WON).sum() > 20
    for deal_id in np.flatnonzero(from_partner & reached):
        assert (
            lines(world, deal_id)[-1][2]
            == "is vetoed: the partner promised what the product cannot do"
        )


def test_a_fully_trained_partner_never_misrepresents():
    world = misrepresentation_world(training=1.0)
    records = world.records
    from_partner = ~np.isnan(records.created_day) & (world.leads.partner == 0)
    assert not records.misrepresented.any()
    assert not (records.outcome == Outcome.VETOED).any()
    assert (records.outcome[from_partner] == WON).sum() > 5
    assert not any("claimed features" in what for *_, what in told(world))


def test_partner_training_closes_the_gap_to_full_training():
    params = build(
        marketing={
            "staff": 2,
            "proactive_share": 0.5,
            "staller_kit": 0.0,
            "value_collateral": 0.0,
            "partner_training": 1.0,
        },
        partners=[partner(training=0.2)],
    )
    world = World(params, SEED, 0)
    level = world.marketing.level("partner_training", 0.0)
    assert level == pytest.approx(180.0 / (180.0 + 100.0))  # one person on it: e L / (e L + B)
    assert world.partners[0].training(0.0) == pytest.approx(0.2 + 0.8 * level)
    untrained = World(build(partners=[partner(training=0.2)]), SEED, 0)
    assert untrained.partners[0].training(0.0) == 0.2


def test_more_training_means_fewer_misrepresentation_vetoes():
    def vetoes(training):
        path = ROOT / "scenarios/channel_single_partner.toml"
        scenario = load_scenario(
            path,
            [
                f"partners.Integrator.training={training}",
                "partners.Integrator.mindshare=1.0",
                "partners.Integrator.comp_changes_per_year=0",
                "channel.leads_per_staff_month=0.2",
                *DIRECTION_WINDOW,
            ],
        )
        return summarise(simulate(scenario, 10, SEED))["misrepresentation_vetoes_per_year"]

    untrained, half, trained = vetoes(0.0), vetoes(0.5), vetoes(1.0)
    assert untrained > half > trained == 0.0


def test_without_a_nay_sayer_nobody_vetoes_a_misrepresented_deal():
    params = build(
        leads={"arrivals_per_month": 0.0},
        channel={
            "leads_per_staff_month": 1.0,
            "misrepresentation_probability": 1.0,
            "misrepresentation_veto_probability": 1.0,
        },
        partners=[partner(staff=10, mindshare=1.0, training=0.0)],
    )
    assert params.committee.nay_sayers == 0
    deals = simulate(params, 1, SEED).deals
    assert len(deals) > 50 and deals["misrepresented"].all()
    assert not (deals["outcome"] == "vetoed").any()


def test_misrepresentation_vetoes_count_only_vetoes_for_misrepresentation():
    params = build(
        leads={"arrivals_per_month": 0.0},
        committee={
            "nay_sayers": 1,
            "nay_sayer_scepticism_mean": 1.0,
            "veto_probability": 1.0,
            "objection_probability": 0.0,
        },
        channel={
            "leads_per_staff_month": 1.0,
            "misrepresentation_probability": 1.0,
            "misrepresentation_veto_probability": 0.0,
        },
        partners=[partner(staff=10, mindshare=1.0, training=0.0)],
    )
    world = run_world(params)
    assert not any("is vetoed: the partner promised" in what for *_, what in told(world))
    summary = summarise(simulate(params, 1, SEED))
    assert summary["outcomes"]["vetoed"] > 50
    assert summary["misrepresentation_vetoes_per_year"] == 0


# ---------------------------------------------------------------- rescue


def rescue_world(founder_deals: int) -> World:
    params = build(
        leads={"arrivals_per_month": 0.0},
        committee={"stallers": 3, **RESCHEDULERS},
        channel={
            "leads_per_staff_month": 0.5,
            "rescue_after_stalls": 2,
            "partner_skill": 0.5,
            "conflict_mindshare_loss": 0.0,
        },
        founder={"max_active_deals": founder_deals},
        partners=[partner(staff=10, mindshare=1.0, training=1.0)],
    )
    return run_world(params)


def rescues(world: World) -> dict[int, tuple[float, str]]:
    return {
        deal: (day, actor)
        for day, deal, actor, what in told(world)
        if what.startswith("steps in to rescue")
    }


@pytest.mark.parametrize("founder_deals", [0, 1, 1000])
def test_stalled_partner_deals_are_rescued_by_a_direct_seller(founder_deals):
    world = rescue_world(founder_deals)
    records = world.records
    rescued = rescues(world)
    closed = closed_ids(world)
    assert len(rescued) > 20 and (records.stalls[closed] < 2).sum() > 5
    np.testing.assert_array_equal(np.flatnonzero(records.rescued), sorted(rescued))
    # Every closed deal that stalled twice was rescued, right after its second stall.
    for deal_id in closed:
        assert records.rescued[deal_id] == (records.stalls[deal_id] >= 2), deal_id
    for deal_id, (day, actor) in rescued.items():
        before = [
            what
            for d, a, what in lines(world, deal_id)
            if d <= day and what == "reschedules the meeting"
        ]
        assert len(before) == 2
        # Direct hours run from the rescue to the end of the deal.
        end = records.closed_day[deal_id] if not np.isnan(records.closed_day[deal_id]) else 365.0
        per_day = 3.0 / founder_deals if actor == "the founder" else 8.0 / 10
        assert records.direct_hours[deal_id] == pytest.approx((end - day) * per_day, rel=1e-9)
        assert records.direct_hours[deal_id] > 0
    assert (records.direct_hours[~records.rescued] == 0).all()
    assert (records.owner[~np.isnan(records.created_day)] == Owner.PARTNER).all()
    actors = {actor for _, actor in rescued.values()}
    if founder_deals == 0:
        assert "the founder" not in actors
    elif founder_deals == 1000:
        assert actors == {"the founder"}
    else:
        assert "the founder" in actors and len(actors) > 1


def test_the_founder_is_called_first_and_reps_only_while_the_founder_is_busy():
    world = rescue_world(1)
    records = world.records
    busy = []  # the founder's rescues: from the rescue to the end of the deal
    for deal_id, (day, actor) in rescues(world).items():
        if actor == "the founder":
            end = records.closed_day[deal_id]
            busy.append((day, end if not np.isnan(end) else math.inf))
    for deal_id, (day, actor) in rescues(world).items():
        overlapping = sum(start < day < end for start, end in busy)
        if actor == "the founder":
            assert overlapping == 0, deal_id  # one deal at a time
        else:
            assert overlapping == 1, deal_id  # a rep only when the founder is busy


# -------------------------------------------------------------- directions (common random numbers)


def commission_share(scenario: Scenario, replications: int = 20) -> float:
    return summarise(simulate(scenario, replications, SEED))["commission_share"]


def test_more_coverage_raises_the_commission_share():
    path = ROOT / "scenarios/channel_single_partner.toml"
    shares = [
        commission_share(
            load_scenario(path, [f"partners.Integrator.coverage={c}", *DIRECTION_WINDOW])
        )
        for c in (0.0, 0.5, 1.0)
    ]
    assert all(np.diff(shares) > 0.02), shares  # expected steps of about 0.2 x 0.5 = 0.1


def test_more_partners_raise_the_commission_share():
    path = ROOT / "scenarios/baseline.toml"
    one = with_partners(path, [partner("A", coverage=0.5, staff=20)], *DIRECTION_WINDOW)
    three = with_partners(
        path, [partner(name, coverage=0.5, staff=20) for name in "ABC"], *DIRECTION_WINDOW
    )
    # Expected about 0.2 x 0.5 (plus the partner's own leads) against 3 x 0.2 x 0.5.
    assert commission_share(three) > commission_share(one) + 0.1


def test_a_comp_plan_shock_cuts_partner_sourced_wins_after_the_shock():
    strong = {"staff": 50, "mindshare": 1.0, "training": 1.0, "coverage": 0.3}
    path = ROOT / "scenarios/baseline.toml"
    overrides = (
        "channel.partner_skill=3.0",
        "channel.leads_per_staff_month=0.2",
        "committee.stallers=3",
    )
    shock_day, replications = 180.0, 6

    def wins_after(**extra):
        scenario = with_partners(path, [partner("Strong", **strong, **extra)], *overrides)
        deals = simulate(scenario, replications, SEED).deals
        won = deals[(deals["outcome"] == "won") & (deals["source"] == "partner")]
        return (won["closed_day"] > shock_day).sum(), (won["closed_day"] <= shock_day).sum()

    (after_calm, before_calm), (after_shock, before_shock) = (
        wins_after(),
        wins_after(comp_shock_day=shock_day),
    )
    assert before_calm > 30 and after_calm > 50  # partner wins are common
    assert after_shock < 0.5 * after_calm
    assert before_shock == before_calm  # nothing differs before the shock


# ---------------------------------------------------------------- the founder


def founder_world(founder_deals: int) -> World:
    params = build(
        leads={
            "arrivals_per_month": 12.0,
            "marketing_share": 0.3,
            "inbound_web_share": 0.2,
            "founder_network_share": 0.5,
        },
        committee={"stallers": 4, **RESCHEDULERS},
        founder={"max_active_deals": founder_deals},
    )
    return run_world(params)


@pytest.mark.parametrize("founder_deals", [0, 2, 1000])
def test_the_founder_owns_the_network_leads_while_free(founder_deals):
    world = founder_world(founder_deals)
    records, book = world.records, world.leads
    arrived = ~np.isnan(records.created_day)
    network = arrived & (book.source == Source.FOUNDER_NETWORK)
    founder = Owner.FOUNDER
    assert set(np.unique(records.owner[arrived])) <= {Owner.REP, founder}
    assert not (records.owner[arrived & ~network] == founder).any()
    if founder_deals == 0:
        assert not (records.owner == founder).any()
    elif founder_deals == 1000:
        assert (records.owner[network] == founder).all() and network.sum() > 30
    else:
        assert (records.owner[network] == founder).any() and (
            records.owner[network] != founder
        ).any()
    # Direct hours: from the moment a seller takes the deal to its end, at the seller's hours a day.
    takers = {
        deal: (day, actor)
        for day, deal, actor, what in told(world)
        if what.startswith("takes the deal")
    }
    for deal_id in np.flatnonzero(arrived):
        if deal_id not in takers:  # still waiting for a rep at the horizon
            assert records.direct_hours[deal_id] == 0.0
            continue
        day, actor = takers[deal_id]
        end = records.closed_day[deal_id] if not np.isnan(records.closed_day[deal_id]) else 365.0
        per_day = 3.0 / founder_deals if actor == "the founder" else 8.0 / 10
        assert records.direct_hours[deal_id] == pytest.approx((end - day) * per_day, rel=1e-9)
        assert records.direct_hours[deal_id] > 0
    # "While free": a network lead goes to a rep only when the founder's deals are all taken.
    taken = {
        deal: day
        for day, deal, actor, what in told(world)
        if actor == "the founder" and what.startswith("takes")
    }
    assert set(taken) == set(np.flatnonzero(arrived & (records.owner == founder)))
    spans = [
        (day, records.closed_day[deal] if not np.isnan(records.closed_day[deal]) else math.inf)
        for deal, day in taken.items()
    ]
    for deal_id in np.flatnonzero(network):
        day = records.created_day[deal_id]
        active = sum(start < day < end for start, end in spans)
        if deal_id in taken:
            assert active < founder_deals
        else:
            assert active == founder_deals


def test_the_founder_scenario_file_gives_the_founder_network_deals():
    deals = simulate(ROOT / "scenarios/founder_led.toml", 2, SEED).deals
    assert set(deals["owner"].unique()) <= set(Owner.keys())
    network = deals[deals["source"] == "founder_network"]
    assert (network["owner"] == "founder").sum() > 0.3 * len(network)
    assert not (deals.loc[deals["source"] != "founder_network", "owner"] == "founder").any()


# ---------------------------------------------------------------- rep attrition


def drought_world(reassign: float, drought=30.0, hire_delay=20.0) -> World:
    params = build(
        scenario={"horizon_days": 190.0},
        leads={"arrivals_per_month": 20.0},
        committee={  # nobody can win: three stallers of engagement 0 outvote two deciders
            "stallers": 3,
            **RESCHEDULERS,
            "staller_engagement_mean": 0.0,
            "staller_engagement_gain": 0.0,  # and stalls never win them over
            "decision_makers": 2,
            "decision_days": 5.0,
        },
        reps={
            "count": 3,
            "drought_days": drought,
            "hire_delay_days": hire_delay,
            "reassign_probability": reassign,
        },
    )
    return run_world(params)


def test_reps_without_wins_leave_and_are_replaced_after_the_hiring_delay():
    world = drought_world(reassign=0.0)
    reps = world.reps.reps
    assert not any(rep.last_win_day > max(rep.hired_day, 0.0) for rep in reps)  # no wins
    departure = {
        f"rep {rep.index}": max(rep.hired_day, 0.0) + 30.0 for rep in reps if not rep.employed
    }
    # The first three leave on day 30, their replacements start on day 50 and leave on day 80, ...
    assert sorted(departure.values()) == [30.0] * 3 + [80.0] * 3 + [130.0] * 3 + [180.0] * 3
    assert world.reps.departures == 12 and world.reps.hires == 9
    assert sorted(rep.hired_day for rep in reps[3:]) == [50.0] * 3 + [100.0] * 3 + [150.0] * 3
    stats = world.replication_stats(0)
    assert stats["rep_departures"] == 12 and stats["rep_hires"] == 9
    assert stats["rep_days"] == 4 * 3 * 30.0  # four shifts of three reps, 30 days each
    # A departed rep takes no more deals; its open deals go dark that very day.
    for day, _deal, actor, what in told(world):
        if actor in departure:
            assert day <= departure[actor], (actor, day, what)
    dark = [
        (day, deal)
        for day, deal, actor, what in told(world)
        if what == "goes dark: its rep left the company (no decision)"
    ]
    assert len(dark) > 20
    assert {day for day, _ in dark} <= {30.0, 80.0, 130.0, 180.0}
    assert not any("takes over the deal" in what for *_, what in told(world))


def test_a_departing_reps_deals_are_handed_to_reps_with_free_slots():
    world = drought_world(reassign=1.0)
    texts = [what for *_, what in told(world)]
    assert "takes over the deal of a rep who left" in texts
    assert (
        "goes dark: its rep left the company (no decision)" in texts
    )  # the last of three leaving at once has no heir
    summary = summarise(simulate(world.scenario, 2, SEED))
    assert summary["rep_departures_per_year"] == pytest.approx(12 / summary["window"]["years"])


def test_reps_never_leave_without_a_drought_limit_and_are_not_replaced_with_an_infinite_delay():
    forever = drought_world(reassign=0.0, drought=math.inf)
    assert forever.reps.departures == forever.reps.hires == 0 and len(forever.reps.reps) == 3
    assert not any("its rep left" in what for *_, what in told(forever))
    unreplaced = drought_world(reassign=0.0, hire_delay=math.inf)
    assert unreplaced.reps.departures == 3 and unreplaced.reps.hires == 0
    assert not any(actor.startswith("rep") for day, _, actor, _ in told(unreplaced) if day > 30.0)


# ---------------------------------------------------------------- value focus


def test_a_commission_plan_makes_reps_push_big_deals():
    def stall_days_by_tercile(focus):
        params = build(
            leads={"arrivals_per_month": 20.0, "value_sigma": 1.0},
            committee={"stallers": 4, "staller_meeting_days": 4.0},  # meetings only, never a stall
            reps={"count": 10, "value_focus": focus},
        )
        deals = simulate(params, 3, SEED).deals
        done = deals[deals["outcome"] == "won"]
        low, high = np.quantile(done["value"], [1 / 3, 2 / 3])
        small = done[done["value"] <= low]
        big = done[done["value"] >= high]
        return (
            small["days_stallers"].mean(),
            big["days_stallers"].mean(),
            small["cycle_days"].mean(),
            big["cycle_days"].mean(),
        )

    small0, big0, _, _ = stall_days_by_tercile(0.0)
    small1, big1, cycle_small1, cycle_big1 = stall_days_by_tercile(1.0)
    assert big0 / small0 == pytest.approx(1.0, abs=0.2)  # a salary plan: equal effort, 16 days each
    assert big1 < 0.5 * small1
    assert big1 < big0 and small1 > small0
    assert cycle_big1 < cycle_small1


# ---------------------------------------------------------------- scenario files


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_every_scenario_file_loads_and_runs(path):
    scenario = load_scenario(path)
    results = simulate(scenario, 1, SEED)
    assert len(results.deals) > 0 and len(results.replications) == 1
    assert len(results.partners) == len(scenario.partners)
    if scenario.partners:
        partners = results.partners
        assert list(partners["partner"]) == [p.name for p in scenario.partners]
        assert (partners["commission"] >= 0).all() and partners["mindshare_end"].between(0, 1).all()
        # A random plan change can turn a partner away early in one replication; over five,
        # leads come.
        assert (simulate(scenario, 5, SEED).deals["source"] == "partner").any()
    else:
        assert not (results.deals["source"] == "partner").any()


def test_channel_scenarios_are_the_ones_with_partners():
    with_channel = {path.stem for path in SCENARIOS if load_scenario(path).partners}
    assert {"channel_single_partner", "channel_overlap", "partner_comp_shock"} <= with_channel


def test_a_partner_value_can_be_set_by_name():
    path = ROOT / "scenarios/channel_overlap.toml"
    scenario = load_scenario(
        path, ["partners.Integrator.mindshare=0.1", "partners.Consultancy.staff=3"]
    )
    by_name = {p.name: p for p in scenario.partners}
    assert by_name["Integrator"].mindshare == 0.1 and by_name["Consultancy"].staff == 3
    assert by_name["Reseller"] == load_scenario(path).partners[1]
    silent = [
        f"partners.{name}.{key}=0"
        for name in ("Integrator", "Reseller", "Consultancy")
        for key in ("mindshare", "comp_changes_per_year")
    ]
    results = simulate(path, 3, SEED, silent)
    assert not (results.deals["source"] == "partner").any()  # no mindshare, no partner leads


def test_an_unknown_partner_name_is_an_error_naming_the_valid_ones():
    path = ROOT / "scenarios/channel_overlap.toml"
    with pytest.raises(ScenarioError) as error:
        load_scenario(path, ["partners.Integrater.mindshare=0.1"])
    message = str(error.value)
    assert "Integrater" in message
    for name in ("Integrator", "Reseller", "Consultancy"):
        assert name in message
    with pytest.raises(ScenarioError, match="none in this scenario"):
        load_scenario(ROOT / "scenarios/baseline.toml", ["partners.Integrator.mindshare=0.1"])
    with pytest.raises(ScenarioError, match="mindshare"):
        load_scenario(path, ["partners.Integrator.mindshare=1.5"])
