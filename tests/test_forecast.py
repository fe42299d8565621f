"""Starting from an open pipeline and forecasting from it.

Exact event scripts for open deals in the model (where they join, their patience,
their owner's rep), the pipeline read from a normalised CRM table, the forecast's
tables, and (slow) the backtest: the 80% interval covers what then happened about as
often as the forecast itself says it should.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, Scripted, ScriptedStreams, scenario, trace
from scipy import stats
from scipy.special import gammainc

from sim.analysis.forecast import (
    DEAL_FORECAST_COLUMNS,
    TOTALS,
    backtest,
    coverage,
    forecast,
)
from sim.model.leads import LeadBook
from sim.model.pipeline import committee_shape, patience_beyond
from sim.model.records import DealRecords
from sim.model.world import World, simulate_replication
from sim.scenario import load_scenario
from sim.scenario.crm import OPPORTUNITY_COLUMNS, opportunity_frame
from sim.scenario.pipeline import OpenDeal, Pipeline, PipelineError, pipeline_from_opportunities
from sim.vocabulary import Outcome, Reason, Source, Stage

# One staller and one nay-sayer, each letting the seller through at the first meeting:
# qualifying takes 2 days, the staller 4, the nay-sayer 10, negotiating 3.
SCRIPTED = {
    "leads": {"arrivals_per_month": 0.0},
    "reps": {"qualify_days": 2.0},
    "committee": {
        "stallers": 1,
        "staller_engagement_mean": 1.0,
        "staller_meeting_days": 4.0,
        "nay_sayers": 1,
        "nay_sayer_scepticism_mean": 0.0,
        "nay_sayer_review_days": 10.0,
        "negotiation_days": 3.0,
    },
}


def open_deal(stage: Stage, age: float = 30.0, owner: str = "ann", **more) -> OpenDeal:
    fields = {"value": 1000.0, "source": Source.MARKETING, "committee_size": None, **more}
    return OpenDeal(f"opp-{owner}-{stage.key}", age, stage, owner=owner, **fields)


def pipeline_world(params, *deals: OpenDeal, founder: str | None = None) -> World:
    """A world with no leads of its own, starting from `deals`, every die scripted to pass."""
    streams = ScriptedStreams(Scripted(then=0.5), Scripted(then=0.0))
    return World(params, 1, 0, log=[], streams=streams, pipeline=Pipeline(tuple(deals), founder))


def with_leads(world: World, arrivals: list[float]) -> World:
    """The world's leads replaced by direct leads arriving on `arrivals` (as
    conftest.one_lead_world makes them), before the pipeline's open deals."""
    n = len(arrivals)
    leads = LeadBook(
        arrival_day=np.array(arrivals, dtype=float),
        value=np.full(n, 1000.0),
        patience_days=np.full(n, 1e6),
        source=np.zeros(n, dtype=np.int64),
        fit=np.full(n, 0.99),
        incumbent=np.zeros(n, dtype=bool),
        partner=np.full(n, -1),
        covered=np.zeros((n, 0), dtype=bool),
        account=np.full(n, -1),
        accept=np.zeros(n),
    )
    world.pipeline_from = world.streams.pipeline_from = n
    world.leads = world.open_deals.after(leads)
    world.records = DealRecords(world.leads, world.scenario.scenario.horizon_days)
    return world


def story(world: World, deal_id: int = 0) -> list[tuple[float, str, str]]:
    """The deal's trace without the committee's votes."""
    return [line for line in trace(world, deal_id) if not line[2].startswith("votes")]


# ---------------------------------------------------------------- where an open deal joins

TAKES = (0.0, "rep 0", "takes the deal (1 active)")
STORIES = {
    Stage.WAITING_FOR_REP: [
        TAKES,
        (2.0, "rep 0", "qualifies the lead"),
        (6.0, "staller 1", "lets the seller through"),
        (16.0, "nay-sayer 1", "approves"),
        (16.0, "decision maker 1", "would buy from us"),
        (19.0, "deal", "is won"),
    ],
    Stage.STALLERS: [
        TAKES,
        (4.0, "staller 1", "lets the seller through"),
        (14.0, "nay-sayer 1", "approves"),
        (14.0, "decision maker 1", "would buy from us"),
        (17.0, "deal", "is won"),
    ],
    Stage.NAY_SAYERS: [
        TAKES,
        (10.0, "nay-sayer 1", "approves"),
        (10.0, "decision maker 1", "would buy from us"),
        (13.0, "deal", "is won"),
    ],
    Stage.DECIDING: [
        TAKES,
        (0.0, "decision maker 1", "would buy from us"),
        (3.0, "deal", "is won"),
    ],
    Stage.NEGOTIATING: [TAKES, (3.0, "deal", "is won")],
}
STORIES[Stage.QUALIFYING] = STORIES[Stage.WAITING_FOR_REP]  # a new lead qualifies first too


