"""Memory: a run holds its deal table once, not its replications' parts beside it.

The peak of a real run is measured by scripts/peak_memory.py (the slow test runs it);
the fast tests check the two things that keep it low: the table is the collected
columns themselves, and each block of replications is let go of once taken.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import one_lead_world, scenario, script

import sim.analysis.replications as replications_module
from sim.analysis.metrics import COLUMNS, REGISTRY, WON, ReplicationDeals, Window
from sim.analysis.replications import DealColumns, simulate
from sim.model.records import CATEGORIES, FLOAT32_COLUMNS
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.toml")
SHORT = ["scenario.warmup_days=60", "scenario.horizon_days=240"]


def test_the_table_holds_the_collected_columns_not_a_copy():
    rng = np.random.default_rng(1)
    columns = DealColumns(3)
    for replication in range(3):
        columns.add(
            {
                "replication": np.full(50, replication, dtype=np.int32),
                "created_day": rng.random(50),
                "outcome": rng.integers(0, len(CATEGORIES["outcome"]), 50).astype(np.int8),
            }
        )
    arrays = dict(columns.arrays)
    table = columns.table()
    assert len(table) == 150
    for name in ("replication", "created_day"):
        assert np.shares_memory(table[name].to_numpy(), arrays[name]), name
    assert list(table["outcome"].cat.categories) == list(CATEGORIES["outcome"])


def test_each_block_is_let_go_of_once_taken(monkeypatch):
    held = []

    def holding_execute(function, tasks, workers=None):
        """Keeps every result until the end, as a process pool's futures do."""
        for task in tasks:
            held.append(function(*task))
            yield held[-1]

    monkeypatch.setattr(replications_module, "execute", holding_execute)
    results = simulate(load_scenario(BASELINE, SHORT), 4, seed=1, workers=2)
    assert results.replication_count == 4 and len(held) == 4
    assert all(outputs == [] for _index, _first, outputs in held)


def test_days_and_hours_are_float32_and_money_float64():
    table = simulate(load_scenario(BASELINE, SHORT), 2, seed=1).deals
    floats = {name: str(dtype) for name, dtype in table.dtypes.items() if dtype.kind == "f"}
    assert floats == {
        **dict.fromkeys(FLOAT32_COLUMNS, "float32"),
        **dict.fromkeys(("value", "revenue", "commission"), "float64"),
    }


def test_each_day_is_rounded_once_from_its_float64_value():
    """A cycle is the float32 of closed - created worked out in float64: 2e-5 days here,
    where the two days' float32s (spaced 6e-5 apart at day 1,000) are one number."""
    records = one_lead_world(scenario(), arrivals=(0.0, 0.0)).records
    records.created_day[:] = [1000.00001, 10.0]
    records.closed_day[:] = [1000.00003, math.nan]
    table = records.columns(replication=0)
    assert table["created_day"][0] == table["closed_day"][0] == np.float32(1000.0)
    assert table["cycle_days"][0] == table["age_days"][0] == np.float32(1000.00003 - 1000.00001)
    horizon = records.horizon_days
    assert table["age_days"][1] == np.float32(horizon - 10.0) and np.isnan(table["cycle_days"][1])


def test_float32_days_are_averaged_in_float64():
    """Metrics add the table's float32 days in float64: numpy would add them in float32
    (pairwise along a column, 1e-8 of the mean off here; one by one across rows, worse)."""
    n = 1_000_000
    cycle = np.random.default_rng(1).exponential(120.0, n).astype(np.float32)
    columns = {name: np.zeros(n, dtype=np.int8) for name in COLUMNS}
    columns |= {
        "counted": np.ones(n, dtype=bool),
        "qualified": np.ones(n, dtype=bool),
        "outcome": np.full(n, WON, dtype=np.int8),
        "closed_day": cycle,
        "age_days": cycle,
        "cycle_days": cycle,
        "revenue": np.zeros(n),
        "commission": np.zeros(n),
        "feature": np.full(n, -1, dtype=np.int32),
    }
    exact = math.fsum(cycle.tolist()) / n
    assert abs(float(cycle.mean()) / exact - 1) > 1e-9  # float32 sums: the test can fail
    mean = REGISTRY["cycle_days_mean_closed"].compute(ReplicationDeals(columns, Window(0.0, 2e3)))
    assert mean == pytest.approx(exact, rel=1e-12)


@pytest.mark.slow
def test_a_run_holds_little_more_than_its_deal_table():
    """Half a million deals on two workers: the main process holds the table, and little else.

    Little else is about 17 MB here (modules imported on the way, blocks of replications
    in flight, the small per-replication tables), 22 MB for a million deals. (It held 3.2
    times the table while each replication's columns were kept beside their
    concatenation and a copy of that.)
    """
    figures = script("peak_memory").measure(BASELINE, 500_000, workers=2)
    held = figures["peak_bytes"] - figures["base_bytes"]
    assert figures["deals"] > 450_000  # the replications a first one suggests
    assert held < 1.1 * figures["table_bytes"] + 20e6, figures
