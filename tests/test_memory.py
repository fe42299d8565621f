"""Memory: a run holds its deal table once, not its replications' parts beside it.

The peak of a real run is measured by scripts/peak_memory.py (the slow test runs it);
the fast tests check the two things that keep it low: the table is the collected
columns themselves, and each block of replications is let go of once taken.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import script

import sim.analysis.replications as replications_module
from sim.analysis.replications import DealColumns, simulate
from sim.model.records import CATEGORIES
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


@pytest.mark.slow
def test_a_run_holds_little_more_than_its_deal_table():
    """Half a million deals on two workers: the main process holds the table, and little else.

    (It held 3.2 times the table while each replication's columns were kept beside their
    concatenation and a copy of that.)
    """
    figures = script("peak_memory").measure(BASELINE, 500_000, workers=2)
    held = figures["peak_bytes"] - figures["base_bytes"]
    assert figures["deals"] > 450_000  # the replications a first one suggests
    assert held < 1.25 * figures["table_bytes"], figures