@pytest.mark.parametrize("stage", list(STORIES), ids=lambda stage: stage.key)
def test_an_open_deal_skips_the_steps_before_its_stage_and_starts_its_own_afresh(stage):
    world = pipeline_world(scenario(**SCRIPTED), open_deal(stage, age=30.0))
    world.run()
    assert story(world) == STORIES[stage]
    records = world.records
    assert records.created_day[0] == -30.0
    assert records.qualified[0]
    # The days before the run count to the stage it joined at; all days add up to its age.
    assert records.stage_days[0][stage] >= 30.0
    assert records.stage_days[0].sum() == pytest.approx(30.0 + STORIES[stage][-1][0])


def test_an_open_deal_still_qualifying_can_be_disqualified_but_one_past_it_cannot():
    params = scenario(
        **{**SCRIPTED, "leads": {"arrivals_per_month": 0.0, "disqualify_probability": 1.0}}
    )
    world = pipeline_world(
        params, open_deal(Stage.QUALIFYING, owner="ann"), open_deal(Stage.STALLERS, owner="bob")
    )
    world.run()
    assert Outcome.from_code(int(world.records.outcome[0])) == Outcome.DISQUALIFIED
    assert Outcome.from_code(int(world.records.outcome[1])) == Outcome.WON


def test_an_open_deal_waiting_for_a_rep_queues_like_a_lead():
    world = pipeline_world(scenario(**SCRIPTED), open_deal(Stage.WAITING_FOR_REP, owner=""))
    world.run()
    assert story(world) == STORIES[Stage.WAITING_FOR_REP]
    assert world.pipeline is not None and world.pipeline.owners == ()


@pytest.mark.parametrize(
    ("stage", "engagement", "scepticism"),
    [(Stage.STALLERS, 0.5, 1.0), (Stage.NAY_SAYERS, 0.65, 1.0), (Stage.DECIDING, 0.65, 0.5)],
    ids=lambda value: value.key if isinstance(value, Stage) else None,
)
def test_the_members_an_open_deal_got_past_remember_its_meetings(stage, engagement, scepticism):
    # The staller stalls with chance 1 x (1 - 1/2): 0.1 stalls (won over by 0.3 of what is
    # left), 0.9 lets the seller by. The nay-sayer, given no veto (chance 0.8), objects
    # with chance 0.6 / 0.8: 0.7 objects (relieved by half), then 0.9 approves.
    committee = {
        **SCRIPTED["committee"],
        "staller_engagement_mean": 0.5,
        "member_concentration": 1e6,
        "staller_stall_probability": 1.0,
        "staller_engagement_gain": 0.3,
        "nay_sayer_scepticism_mean": 1.0,
        "veto_probability": 0.2,
        "objection_probability": 0.6,
        "objection_relief": 0.5,
    }
    params = scenario(**{**SCRIPTED, "committee": committee})
    streams = ScriptedStreams(Scripted([0.1, 0.9, 0.7, 0.9]), Scripted(then=0.0))
    deal = open_deal(stage)
    pipeline = Pipeline((deal,))
    world = World(params, 1, 0, streams=streams, run_ahead=False, pipeline=pipeline)
    world.start()  # the open deal joins, and its journey waits for its first step
    members = world.deals[0].committee
    assert members.stallers[0].engagement == pytest.approx(engagement, abs=0.005)  # about 1/2
    assert members.nay_sayers[0].scepticism == pytest.approx(scepticism)


# ---------------------------------------------------------------- patience beyond its age


