"""Mechanism tests per actor: exact event traces with scripted dice (delays = their means)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import one_lead_world, scenario, trace

from sim.model.calendar import NO_LEAVE
from sim.model.committee import Committee, CommitteeDraws
from sim.model.reps import Rep
from sim.model.streams import BEHAVIOUR, CHUNK, DECISIONS, OVERFLOW_BLOCK, Streams, generator
from sim.vocabulary import Outcome, Reason

REQUESTERS = {"request_weight": 1.0, "reschedule_weight": 0.0, "handoff_weight": 0.0}
RESCHEDULERS = {"request_weight": 0.0, "reschedule_weight": 1.0, "handoff_weight": 0.0}
HANDERS_OFF = {"request_weight": 0.0, "reschedule_weight": 0.0, "handoff_weight": 1.0}
STALL, PASS = 0.0, 0.999  # uniform draws: below the stall chance (0.5 x (1 - engagement)) stalls


def stallers(count: int, style: dict, **more) -> dict:
    """Stallers of engagement 1/2, all alike: they stall with chance 1/4, vote with 1/2."""
    return {
        "stallers": count,
        "staller_stall_probability": 0.5,
        "staller_engagement_mean": 0.5,
        "member_concentration": 1e6,
        "staller_meeting_days": 4.0,
        **style,
        **more,
    }


def outcome(world) -> str:
    return Outcome.from_code(int(world.records.outcome[0])).key


def reason(world, deal_id: int = 0) -> str:
    """Why the deal ended, as the deal table writes it."""
    return Reason.from_code(int(world.records.reason[deal_id])).key


# ---------------------------------------------------------------- stallers


def test_staller_who_is_satisfied_at_once_costs_one_meeting():
    world = one_lead_world(scenario(committee=stallers(1, RESCHEDULERS)), [PASS])
    world.run()
    assert trace(world)[3:] == [
        (4.0, "staller 1", "lets the seller through"),
        (4.0, "decision maker 1", "would buy from us"),
        (4.0, "staller 1", "votes for buying (neutral)"),  # 2 of 2: a strict majority
        (4.0, "deal", "is won"),
    ]


def test_reschedule_adds_its_delay_and_builds_engagement():
    params = scenario(
        committee=stallers(1, RESCHEDULERS, reschedule_days=10.0, staller_engagement_gain=0.5)
    )
    world = one_lead_world(params, [STALL, PASS])
    world.run()
    assert [(day, what) for day, actor, what in trace(world) if actor == "staller 1"] == [
        (4.0, "reschedules the meeting"),
        (18.0, "lets the seller through"),  # 4 + 10 rescheduled + 4 for the next meeting
        (18.0, "votes for buying (a champion)"),  # engagement 0.5 + 0.5 x 0.5 = 0.75
    ]
    assert world.records.stalls[0] == 1


def test_request_without_a_kit_waits_for_custom_material():
    # No proactive time (QUIET): the kit's level is 0 and every marketer's day is reactive.
    params = scenario(committee=stallers(1, REQUESTERS), marketing={"custom_work_days": 30.0})
    world = one_lead_world(params, [STALL, 0.5, PASS])  # 0.5 >= kit level 0: no kit answer
    world.run()
    assert (
        4.0,
        "staller 1",
        "asks for information; no ready answer, so marketing must make material "
        "for this deal (0 requests ahead in its queue)",
    ) in trace(world)
    assert world.records.closed_day[0] == pytest.approx(38.0)
    assert world.records.stage_days[0][3] == pytest.approx(30.0)  # days_marketing_material
    assert world.records.requests[0] == 1


def test_request_covered_by_the_staller_kit_is_answered_quickly():
    # Two marketers, all proactive, all on the kit: e L / (e L + B) = 2 x 180 / (360 + 360) = 0.5.
    kit = {
        "proactive_share": 1.0,
        "staller_kit": 1.0,
        "value_collateral": 0.0,
        "asset_build_days": 360.0,
        "asset_shelf_life_days": 180.0,
        "ready_answer_days": 1.0,
    }
    params = scenario(committee=stallers(1, REQUESTERS), marketing=kit)
    world = one_lead_world(params, [STALL, 0.49, PASS])  # 0.49 < kit level 0.5
    world.run()
    assert world.marketing.level("staller_kit", 0.0) == pytest.approx(0.5)
    assert (4.0, "staller 1", "asks for information; the staller kit has a ready answer") in trace(
        world
    )
    assert world.records.closed_day[0] == pytest.approx(9.0)


def test_engagement_lowers_the_chance_of_stalling():
    # Engagement 0.5 halves the stall probability 0.5: a draw of 0.3 no longer stalls.
    params = scenario(
        committee=stallers(1, RESCHEDULERS, staller_engagement_mean=0.5, member_concentration=1e6)
    )
    world = one_lead_world(params, [0.3])
    world.run()
    assert world.records.stalls[0] == 0


def test_staller_who_hands_off_is_met_again_after_the_others():
    params = scenario(committee=stallers(2, HANDERS_OFF, handoff_days=7.0))
    world = one_lead_world(params, [STALL, PASS, PASS])
    world.run()
    assert [
        (day, actor, what) for day, actor, what in trace(world) if actor.startswith("staller")
    ] == [
        (4.0, "staller 1", "hands the seller off to a colleague"),
        (15.0, "staller 2", "lets the seller through"),  # 4 + 7 + 4
        (19.0, "staller 1", "lets the seller through"),
        (19.0, "staller 1", "votes for buying (neutral)"),
        (19.0, "staller 2", "votes for buying (neutral)"),
    ]


# ---------------------------------------------------------------- nay-sayers


def nay_sayer(**more) -> dict:
    return {
        "nay_sayers": 1,
        "nay_sayer_scepticism_mean": 1.0,
        "nay_sayer_review_days": 10.0,
        "objection_probability": 0.6,
        "veto_probability": 0.2,
        "objection_days": 5.0,
        **more,
    }


def test_nay_sayer_objection_costs_time_then_approval():
    world = one_lead_world(scenario(committee=nay_sayer(objection_relief=0.5)), [0.5, 0.9])
    world.run()
    assert [(day, what) for day, actor, what in trace(world) if actor == "nay-sayer 1"] == [
        (10.0, "raises an objection"),  # 0.5 in [0.2, 0.8): objection
        (25.0, "approves"),  # 10 + 5 handling + 10 review; 0.9 >= 0.5 * 0.8
        (25.0, "votes for buying (neutral)"),  # scepticism 0.5 left: stance 0.5
    ]
    assert outcome(world) == "won"
    assert world.records.objections[0] == 1


def test_nay_sayer_veto_ends_the_deal():
    world = one_lead_world(scenario(committee=nay_sayer()), [0.1])
    world.run()
    assert outcome(world) == "vetoed"
    assert world.records.closed_day[0] == pytest.approx(10.0)


def test_collateral_damps_objections_and_vetoes():
    # Full collateral (effect 0.6): doubt = 1 * 0.4, so a 0.35 draw that would raise an
    # objection (0.35 < 0.8) now approves (0.35 >= 0.8 * 0.4). Complete collateral: all
    # proactive time on it, built at once and never stale, so its level is 1.
    full = {
        "proactive_share": 1.0,
        "staller_kit": 0.0,
        "value_collateral": 1.0,
        "collateral_effect": 0.6,
        "asset_build_days": 1e-3,
        "asset_shelf_life_days": 1e9,
    }
    params = scenario(committee=nay_sayer(), marketing=full)
    world = one_lead_world(params, [0.35, 0.99])
    world.run()
    assert world.marketing.doubt_damping(0.0) == pytest.approx(0.4)
    assert outcome(world) == "won"
    assert world.records.objections[0] == 0


# ---------------------------------------------------------------- decision makers


@pytest.mark.parametrize(
    ("draw", "expected", "why"),
    [
        (0.1, "won", "won"),
        (0.45, "lost_competitor", "competitor"),
        (0.9, "no_decision", "status_quo"),
    ],
)
def test_decision_maker_choice_follows_appeal(draw, expected, why):
    # Appeals: us 1, competitors 2 x 0.5 = 1, status quo 1: thirds of the unit interval.
    params = scenario(
        committee={"status_quo_weight": 1.0},
        competition={"competitors": 2, "competitor_weight": 0.5},
    )
    world = one_lead_world(params, decisions=[draw])
    world.run()
    assert (outcome(world), reason(world)) == (expected, why)


def test_incumbent_takes_the_deal_as_an_inside_job():
    params = scenario(competition={"incumbent_probability": 1.0, "incumbent_weight": 3.0})
    world = one_lead_world(
        params, decisions=[0.5], incumbent=True
    )  # us 1, incumbent 3: 0.5 falls to them
    world.run()
    assert trace(world)[-1] == (0.0, "deal", "is lost to a competitor (an inside job)")


def test_another_decision_maker_who_prefers_the_status_quo_blocks_the_purchase():
    # Us 1, status quo 1: halves. The lead and the second pick us; the third, nothing.
    params = scenario(committee={"decision_makers": 3, "status_quo_weight": 1.0})
    world = one_lead_world(params, decisions=[0.1, 0.2, 0.9])
    world.run()
    assert (outcome(world), reason(world)) == ("no_decision", "no_consensus")
    assert trace(world)[-2] == (0.0, "decision maker 3", "would do nothing")


def test_a_lead_decision_maker_who_prefers_the_status_quo_ends_it_without_a_vote():
    params = scenario(committee={**members(stallers=1), "status_quo_weight": 1.0})
    world = one_lead_world(params, [PASS], decisions=[0.9])
    world.run()
    assert (outcome(world), reason(world)) == ("no_decision", "status_quo")
    assert not [what for _, _, what in trace(world) if what.startswith("votes")]


def members(stallers: int = 0, nay_sayers: int = 0, **more) -> dict:
    """Members with exact stances and no delays or vetoes: stallers at engagement 1/2,
    nay-sayers at scepticism 1/2, both stance 1/2; no swaying unless asked for."""
    return {
        "stallers": stallers,
        "staller_engagement_mean": 0.5,
        "nay_sayers": nay_sayers,
        "nay_sayer_scepticism_mean": 0.5,
        "objection_probability": 0.0,
        "veto_probability": 0.0,
        "member_concentration": 1e6,
        "peer_influence": 0.0,
        **more,
    }


def test_two_members_who_disagree_fail_to_align():
    # The decision maker wants us; the nay-sayer (stance 1/2) draws 0.7: against. 1 of 2 is
    # a tie, not a majority.
    world = one_lead_world(scenario(committee=members(nay_sayers=1)), [0.5], votes=0.7)
    world.run()
    assert trace(world)[-3:] == [
        (10.0, "decision maker 1", "would buy from us"),
        (10.0, "nay-sayer 1", "votes against buying (neutral)"),
        (10.0, "deal", "ends in no decision: the committee fails to align"),
    ]


def test_three_members_always_have_a_majority():
    # The same nay-sayer against, and a staller for: 2 of 3 carry it (CEB's bump at three).
    params = scenario(committee=members(stallers=1, nay_sayers=1))
    world = one_lead_world(params, [PASS, 0.5], votes=([0.1], [0.7]))
    world.run()
    assert (outcome(world), reason(world)) == ("won", "won")
    # Against both: 1 of 3 is a minority, also a failure to align.
    world = one_lead_world(params, [PASS, 0.5], votes=([0.7], [0.7]))
    world.run()
    assert (outcome(world), reason(world)) == ("no_decision", "no_consensus")


def test_members_sway_each_other_toward_the_average_before_they_vote():
    # Staller stance 0, nay-sayer stance 1: the average is 1/2. Halfway there, the staller's
    # stance is 1/4 and a draw of 0.2 votes for buying; not swayed, it votes against.
    def staller_vote(influence: float) -> tuple[float, str, str]:
        committee = members(
            stallers=1,
            nay_sayers=1,
            staller_engagement_mean=0.0,
            staller_stall_probability=0.0,
            nay_sayer_scepticism_mean=0.0,
            peer_influence=influence,
        )
        world = one_lead_world(scenario(committee=committee), [PASS, 0.5], votes=([0.2], [0.5]))
        world.run()
        return next(line for line in trace(world) if line[1] == "staller 1" and "vot" in line[2])

    assert staller_vote(0.5)[2] == "votes for buying (a sceptic)"
    assert staller_vote(0.0)[2] == "votes against buying (a sceptic)"


def test_each_further_member_adds_alignment_time():
    # Two stallers (4 days each), a nay-sayer (10), then 10 + 3 x (4 members - 1) to decide.
    params = scenario(
        committee=members(stallers=2, nay_sayers=1, decision_days=10.0, alignment_days=3.0)
    )
    world = one_lead_world(params, [PASS, PASS, 0.5])
    world.run()
    assert (37.0, "decision maker 1", "would buy from us") in trace(world)


# ---------------------------------------------------------------- reps and leads waiting


def test_new_rep_ramps_linearly_to_full_skill():
    params = scenario(reps={"ramp_days": 90.0, "ramp_start_productivity": 0.3})
    rep = Rep(
        0, 1.2, hired_day=0.0, quits_day=math.inf, params=params.reps, slots=None, leave=NO_LEAVE
    )
    assert rep.productivity(0.0) == pytest.approx(1.2 * 0.3)
    assert rep.productivity(45.0) == pytest.approx(1.2 * 0.65)
    assert rep.productivity(90.0) == rep.productivity(400.0) == pytest.approx(1.2)


def test_a_ramping_rep_meets_stallers_more_slowly():
    params = scenario(
        committee=stallers(1, RESCHEDULERS),
        reps={"initial_tenure_days": 0.0, "ramp_days": 100.0, "ramp_start_productivity": 0.5},
    )
    world = one_lead_world(params, [PASS])
    world.run()
    assert world.records.closed_day[0] == pytest.approx(8.0)  # 4 days / productivity 0.5


def test_leads_queue_for_a_busy_rep_and_go_cold():
    params = scenario(
        committee=stallers(1, RESCHEDULERS, staller_meeting_days=50.0),
        reps={"count": 1, "max_active_deals": 1, "cold_after_days": 20.0},
    )
    world = one_lead_world(params, [PASS, PASS, PASS], arrivals=(0.0, 10.0, 40.0))
    world.run()
    assert list(world.records.closed_day) == pytest.approx([50.0, 30.0, 100.0])
    assert [world.records.outcome[i] for i in range(3)] == [0, 3, 0]  # won, no_decision (cold), won
    assert reason(world, 1) == "went_cold"
    assert world.records.stage_days[2][0] == pytest.approx(10.0)  # waited 40 -> 50 for the rep


def test_buyer_who_loses_patience_goes_dark_and_frees_the_rep():
    params = scenario(
        committee=stallers(1, RESCHEDULERS, staller_meeting_days=50.0),
        reps={"count": 1, "max_active_deals": 1},
    )
    world = one_lead_world(params, [PASS, PASS], patience=30.0, arrivals=(0.0, 31.0))
    world.run()
    assert trace(world)[-1] == (
        30.0,
        "deal",
        "goes dark: the buyer's patience ran out in the committee's process (no decision)",
    )
    assert world.records.stage[0] == 2  # went dark while with the stallers
    assert reason(world) == "patience_with_committee"
    assert trace(world, 1)[1] == (31.0, "rep 0", "takes the deal (1 active)")


def test_patience_running_out_names_what_the_buyer_was_waiting_for():
    params = scenario(
        committee=stallers(1, REQUESTERS, staller_meeting_days=2.0),
        marketing={"custom_work_days": 30.0},
        reps={"count": 1, "max_active_deals": 1},
    )
    world = one_lead_world(params, [STALL, 0.5, PASS], arrivals=(0.0, 1.0))
    world.leads = dataclasses.replace(world.leads, patience_days=np.array([10.0, 5.0]))
    world.run()
    # Deal 0 waits for marketing's material from day 2; deal 1 waits for the only rep.
    assert (reason(world, 0), world.records.closed_day[0]) == (
        "patience_waiting_for_marketing",
        10.0,
    )
    assert (reason(world, 1), world.records.closed_day[1]) == ("patience_waiting_for_rep", 6.0)
    assert trace(world, 1)[-1][2] == (
        "goes dark: the buyer's patience ran out waiting for a rep (no decision)"
    )


def test_patience_no_longer_matters_once_the_committee_chose_us():
    params = scenario(committee={"negotiation_days": 40.0})
    world = one_lead_world(params, patience=10.0)
    world.run()
    assert outcome(world) == "won"
    assert world.records.closed_day[0] == pytest.approx(40.0)


def test_poor_fit_is_disqualified_after_qualification():
    params = scenario(leads={"disqualify_probability": 0.3}, reps={"qualify_days": 5.0})
    world = one_lead_world(params, [], fit=0.2)
    world.run()
    assert outcome(world) == "disqualified"
    assert world.records.closed_day[0] == pytest.approx(5.0)


def test_deal_still_running_at_the_horizon_is_open_with_its_time_booked():
    params = scenario(
        scenario={"horizon_days": 20.0},
        committee=stallers(1, RESCHEDULERS, staller_meeting_days=50.0),
    )
    world = one_lead_world(params, [PASS], arrivals=(5.0,))
    world.run()
    columns = world.records.columns(0)
    assert columns["outcome"][0] == 5 and np.isnan(columns["closed_day"][0])
    assert columns["age_days"][0] == pytest.approx(15.0)
    assert columns["days_stallers"][0] == pytest.approx(15.0)


@pytest.mark.parametrize(
    ("reps", "meeting_day"),
    [
        ({"value_focus": 0.0}, 4.0),  # a salary plan: usual effort
        ({"value_focus": 1.0}, 16.0),  # value 1000 / median 100000 clamps to effort 0.25
        ({"value_focus": 1.0, "effort_floor": 0.5}, 8.0),
        ({"value_focus": 1.0, "effort_floor": 0.001}, 200.0),  # 0.01: the productivity floor
        ({"value_focus": 1.0, "effort_floor": 0.001, "productivity_floor": 0.1}, 40.0),
    ],
)
def test_effort_floor_and_productivity_floor_set_the_pace_of_a_small_deal(reps, meeting_day):
    params = scenario(
        leads={"value_median": 100000.0}, committee=stallers(1, RESCHEDULERS), reps=reps
    )
    world = one_lead_world(params, [PASS])  # every lead is worth 1000
    world.run()
    assert (meeting_day, "staller 1", "lets the seller through") in trace(world)


def test_effort_ceiling_caps_the_pace_of_a_big_deal():
    params = scenario(
        leads={"value_median": 10.0},  # value 1000: 100 times the median
        committee=stallers(1, RESCHEDULERS),
        reps={"value_focus": 1.0, "effort_ceiling": 2.0},
    )
    world = one_lead_world(params, [PASS])
    world.run()
    assert (2.0, "staller 1", "lets the seller through") in trace(world)


@pytest.mark.parametrize("hours", [8.0, 6.0])
def test_a_reps_hours_are_shared_among_its_deal_slots(hours):
    params = scenario(
        committee=stallers(1, RESCHEDULERS), reps={"hours_per_day": hours, "max_active_deals": 4}
    )
    world = one_lead_world(params, [PASS])
    world.run()
    assert world.records.closed_day[0] == pytest.approx(4.0)
    assert world.records.direct_hours[0] == pytest.approx(4.0 * hours / 4)


# ---------------------------------------------------------------- committees and random streams


def test_committee_has_the_configured_members_with_their_own_state():
    params = scenario(
        committee={
            "stallers": 8,
            "nay_sayers": 1,
            "decision_makers": 2,
            "staller_engagement_mean": 0.3,
            "member_concentration": 4.0,
        }
    )
    committee = Committee(params.committee, CommitteeDraws(params.committee, Streams(0, 0), 0), 0)
    assert (len(committee.stallers), len(committee.nay_sayers), len(committee.decision_makers)) == (
        8,
        1,
        2,
    )
    assert committee.size == 11
    engagements = [s.engagement for s in committee.stallers]
    assert len(set(engagements)) == 8 and all(0 < e < 1 for e in engagements)


def test_streams_depend_on_seed_replication_and_purpose_only():
    def draws(seed, replication, purpose):
        return generator(seed, replication, purpose).random(3).tolist()

    assert draws(5, 2, "leads") == draws(5, 2, "leads")
    assert draws(5, 2, "leads") != draws(5, 3, "leads")
    assert draws(5, 2, "leads") != draws(5, 2, "behaviour")
    assert draws(5, 2, "leads") != draws(6, 2, "leads")


def _uniforms(streams, deal_id, purpose, count=3 * OVERFLOW_BLOCK):  # into overflow blocks
    dice = streams.dice(deal_id, purpose)
    return [dice.uniform() for _ in range(count)]


def test_a_deals_dice_depend_on_its_key_alone_not_on_other_deals():
    alone = _uniforms(Streams(5, 2), 300, BEHAVIOUR)
    busy = Streams(5, 2)
    for other in (3, 299, 301, 600):  # other deals, in other chunks too, drawing a lot first
        _uniforms(busy, other, BEHAVIOUR, 1000)
    assert _uniforms(busy, 300, BEHAVIOUR) == alone
    assert _uniforms(Streams(5, 2), 301, BEHAVIOUR) != alone
    assert _uniforms(Streams(5, 2), 300, DECISIONS) != alone
    assert _uniforms(Streams(5, 3), 300, BEHAVIOUR) != alone
    assert _uniforms(Streams(6, 2), 300, BEHAVIOUR) != alone
    assert len(set(alone)) == len(alone)  # the overflow blocks do not repeat the first block


def test_one_more_staller_leaves_every_other_member_as_it_was():
    def members(stallers, deal_id):
        params = scenario(committee={"stallers": stallers, "staller_engagement_mean": 0.3})
        draws = CommitteeDraws(params.committee, Streams(4, 1), deal_id // CHUNK)
        committee = Committee(params.committee, draws, deal_id)
        stallers = [(s.style, s.engagement) for s in committee.stallers]
        return stallers, [n.scepticism for n in committee.nay_sayers]

    for deal_id in (0, 17, 300):
        eight, nine = members(8, deal_id), members(9, deal_id)
        assert nine[0][:8] == eight[0] and nine[1] == eight[1]
    assert members(8, 0) != members(8, 1)


def test_stream_choice_is_proportional_to_weights():
    dice = Streams(3, 0).dice(0, DECISIONS)
    picks = np.bincount([dice.choice((1.0, 0.0, 3.0)) for _ in range(4000)], minlength=3)
    assert picks[1] == 0
    # Binomial(4000, 0.25): sd = 27.4; allow 4 sd.
    assert abs(picks[0] - 1000) < 4 * np.sqrt(4000 * 0.25 * 0.75)
