"""Common random numbers deal by deal: a change reaches only the deals it can touch."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from sim.analysis.replications import simulate
from sim.scenario import load_scenario

# One rep with room for every deal and no drought: deals share no seller's slot, so the
# only way a change can reach a deal is through that deal's own path.
UNCROWDED = ["reps.count=1", "reps.max_active_deals=10000", "reps.drought_days=inf"]


def deal_tables(*changes: str) -> pd.DataFrame:
    scenario = load_scenario(ROOT / "scenarios/baseline.toml", [*UNCROWDED, *changes])
    return simulate(scenario, replications=3, seed=11).deals.set_index(["replication", "deal_id"])


@pytest.mark.parametrize(
    ("change", "untouched"),
    [
        # Negotiation only follows the committee's choice of us.
        ("committee.negotiation_days=15", lambda deals: deals["stage"] != "negotiating"),
        # Deliberation only follows the nay-sayers; it moves the deal's later draws in time.
        (
            "committee.decision_days=20",
            lambda deals: ~deals["stage"].isin(["deciding", "negotiating"]),
        ),
        # The incumbent's weight only enters decisions on accounts with an incumbent.
        ("competition.incumbent_weight=30", lambda deals: ~deals["incumbent"]),
    ],
)
def test_a_change_leaves_every_deal_it_cannot_touch_byte_identical(change, untouched):
    before, after = deal_tables(), deal_tables(change)
    keep = untouched(before)
    assert keep.sum() > 100 and (~keep).sum() > 5  # both kinds of deal are there
    pd.testing.assert_frame_equal(before[keep], after[keep], check_exact=True)
    assert not before[~keep].equals(after[~keep])  # and the change does act