@pytest.mark.parametrize("age", [0.0, 50.0, 400.0, 5000.0])
def test_patience_is_drawn_above_the_age_by_inversion(age):
    shape, mean = 2.0, 270.0
    uniforms = np.array([0.0, 0.1, 0.5, 0.9, 0.999])
    patience = patience_beyond(np.full(5, age), uniforms, shape, mean)
    assert np.all(patience >= age) and np.all(np.diff(patience) > 0)
    # F(patience) = F(age) + u (1 - F(age)): the gamma's law given that it exceeds the age.
    below = gammainc(shape, age / (mean / shape))
    expected = below + uniforms * (1.0 - below)
    assert gammainc(shape, patience / (mean / shape)) == pytest.approx(expected, abs=1e-9)
    if age == 0.0:
        unconditional = stats.gamma.ppf(uniforms, shape, scale=mean / shape)
        assert patience == pytest.approx(unconditional, rel=1e-9)


def test_an_open_deal_goes_dark_when_its_patience_counted_from_its_creation_runs_out():
    params = scenario(
        **{
            **SCRIPTED,
            "leads": {
                "arrivals_per_month": 0.0,
                "patience_mean_days": 150.0,
                "patience_shape": 2.0,
            },
            "committee": {**SCRIPTED["committee"], "staller_meeting_days": 3000.0},
            "scenario": {"horizon_days": 3000.0},
        }
    )
    world = pipeline_world(params, open_deal(Stage.STALLERS, age=100.0))
    world.run()
    records = world.records
    patience = world.leads.patience_days[0]
    assert patience > 100.0
    assert records.closed_day[0] == pytest.approx(patience - 100.0)
    assert Reason.from_code(int(records.reason[0])) == Reason.PATIENCE_WITH_COMMITTEE


# ---------------------------------------------------------------- owners and their reps


def test_each_owner_is_a_rep_of_their_own_in_sorted_order():
    params = scenario(**{**SCRIPTED, "reps": {"qualify_days": 2.0, "count": 3}})
    world = pipeline_world(
        params,
        open_deal(Stage.NEGOTIATING, owner="cy"),
        open_deal(Stage.NEGOTIATING, owner="ann"),
        open_deal(Stage.DECIDING, owner="ann"),
    )
    world.run()
    assert world.records.rep.tolist() == [1, 0, 0]  # ann, cy: reps 0 and 1


def test_an_owner_keeps_every_deal_beyond_the_limit_and_new_leads_wait_until_below_it():
    # One rep, one deal at a time, two open deals: the rep keeps both; a lead arriving
    # on day 1 waits for the second to end (day 8), not the first (day 3).
    params = scenario(
        **{
            **SCRIPTED,
            "reps": {"qualify_days": 2.0, "count": 1, "max_active_deals": 1},
            "committee": {**SCRIPTED["committee"], "decision_days": 5.0},
        }
    )
    world = pipeline_world(
        params, open_deal(Stage.NEGOTIATING), open_deal(Stage.DECIDING, owner="ann")
    )
    world = with_leads(world, [1.0])
    world.run()
    assert world.records.closed_day[1:].tolist() == [3.0, 8.0]  # the open deals, ids 1, 2
    assert trace(world, 0)[1] == (8.0, "rep 0", "takes the deal (1 active)")
    assert world.reps.reps[0].overbooked == 0 and world.reps.reps[0].active_deals == 0


def test_the_founders_deals_go_to_the_founder():
    params = scenario(**{**SCRIPTED, "founder": {"max_active_deals": 1}})
    world = pipeline_world(params, open_deal(Stage.NEGOTIATING, owner="Ada"), founder="Ada")
    world.run()
    assert trace(world)[0] == (0.0, "the founder", "takes the deal (1 active)")


def test_a_pipeline_the_scenario_cannot_run_is_a_clear_error():
    deals = tuple(open_deal(Stage.STALLERS, owner=name) for name in ("a", "b", "c", "d"))
    with pytest.raises(PipelineError, match=r"4 owners \(a, b, c, d\).*--set reps.count=4"):
        Pipeline(deals).check(scenario(reps={"count": 3}))
    with pytest.raises(PipelineError, match="--set founder.max_active_deals=1"):
        Pipeline(deals[:1], founder="a").check(scenario())
    with pytest.raises(PipelineError, match="--set market.accounts=inf"):
        Pipeline(deals[:1]).check(scenario(market={"accounts": 100.0}))


def test_a_committee_of_the_size_the_crm_shows():
    params = scenario(committee={"stallers": 3, "nay_sayers": 1, "decision_makers": 1})
    sizes = {s: committee_shape(params.committee, s) for s in (None, 1, 2, 8)}
    members = {s: (c.decision_makers, c.nay_sayers, c.stallers) for s, c in sizes.items()}
    assert members == {None: (1, 1, 3), 1: (1, 0, 0), 2: (1, 1, 0), 8: (1, 1, 6)}
    world = pipeline_world(scenario(**SCRIPTED), open_deal(Stage.DECIDING, committee_size=4))
    world.run()
    assert world.records.committee_size[0] == 4


