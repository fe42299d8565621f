"""Synthetic CRM exports: simulated deals as a CRM shows them on a given day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.crm_sample import (
    JOURNEY,
    LOST_REASONS,
    SOURCE_TEXTS,
    opportunities_from_deals,
    sample_export,
    stage_on_day,
)
from sim.model.records import CATEGORIES, DEAL_COLUMNS
from sim.scenario.crm import OPPORTUNITY_COLUMNS, STAGE_COLUMNS, OutcomeRule, model_source
from sim.vocabulary import CRM_OUTCOMES, NO_DECISION_REASONS, Outcome, Reason, Source, Stage

START = pd.Timestamp("2024-01-01")


def deals(*rows: dict) -> pd.DataFrame:
    """A deal table as `simulate` makes it (categories of keys), from a few given columns."""
    table = {}
    for name in DEAL_COLUMNS:
        values = [row.get(name, _default(name)) for row in rows]
        labels = CATEGORIES.get(name)
        table[name] = values if labels is None else pd.Categorical(values, categories=labels)
    return pd.DataFrame(table)


def _default(name: str) -> object:
    defaults = {
        "replication": 0,
        "source": "marketing",
        "partner": -1,
        "owner": "rep",
        "outcome": "open",
        "reason": "open",
        "stage": "qualifying",
        "rep": 0,
        "closed_day": np.nan,
        "value": 50_000.0,
        "committee_size": 5,
    }
    return defaults.get(name, 0.0)


def deal(deal_id: int, created: float, stage_days: dict[Stage, float], **columns) -> dict:
    """A deal created on day `created` that spent `stage_days` in its stages."""
    row = {"deal_id": deal_id, "created_day": created, **columns}
    return row | {f"days_{stage.key}": days for stage, days in stage_days.items()}


# Created day 10; 5 days qualifying, 30 with stallers and 10 waiting for their material
# (booked as one stallers block, days 15 to 55), 20 with nay-sayers (55 to 75), then
# deciding until it is lost on day 150.
LOST_LATE = deal(
    1,
    10.0,
    {
        Stage.QUALIFYING: 5,
        Stage.STALLERS: 30,
        Stage.MARKETING_MATERIAL: 10,
        Stage.NAY_SAYERS: 20,
        Stage.DECIDING: 65,
    },
    closed_day=150.0,
    outcome="lost_competitor",
    reason="competitor",
    stage="deciding",
)
WON_EARLY = deal(
    2,
    20.0,
    {Stage.QUALIFYING: 3, Stage.STALLERS: 7, Stage.DECIDING: 10, Stage.NEGOTIATING: 10},
    closed_day=50.0,
    outcome="won",
    reason="won",
    stage="negotiating",
    value=80_000.0,
    committee_size=7,
    rep=1,
)
CREATED_LATE = deal(3, 120.0, {Stage.QUALIFYING: 40}, stage="qualifying")


def test_a_deal_closed_before_the_cut_is_closed_with_its_date_outcome_and_stages():
    opportunities, history = opportunities_from_deals(deals(WON_EARLY), START, 100.0)
    assert list(opportunities.columns) == list(OPPORTUNITY_COLUMNS)
    assert list(history.columns) == list(STAGE_COLUMNS)
    row = opportunities.iloc[0]
    assert row["opportunity_id"] == "deal-2"
    assert row["created_date"] == pd.Timestamp("2024-01-21")
    assert row["closed_date"] == pd.Timestamp("2024-02-20")
    assert (row["outcome"], row["lost_reason"]) == ("won", "")
    assert (row["amount"], row["contacts"], row["owner"]) == (80_000.0, 7.0, "rep-1")
    assert row["stage"] == "negotiating"
    assert history["stage"].tolist() == ["qualifying", "stallers", "deciding", "negotiating"]
    assert history["entered_date"].dt.strftime("%m-%d").tolist() == [
        "01-21",
        "01-24",
        "01-31",
        "02-10",
    ]


def test_a_deal_closed_after_the_cut_is_open_in_the_stage_it_was_in_that_day():
    opportunities, history = opportunities_from_deals(deals(LOST_LATE), START, 100.0)
    row = opportunities.iloc[0]
    assert row["outcome"] == "open" and pd.isna(row["closed_date"])
    assert row["lost_reason"] == ""
    assert row["stage"] == "deciding"  # days 75 to 140
    assert history["stage"].tolist() == ["qualifying", "stallers", "nay_sayers", "deciding"]
    assert history["entered_date"].dt.strftime("%m-%d").tolist() == [
        "01-11",
        "01-16",
        "02-25",
        "03-16",
    ]
    closed, _ = opportunities_from_deals(deals(LOST_LATE), START, 150.0)
    assert closed.iloc[0]["outcome"] == "lost"
    assert closed.iloc[0]["lost_reason"] == "Lost to competitor"
    assert closed.iloc[0]["closed_date"] == pd.Timestamp("2024-05-30")


def test_the_stage_at_the_cut_counts_waiting_for_material_as_time_with_the_stallers():
    table = deals(LOST_LATE)
    expected = {
        12.0: Stage.QUALIFYING,
        15.0: Stage.STALLERS,
        54.9: Stage.STALLERS,  # the material's 10 days follow the stallers' 30
        55.0: Stage.NAY_SAYERS,
        80.0: Stage.DECIDING,
    }
    for day, stage in expected.items():
        assert stage_on_day(table, day).tolist() == [int(stage)], day
        opportunities, _ = opportunities_from_deals(table, START, day)
        assert opportunities["stage"].tolist() == [stage.key], day
    assert stage_on_day(table, 5.0).tolist() == [-1]  # not created yet
    assert stage_on_day(table, 150.0).tolist() == [-1]  # closed that day


def test_deals_created_after_the_cut_or_before_the_window_are_left_out():
    table = deals(LOST_LATE, WON_EARLY, CREATED_LATE)
    opportunities, history = opportunities_from_deals(table, START, 100.0)
    assert opportunities["opportunity_id"].tolist() == ["deal-1", "deal-2"]
    assert "deal-3" not in set(history["opportunity_id"])
    later, _ = opportunities_from_deals(table, START, 100.0, since_day=15.0)
    assert later["opportunity_id"].tolist() == ["deal-2"]
    with pytest.raises(ValueError, match="one replication"):
        opportunities_from_deals(deals(WON_EARLY, WON_EARLY | {"replication": 1}), START, 100.0)


def test_owners_are_named_reps_the_founder_the_channel_or_nobody_yet():
    table = deals(
        deal(1, 0.0, {Stage.QUALIFYING: 9}, rep=0),
        deal(2, 0.0, {Stage.QUALIFYING: 9}, rep=3),
        deal(3, 0.0, {Stage.QUALIFYING: 9}, owner="founder", rep=-1),
        deal(4, 0.0, {Stage.QUALIFYING: 9}, owner="partner", rep=-1, partner=2, source="partner"),
        deal(5, 0.0, {Stage.WAITING_FOR_REP: 5, Stage.QUALIFYING: 4}, rep=1),
    )
    opportunities, _ = opportunities_from_deals(table, START, 3.0, owners=["ana", "bo"])
    assert opportunities["owner"].tolist() == ["ana", "rep-3", "founder", "channel", "unassigned"]
    assert opportunities["partner"].tolist() == ["", "", "", "partner-2", ""]
    assert opportunities["source"].tolist()[3] == "Partner referral"


def _outcome_of(reason: Reason) -> Outcome:
    if reason in NO_DECISION_REASONS:
        return Outcome.NO_DECISION
    if reason in (Reason.VETO, Reason.MISREPRESENTATION):
        return Outcome.VETOED
    if reason == Reason.POOR_FIT:
        return Outcome.DISQUALIFIED
    return Outcome.LOST_COMPETITOR


def test_each_lost_reason_reads_back_as_the_model_outcome_and_each_source_as_its_source():
    rule = OutcomeRule()
    for reason, text in LOST_REASONS.items():
        assert rule.outcome(text) == CRM_OUTCOMES[_outcome_of(reason)], reason
    for source in Source:
        assert model_source(SOURCE_TEXTS[source]) == source


stage_days = st.fixed_dictionaries(
    {stage: st.sampled_from([0.0, 0.5, 3.0, 17.25]) for stage in Stage}
)


@settings(max_examples=60, deadline=None)
@given(st.lists(stage_days, min_size=1, max_size=5), st.floats(0, 80), st.booleans())
def test_an_open_deal_stands_in_the_last_stage_its_history_entered(days, cut, close):
    """Every history row was entered by the cut (or the close), in journey order, and a
    deal's stage is its last history row's."""
    rows = []
    for number, spent in enumerate(days):
        total = sum(spent.values())
        closed = {"closed_day": total, "outcome": "won", "reason": "won"} if close else {}
        rows.append(deal(number, 0.0, spent, **closed))
    opportunities, history = opportunities_from_deals(deals(*rows), START, cut)
    order = [stage.key for stage in JOURNEY]
    for ident, entries in history.groupby("opportunity_id", sort=False):
        stages = entries["stage"].tolist()
        assert stages == sorted(stages, key=order.index)
        assert entries["entered_date"].is_monotonic_increasing
        row = opportunities.set_index("opportunity_id").loc[ident]
        assert row["stage"] == stages[-1]
        end = row["closed_date"] if row["outcome"] != "open" else START + pd.Timedelta(days=cut)
        assert (entries["entered_date"] <= end).all()
    is_open = opportunities["outcome"] == "open"
    codes = stage_on_day(deals(*rows), cut)
    assert ((codes >= 0) == is_open.to_numpy()).all()
    expected = [Stage.from_code(code).key for code in codes[codes >= 0]]
    assert opportunities.loc[is_open, "stage"].tolist() == expected


def test_a_sample_export_holds_a_year_of_history_and_the_known_future():
    start_day = 400.0
    table = deals(
        deal(1, 10.0, {Stage.QUALIFYING: 5}, closed_day=15.0, outcome="won", reason="won"),
        deal(2, 100.0, {Stage.QUALIFYING: 700}),  # open from before the window
        deal(3, 500.0, {Stage.QUALIFYING: 400}, closed_day=900.0, outcome="won", reason="won"),
        deal(4, 700.0, {Stage.QUALIFYING: 10}, closed_day=710.0, outcome="won", reason="won"),
        deal(5, 800.0, {Stage.QUALIFYING: 10}),  # created after the cut, in the future window
        deal(6, 1000.0, {Stage.QUALIFYING: 10}),  # beyond the future window
    )
    sample = sample_export(table, START, start_day, years=1.0, future_days=200.0)
    assert sample.as_of == pd.Timestamp("2024-12-31")  # 365.25 days after START
    assert sample.opportunities["opportunity_id"].tolist() == ["deal-2", "deal-3", "deal-4"]
    assert sample.opportunities["created_date"].iloc[0] == START - pd.Timedelta(days=300)
    future = sample.future
    assert future is not None
    assert future["opportunity_id"].tolist() == ["deal-2", "deal-3", "deal-5"]
    assert future["outcome"].tolist() == ["open", "won", "open"]
    assert sample_export(table, START, start_day, years=1.0).future is None
