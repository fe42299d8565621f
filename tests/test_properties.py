"""Properties that hold for every valid scenario, and a clear error for every invalid value."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from conftest import float32_rounding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.replications import simulate
from sim.analysis.summary import summarise
from sim.model.world import simulate_replication
from sim.scenario import LISTS, SECTIONS, TACTICS, Scenario, ScenarioError, allowed_values, validate
from sim.vocabulary import NO_DECISION_REASONS, Outcome, Stage

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STAGE_COLUMNS = [f"days_{stage.key}" for stage in Stage]
TOLERANCE = 1e-6


def unit() -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0)


def days(low: float = 0.0, high: float = 30.0) -> st.SearchStrategy[float]:
    return st.floats(low, high)


@st.composite
def shares(draw, count: int, allow_all_zero: bool = False) -> list[float]:
    """Non-negative shares that sum to 1 (or weights with at least one positive)."""
    weights = draw(st.lists(st.integers(0, 10), min_size=count, max_size=count))
    if sum(weights) == 0 and not allow_all_zero:
        weights[draw(st.integers(0, count - 1))] = 1
    total = sum(weights)
    return [w / total for w in weights]


@st.composite
def scenarios(draw) -> Scenario:
    """Small valid scenarios, built through the same validation as scenario files.

    Meeting and review delays are positive by the schema (a zero delay would let
    the stall and objection loops repeat without the clock moving); small ones are drawn.
    """
    marketing_share, inbound_web_share, founder_network_share = draw(shares(3))
    reschedule_weight, request_weight, handoff_weight = draw(shares(3))
    objection_probability = draw(unit())
    tactic_shares = draw(shares(len(TACTICS) + 1))[
        :-1
    ]  # the last share is proactive time left idle
    horizon = draw(st.floats(30.0, 400.0))
    data = {
        "scenario": {
            "name": "drawn",
            "horizon_days": horizon,
            "warmup_days": draw(st.floats(0.0, horizon / 2)),
        },
        "leads": {
            "arrivals_per_month": draw(st.floats(0.0, 20.0)),
            "value_median": draw(st.floats(1.0, 1e6)),
            "value_sigma": draw(st.floats(0.0, 2.0)),
            "patience_mean_days": draw(st.floats(1.0, 500.0)),
            "patience_shape": draw(st.floats(0.5, 20.0)),
            "marketing_share": marketing_share,
            "inbound_web_share": inbound_web_share,
            "founder_network_share": founder_network_share,
            "disqualify_probability": draw(unit()),
        },
        "committee": {
            "stallers": draw(st.integers(0, 12)),
            "nay_sayers": draw(st.integers(0, 3)),
            "decision_makers": draw(st.integers(1, 4)),
            "alignment_days": draw(days(0.0)),
            "peer_influence": draw(unit()),
            "member_concentration": draw(st.floats(0.5, 50.0)),
            "staller_meeting_days": draw(days(0.01)),
            "staller_stall_probability": draw(unit()),
            "staller_engagement_mean": draw(unit()),
            "staller_engagement_gain": draw(unit()),
            "reschedule_weight": reschedule_weight,
            "request_weight": request_weight,
            "handoff_weight": handoff_weight,
            "reschedule_days": draw(days()),
            "handoff_days": draw(days()),
            "nay_sayer_review_days": draw(days(0.01)),
            "nay_sayer_scepticism_mean": draw(unit()),
            "objection_probability": objection_probability,
            "veto_probability": draw(st.floats(0.0, 1.0 - objection_probability)),
            "objection_days": draw(days()),
            "objection_relief": draw(unit()),
            "decision_days": draw(days()),
            "status_quo_weight": draw(st.floats(0.0, 5.0)),
            "negotiation_days": draw(days()),
        },
        "competition": {
            "competitors": draw(st.integers(0, 5)),
            "competitor_weight": draw(st.floats(0.0, 3.0)),
            "incumbent_probability": draw(unit()),
            "incumbent_weight": draw(st.floats(0.0, 5.0)),
        },
        "reps": {
            "count": draw(st.integers(1, 4)),
            "max_active_deals": draw(st.integers(1, 6)),
            "cold_after_days": draw(st.floats(0.0, 60.0)),
            "qualify_days": draw(days()),
            "skill_sigma": draw(st.floats(0.0, 0.5)),
            "ramp_days": draw(st.floats(0.0, 180.0)),
            "ramp_start_productivity": draw(st.floats(0.01, 1.0)),
            "initial_tenure_days": draw(st.floats(0.0, 365.0)),
            "drought_days": draw(st.one_of(st.floats(1.0, 400.0), st.just(math.inf))),
            "reassign_probability": draw(unit()),
            "hire_delay_days": draw(st.one_of(st.floats(0.0, 200.0), st.just(math.inf))),
            "value_focus": draw(st.floats(0.0, 2.0)),
        },
        "marketing": {
            "staff": draw(st.integers(1, 4)),
            "proactive_share": draw(unit()),
            **dict(zip(TACTICS, tactic_shares, strict=False)),
            "asset_build_days": draw(st.floats(1.0, 400.0)),
            "asset_shelf_life_days": draw(st.one_of(st.floats(1.0, 1000.0), st.just(math.inf))),
            "initial_assets": draw(unit()),
            "ready_answer_days": draw(days()),
            "custom_work_days": draw(days()),
            "collateral_effect": draw(unit()),
            "intelligence_effect": draw(unit()),
            "reference_effect": draw(st.floats(0.0, 2.0)),
            "web_effect": draw(unit()),
            "lead_generation_effect": draw(st.floats(0.0, 2.0)),
        },
        "founder": {
            "max_active_deals": draw(st.integers(0, 3)),
            "skill": draw(st.floats(0.1, 3.0)),
            "hours_per_day": draw(st.floats(0.5, 8.0)),
        },
        "channel": {
            "leads_per_staff_month": draw(st.floats(0.0, 0.5)),
            "deals_per_staff": draw(st.floats(0.1, 5.0)),
            "partner_skill": draw(st.floats(0.1, 2.0)),
            "misrepresentation_probability": draw(unit()),
            "misrepresentation_veto_probability": draw(unit()),
            "missed_option_share": draw(unit()),
            "rescue_after_stalls": draw(st.integers(1, 5)),
            "conflict_mindshare_loss": draw(unit()),
            "mindshare_recovery_days": draw(st.floats(1.0, 365.0)),
            "shock_mindshare": draw(unit()),
        },
        "partners": [
            {
                "name": f"partner {index}",
                "staff": draw(st.integers(1, 30)),
                "coverage": draw(unit()),
                "mindshare": draw(unit()),
                "training": draw(unit()),
                "commission": draw(unit()),
                "comp_changes_per_year": draw(st.floats(0.0, 4.0)),
                "comp_shock_day": draw(st.one_of(st.floats(0.0, 400.0), st.just(math.inf))),
            }
            for index in range(draw(st.integers(0, 2)))
        ],
    }
    return validate(data, source="<drawn>")


seeds = st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------- the deal table


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_outcomes_partition_the_deals(scenario, seed):
    results = simulate(scenario, replications=2, seed=seed)
    table = results.deals
    assert list(table["outcome"].cat.categories) == list(Outcome.keys())
    assert table["outcome"].notna().all()
    counts = table["outcome"].value_counts()
    assert int(counts.sum()) == len(table)
    assert set(table["replication"]) <= {0, 1}
    for replication, part in table.groupby("replication"):
        # Deal ids number the candidate leads in arrival order; thinned candidates leave gaps.
        assert (np.diff(part["deal_id"].to_numpy()) > 0).all(), replication
        assert (np.diff(part["created_day"].to_numpy()) >= 0).all(), replication
    assert list(results.replications["replication"]) == [0, 1]
    # Every deal's reason belongs to its outcome; a no-decision deal says why.
    reasons = {
        "won": {"won"},
        "lost_competitor": {"competitor", "inside_job"},
        "vetoed": {"veto", "misrepresentation"},
        "no_decision": {reason.key for reason in NO_DECISION_REASONS},
        "disqualified": {"poor_fit"},
        "open": {"open"},
    }
    for outcome, reason in zip(table["outcome"], table["reason"], strict=True):
        assert reason in reasons[outcome], (outcome, reason)
    # Only qualified leads can get as far as a committee's verdict.
    verdict = table["outcome"].isin(["won", "lost_competitor", "vetoed"]).to_numpy()
    assert table["qualified"].to_numpy()[verdict].all()
    assert not table["qualified"].to_numpy()[(table["outcome"] == "disqualified").to_numpy()].any()


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_days_and_ages_are_consistent(scenario, seed):
    horizon = scenario.scenario.horizon_days
    table = simulate(scenario, replications=2, seed=seed).deals
    # The table's days are float32, each rounded once from its float64 value: rounding keeps
    # their order (so they are compared as float32), and each sum or difference of them
    # (worked out in float64) may be off by the rounding of every term.
    end = np.float32(horizon)
    rounding = float32_rounding(horizon)
    created = table["created_day"].to_numpy()
    closed_day = table["closed_day"].to_numpy()
    cycle = table["cycle_days"].to_numpy()
    age = table["age_days"].to_numpy()
    is_open = (table["outcome"] == "open").to_numpy()

    assert ((created >= 0) & (created <= end)).all()
    # Open deals have no closing day and no cycle; their age runs to the horizon.
    assert np.isnan(closed_day[is_open]).all()
    assert np.isnan(cycle[is_open]).all()
    np.testing.assert_allclose(
        age[is_open], horizon - created[is_open].astype(float), atol=TOLERANCE + 2 * rounding
    )
    # Closed deals close between their creation and the horizon.
    done = ~is_open
    assert not np.isnan(closed_day[done]).any()
    assert (closed_day[done] >= created[done]).all()
    assert (closed_day[done] <= end).all()
    assert ((cycle[done] >= 0) & (cycle[done] <= end)).all()
    np.testing.assert_allclose(
        cycle[done],
        closed_day[done].astype(float) - created[done],
        atol=TOLERANCE + 3 * rounding,
    )
    np.testing.assert_array_equal(age[done], cycle[done])  # both the float32 of one number
    # Every day of a deal's life is booked to exactly one stage.
    stage_days = table[STAGE_COLUMNS].to_numpy(dtype=float)
    assert (stage_days >= 0).all()
    booked = stage_days.sum(axis=1)
    np.testing.assert_allclose(booked, age, atol=TOLERANCE + (len(Stage) + 1) * rounding, rtol=0)


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_summary_win_rate_and_interval(scenario, seed):
    results = simulate(scenario, replications=2, seed=seed)
    summary = summarise(results)
    rate = summary["win_rate"]
    low, high = summary["win_rate_ci"]
    counted = results.deals["counted"].to_numpy()
    assert sum(summary["outcomes"].values()) == summary["deals"] == counted.sum()
    opportunities = results.deals["qualified"].to_numpy() & counted
    assert summary["opportunities"] == opportunities.sum()
    if summary["opportunities"] == 0:
        assert math.isnan(rate) and math.isnan(low) and math.isnan(high)
    else:
        assert 0.0 <= low <= rate <= high <= 1.0 or math.isnan(low)  # NaN: one has no value
        won = (results.deals["outcome"] == "won").to_numpy() & opportunities
        assert (rate > 0) == (won.sum() > 0)
    # The funnel narrows step by step, and its ends are the counted leads and their wins.
    steps = list(summary["funnel_per_year"].values())
    assert all(later <= earlier + 1e-9 for earlier, later in itertools.pairwise(steps))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=seeds)
def test_same_seed_gives_the_same_table(scenario, seed):
    first = simulate(scenario, replications=2, seed=seed)
    second = simulate(scenario, replications=2, seed=seed)
    for name in ("deals", "replications", "partners"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name), obj=name)


def test_no_deal_closes_before_it_is_created():
    """Deals decided the instant they arrive have a cycle of exactly 0, never slightly below."""
    scenario = validate(
        {
            "leads": {"arrivals_per_month": 0.75, "disqualify_probability": 0.0},
            "committee": {
                "stallers": 0,
                "nay_sayers": 0,
                "decision_days": 0.0,
                "negotiation_days": 0.0,
            },
            "reps": {"qualify_days": 0.0},
        }
    )
    table = simulate(scenario, replications=200, seed=1).deals
    closed = table[table["outcome"] != "open"]
    assert (closed["cycle_days"] == 0).sum() > 100  # the case under test does occur
    assert (closed["closed_day"] >= closed["created_day"]).all()
    assert (closed["cycle_days"] >= 0).all()
    assert (table["age_days"] >= 0).all()


def test_identical_win_rates_in_every_replication_give_a_point_interval():
    """Every deal is won in both replications: the interval is [1, 1], without warnings."""
    scenario = validate(
        {
            "scenario": {"horizon_days": 200, "warmup_days": 0},
            "leads": {"disqualify_probability": 0.0, "patience_mean_days": 1e5},
            # Decided and signed the day a lead arrives: none is still open at the horizon,
            # which would leave Aalen-Johansen's estimate below 1.
            "committee": {
                "stallers": 0,
                "nay_sayers": 0,
                "status_quo_weight": 0.0,
                "decision_days": 0.0,
                "negotiation_days": 0.0,
            },
            "competition": {"competitors": 0, "incumbent_probability": 0.0},
            "reps": {"cold_after_days": 1e5, "qualify_days": 0.0, "max_active_deals": 10000},
        }
    )
    results = simulate(scenario, replications=2, seed=1)
    closed = results.deals[results.deals["outcome"] != "open"]
    assert len(closed) > 0 and (closed["outcome"] == "won").all()
    summary = summarise(results)
    assert summary["win_rate"] == pytest.approx(1.0, abs=1e-12)  # Aalen-Johansen's sum
    low, high = summary["win_rate_ci"]
    assert low == high == summary["win_rate"]


# ---------------------------------------------------------------- invalid values

MODELS = {**SECTIONS, **LISTS}  # [section] tables and [[section]] lists of tables
FIELDS = [(section, key) for section, model in MODELS.items() for key in model.model_fields]
WRONG_TYPE = st.one_of(
    st.text(max_size=5),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


def bounds(field) -> tuple[float | None, bool, float | None]:
    """(lower bound, whether it is strict, upper bound) of a field."""
    found = {type(m).__name__: m for m in field.metadata}
    if "Gt" in found:
        return found["Gt"].gt, True, found.get("Le") and found["Le"].le
    lower = found["Ge"].ge if "Ge" in found else None
    return lower, False, found["Le"].le if "Le" in found else None


@st.composite
def invalid_values(draw) -> tuple[str, str, object]:
    section, key = draw(st.sampled_from(FIELDS))
    field = MODELS[section].model_fields[key]
    kind = field.annotation
    if kind is str:
        not_text = st.one_of(
            st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.text())
        )
        return section, key, draw(not_text)
    if kind is bool:  # true or false, nothing else: not 1, not "yes"
        return section, key, draw(st.one_of(st.text(max_size=5), st.integers(), st.floats()))
    lower, strict, upper = bounds(field)
    options = [WRONG_TYPE]
    if kind is int:
        fractions = st.builds(lambda n, f: n + f, st.integers(-1000, 1000), st.floats(0.01, 0.99))
        options.append(st.one_of(fractions, st.sampled_from([math.nan, math.inf, -math.inf])))
        if lower is not None:
            options.append(st.integers(-(10**6), math.ceil(lower) - (0 if strict else 1)))
        if upper is not None:
            options.append(st.integers(math.floor(upper) + 1, math.floor(upper) + 10**6))
    else:
        options.append(st.sampled_from([math.nan]))
        if lower is not None:
            below = st.floats(max_value=lower, exclude_max=not strict, allow_nan=False)
            options.append(below)
        if upper is not None:
            options.append(st.floats(min_value=upper, exclude_min=True, allow_nan=False))
    return section, key, draw(st.one_of(options))


@settings(max_examples=500, deadline=None)
@given(invalid_values())
def test_any_invalid_value_names_its_key(case):
    section, key, value = case
    with pytest.raises(ScenarioError) as caught:
        if (
            section in LISTS
        ):  # one entry of a [[section]] list, e.g. "[[partners]] '#1': staff = -1"
            validate({section: [{key: value}]}, source="drawn.toml")
        else:
            validate({section: {key: value}}, source="drawn.toml")
    message = str(caught.value)
    assert message.startswith("drawn.toml: ")
    if section in LISTS:
        assert f"[[{section}]] " in message and f": {key} = " in message
    else:
        assert f"[{section}] {key} = " in message
    assert "is not allowed; allowed: " in message


def test_invalid_value_strategy_reaches_every_field():
    """Every parameter has a range or type that the invalid-value property can break.

    Numbers have a lower bound; the only ones without an upper bound are days that
    may be infinite (a rep who never leaves, an asset that never goes stale), and
    those must accept inf, as the documented range says.
    """
    for section, key in FIELDS:
        field = MODELS[section].model_fields[key]
        assert field.annotation in (int, float, str, bool), (section, key)
        if field.annotation not in (str, bool):  # a switch has no range: any non-bool breaks it
            lower, _, upper = bounds(field)
            assert lower is not None, (section, key)
            if upper is None:
                assert field.annotation is float, (section, key)
                assert allowed_values(field).endswith(", or inf"), (section, key)
                entry = {key: math.inf}
                validate({section: [entry]} if section in LISTS else {section: entry})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=seeds)
def test_running_ahead_tells_the_same_story_as_waiting_event_by_event(scenario, seed):
    """A deal's own waits passed without events (sim.model.stretches) change no deal's fate."""
    ahead = simulate_replication(scenario, seed, 0, run_ahead=True)["deals"]
    stepwise = simulate_replication(scenario, seed, 0, run_ahead=False)["deals"]
    assert ahead.keys() == stepwise.keys()
    for name, column in ahead.items():
        if column.dtype.kind == "f":
            np.testing.assert_allclose(column, stepwise[name], rtol=1e-9, atol=1e-9, err_msg=name)
        else:
            np.testing.assert_array_equal(column, stepwise[name], err_msg=name)