# ---------------------------------------------------------------- the leads are untouched

SHORT = {"scenario": {"horizon_days": 200.0, "warmup_days": 0.0}}


def test_without_a_pipeline_a_run_is_as_it_was_and_an_empty_one_changes_nothing():
    params = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        ["scenario.horizon_days=200", "scenario.warmup_days=0"],
    )
    plain = simulate_replication(params, 5, 2)["deals"]
    empty = simulate_replication(params, 5, 2, pipeline=Pipeline(()))["deals"]
    assert plain.keys() == empty.keys()
    for name in plain:
        assert plain[name].tobytes() == empty[name].tobytes(), name


def test_the_leads_draw_the_same_with_or_without_a_pipeline():
    # Reps enough for everyone, alike, and nothing else shared: each lead's story is the
    # same whatever open deals the reps also work.
    params = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        [
            "scenario.horizon_days=200",
            "scenario.warmup_days=0",
            "reps.count=40",
            "reps.skill_sigma=0",
            "committee.request_weight=0",
        ],
    )
    deals = [open_deal(stage, owner=f"o{i}") for i, stage in enumerate(STORIES)]
    plain = simulate_replication(params, 5, 2)["deals"]
    opened = simulate_replication(params, 5, 2, pipeline=Pipeline(tuple(deals)))["deals"]
    leads = len(plain["deal_id"])
    assert len(opened["deal_id"]) == leads + len(deals)
    for name in plain:
        if name != "rep":  # the open deals take some reps' first slots
            assert plain[name].tobytes() == opened[name][:leads].tobytes(), name
    assert (opened["created_day"][leads:] == -30.0).all()


def test_an_open_deal_draws_the_same_however_many_leads_arrive():
    # As above: an open deal's story does not depend on the leads, nor its draws on
    # how many there are.
    deals = tuple(open_deal(stage, owner=f"o{i}") for i, stage in enumerate(STORIES))
    stories = []
    for rate in (6, 12):
        params = load_scenario(
            ROOT / "scenarios" / "baseline.toml",
            [
                "scenario.horizon_days=200",
                "scenario.warmup_days=0",
                "reps.count=40",
                "reps.skill_sigma=0",
                "committee.request_weight=0",
                f"leads.arrivals_per_month={rate}",
            ],
        )
        table = simulate_replication(params, 5, 2, pipeline=Pipeline(deals))["deals"]
        stories.append({name: table[name][-len(deals) :] for name in table if name != "rep"})
    few, many = stories
    for name in few:
        if name != "deal_id":  # after every candidate lead's: more leads, higher ids
            assert few[name].tobytes() == many[name].tobytes(), name


# ---------------------------------------------------------------- reading the pipeline


def opportunities() -> pd.DataFrame:
    rows = [
        # id, created, closed, outcome, lost reason, amount, owner, source, partner, contacts,
        # stage: OPPORTUNITY_COLUMNS' order
        ("A", "2024-01-01", None, "open", "", 10.0, "ann", "Web", "", 4.0, "stallers"),
        ("B", "2024-03-01", None, "open", "", math.nan, "bob", "", "", math.nan, "Demo"),
        ("C", "2024-02-01", "2024-05-01", "won", "", 30.0, "ann", "", "P1", 2.0, "negotiating"),
        ("D", "2024-01-15", "2024-03-01", "lost", "", 40.0, "bob", "", "", 3.0, "deciding"),
        ("E", "2024-04-10", None, "open", "", 50.0, "", "Founder intro", "", 1.0, "qualifying"),
        ("F", "2024-04-20", None, "open", "", 60.0, "ann", "", "", 1.0, "qualifying"),
    ]
    return opportunity_frame(dict(zip(OPPORTUNITY_COLUMNS, zip(*rows, strict=True), strict=True)))


def test_the_pipeline_is_what_was_open_on_the_day_as_the_crm_showed_it():
    stages = pd.DataFrame(
        {
            "opportunity_id": ["C", "C", "C"],
            "stage": ["qualifying", "deciding", "negotiating"],
            "entered_date": pd.to_datetime(["2024-02-01", "2024-03-20", "2024-04-20"]),
        }
    )

    def stage_of(name: str) -> Stage | None:
        return Stage.from_key(name) if name in Stage.keys() else None  # noqa: SIM118

    def source_of(text: str, partner: str) -> Source:
        return (
            Source.PARTNER if partner else Source.INBOUND_WEB if text == "Web" else Source.MARKETING
        )

    pipeline = pipeline_from_opportunities(
        opportunities(), pd.Timestamp("2024-04-11"), stage_of, source_of, stages=stages
    )
    found = {deal.opportunity_id: deal for deal in pipeline.deals}
    assert list(found) == ["A", "B", "C", "E"]  # D closed before, F created after
    assert found["A"] == OpenDeal("A", 101.0, Stage.STALLERS, 10.0, "ann", Source.INBOUND_WEB, 4)
    assert found["B"].stage == Stage.QUALIFYING and math.isnan(found["B"].value)  # "Demo"
    assert found["B"].committee_size is None
    assert found["C"].stage == Stage.DECIDING  # on the day, by its history; won later
    assert found["C"].source == Source.PARTNER
    assert found["E"].stage == Stage.WAITING_FOR_REP  # no owner
    assert pipeline.owners == ("ann", "bob")
    assert pipeline.notes == (
        "1 open deal with a stage the mapping does not know: started at qualifying: B",
        "1 open deal without an amount: valued at the median (leads.value_median): B",
        "1 open deal without an owner: started at waiting_for_rep: E",
    )
    assert found["B"].value_in(scenario()) == scenario().leads.value_median


# ---------------------------------------------------------------- the forecast


def test_a_forecast_gives_each_open_deal_its_chances_and_the_totals_their_intervals():
    params = load_scenario(ROOT / "scenarios" / "baseline.toml")
    deals = tuple(
        open_deal(stage, age=20.0 * i, owner=f"rep {i % 3}")
        for i, stage in enumerate(list(STORIES) * 2)
    )
    result = forecast(params, Pipeline(deals), days=75, replications=6, seed=3)
    table = result.deals
    windows = ["p_won_by_day_30", "p_won_by_day_60"]
    assert list(table.columns) == [*DEAL_FORECAST_COLUMNS, *windows]
    endings = ["p_won", "p_open", "p_no_decision", "p_lost", "p_disqualified"]
    assert table[endings].sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert (table["p_won_by_day_30"] <= table["p_won_by_day_60"]).all()
    assert (table["p_won_by_day_60"] <= table["p_won"]).all()
    assert (table["expected_revenue"] <= table["p_won"] * table["value"] + 1e-9).all()
    totals = result.totals
    assert list(totals.columns) == list(TOTALS) and len(totals) == 6 == result.replications
    assert (totals["wins"] == totals["pipeline_wins"] + totals["new_wins"]).all()
    assert totals["pipeline_wins"].mean() == pytest.approx(table["p_won"].sum())
    assert totals["slipped"].mean() == pytest.approx(table["p_open"].sum())
    intervals = result.intervals()
    assert list(intervals.columns) == ["mean", "p10", "p50", "p90"]
    assert (intervals["p10"] <= intervals["p90"]).all()
    assert result.days == 75.0
    again = forecast(params, Pipeline(deals), days=75, replications=6, seed=3)
    pd.testing.assert_frame_equal(again.totals, totals)
    pd.testing.assert_frame_equal(again.deals, table)


# ---------------------------------------------------------------- the backtest


@pytest.mark.slow
def test_the_forecasts_80_percent_interval_covers_what_happened_as_often_as_it_says():
    """Trials of a company whose future is known (the baseline five times over, with
    some 60 open deals). For counts the interval holds more than 80% of the forecast's
    own replications (its quantiles are tied): that share, not 0.8, is what the coverage
    of the totals should match, within three binomial standard errors. (The pipeline's
    own wins are forecast some 8% low, docs/model.md: the script reports them.)"""
    trials = 200
    params = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        ["leads.arrivals_per_month=30", "reps.count=15", "marketing.staff=10"],
    )
    table = coverage(backtest(params, trials, replications=100, workers=None))
    for name in ("wins", "revenue"):
        row = table.loc[name]
        tolerance = 3 * math.sqrt(row["expected"] * (1 - row["expected"]) / trials)
        assert abs(row["coverage"] - row["expected"]) <= tolerance, (name, row.to_dict())
