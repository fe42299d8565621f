"""Paired comparisons: per-replication metrics, paired differences, CRN, `committee-sim compare`."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

import sim
from sim.analysis.compare import compare, independent_difference, paired_difference, verdict
from sim.analysis.metrics import METRICS, REGISTRY, replication_metrics
from sim.analysis.replications import Results, deal_table
from sim.analysis.summary import summarise
from sim.analysis.sweep import run_point
from sim.cli import main
from sim.scenario import load_scenario
from sim.vocabulary import Outcome

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios/baseline.toml"


def hand_made_results() -> Results:
    """Replication 0: a win, a loss, an open opportunity and a disqualified lead; 1: no deals."""
    outcome = np.array(
        [Outcome.from_key(name) for name in ("won", "lost_competitor", "open", "disqualified")],
        dtype=np.int8,
    )
    columns = {
        "replication": np.zeros(4, dtype=np.int32),
        "source": np.zeros(4, dtype=np.int8),
        "owner": np.ones(4, dtype=np.int8),
        "stage": np.zeros(4, dtype=np.int8),
        "outcome": outcome,
        "reason": np.zeros(4, dtype=np.int8),
        "qualified": np.array([True, True, True, False]),
        "cycle_days": np.array([10.0, 30.0, np.nan, 2.0]),
        "revenue": np.array([1000.0, 0.0, 0.0, 0.0]),
        "commission": np.array([100.0, 0.0, 0.0, 0.0]),
    }
    return Results(
        deals=deal_table([columns]),
        replications=pd.DataFrame({"replication": [0, 1]}),
        partners=pd.DataFrame(),
        scenario=load_scenario(BASELINE),
        seed=1,
    )


DEALS = [  # replication, outcome, qualified, cycle days, revenue, commission
    (0, "won", True, 10.0, 1000.0, 100.0),
    (0, "won", True, 40.0, 500.0, 0.0),
    (0, "lost_competitor", True, 25.0, 0.0, 0.0),
    (0, "no_decision", True, 70.0, 0.0, 0.0),
    (0, "open", True, np.nan, 0.0, 0.0),
    (0, "disqualified", False, 3.0, 0.0, 0.0),
    (1, "vetoed", True, 50.0, 0.0, 0.0),
    (1, "won", True, 20.0, 2000.0, 500.0),
    (1, "lost_competitor", True, 30.0, 0.0, 0.0),
    (3, "disqualified", False, 5.0, 0.0, 0.0),  # replication 2 has no deal at all
]


def four_replications() -> Results:
    """The deals above as a run of four replications; the tests' expected figures are by hand."""
    replication, outcome, qualified, cycle, revenue, commission = map(
        np.array, zip(*DEALS, strict=True)
    )
    n = len(DEALS)
    columns = {
        "replication": replication.astype(np.int32),
        "source": np.zeros(n, dtype=np.int8),
        "owner": np.ones(n, dtype=np.int8),
        "stage": np.zeros(n, dtype=np.int8),
        "outcome": np.array([Outcome.from_key(key) for key in outcome], dtype=np.int8),
        "reason": np.zeros(n, dtype=np.int8),
        "qualified": qualified.astype(bool),
        "cycle_days": cycle.astype(float),
        "age_days": np.where(np.isnan(cycle.astype(float)), 100.0, cycle.astype(float)),
        "revenue": revenue.astype(float),
        "commission": commission.astype(float),
        "direct_hours": np.zeros(n),
        "misrepresentation_veto": np.zeros(n, dtype=bool),
    }
    stats = {
        name: [0.0] * 4 for name in ("marketing_utilisation", "reactive_share", "rep_departures")
    }
    return Results(
        deals=deal_table([columns]),
        replications=pd.DataFrame({"replication": [0, 1, 2, 3], **stats}),
        partners=pd.DataFrame(),
        scenario=load_scenario(BASELINE),
        seed=1,
    )


def metrics_table(rows: dict[str, list[float]], replications=None) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table.insert(0, "replication", replications if replications is not None else range(len(table)))
    return table


def test_replication_metrics_follow_the_summary_definitions():
    table = replication_metrics(hand_made_results())
    assert list(table.columns) == ["replication", *METRICS]
    first, empty = table.iloc[0], table.iloc[1]
    assert first["win_rate"] == 0.5  # open and disqualified deals are not closed opportunities
    assert first["cycle_days_median"] == 20.0 and first["cycle_days_mean"] == 20.0
    assert first["revenue_net"] == 900.0
    assert (
        math.isnan(empty["win_rate"]) and empty["revenue_net"] == 0.0
    )  # kept, though it has no deals


def test_metrics_and_summary_of_a_hand_made_run():
    table = replication_metrics(four_replications(), tuple(REGISTRY)).set_index("replication")
    nan = math.nan
    expected = {  # worked out by hand from DEALS: closed opportunities are qualified and not open
        "deals": [6, 3, 0, 1],
        "opportunities_closed": [4, 3, 0, 0],
        "win_rate": [2 / 4, 1 / 3, nan, nan],
        "cycle_days_median": [(25 + 40) / 2, 30.0, nan, nan],
        "cycle_days_mean": [(10 + 40 + 25 + 70) / 4, (50 + 20 + 30) / 3, nan, nan],
        "revenue_net": [1500 - 100, 2000 - 500, 0.0, 0.0],
    }
    for name, values in expected.items():
        assert table[name].tolist() == pytest.approx(values, nan_ok=True), name
    summary = summarise(four_replications())
    assert (summary["deals"], summary["opportunities_closed"]) == (10, 7)
    assert summary["win_rate"] == pytest.approx(
        (2 / 4 + 1 / 3) / 2
    )  # replications without any: left out
    assert summary["win_rate_ci"] == [0.0, 1.0]  # t with one degree of freedom: clipped to [0, 1]
    assert summary["cycle_days_median"] == 30.0  # of all closed opportunities pooled
    assert summary["cycle_days_mean"] == pytest.approx(245 / 7)
    assert summary["revenue_net"] == pytest.approx((3500 - 600) / 4)
    assert summary["outcomes"] == {
        "won": 3,
        "lost_competitor": 2,
        "vetoed": 1,
        "no_decision": 1,
        "disqualified": 2,
        "open": 1,
    }
    assert list(summary)[-1] == "parameters" and summary["scenario"] == "baseline"


def test_compare_and_the_sweep_measure_a_replication_alike():
    """The sweep's rows (from the model's raw columns) and replication_metrics (from the deal
    table) are the same numbers, to the last bit."""
    scenario = load_scenario(BASELINE, ["committee.stallers=3"])
    rows = pd.DataFrame(run_point(scenario, point=0, seed=4, replications=3)["rows"])
    table = replication_metrics(sim.simulate(scenario, replications=3, seed=4), tuple(REGISTRY))
    pd.testing.assert_frame_equal(table, rows[table.columns], check_exact=True)


def test_paired_difference_is_the_paired_t_test():
    a = metrics_table({metric: [1.0, 2.0, 4.0, 3.0] for metric in METRICS})
    b = metrics_table({metric: [1.5, 2.0, 5.0, 3.2] for metric in METRICS})
    reference = stats.ttest_rel(b["win_rate"], a["win_rate"])
    entry = paired_difference(a, b)["win_rate"]
    assert entry["a"] == 2.5 and entry["b"] == pytest.approx(2.925)
    assert entry["estimate"] == pytest.approx(0.425)
    assert entry["p_value"] == pytest.approx(reference.pvalue)
    assert entry["ci"] == pytest.approx(list(reference.confidence_interval(0.95)))


def test_paired_difference_pairs_by_replication_not_by_row_order():
    a = metrics_table({metric: [1.0, 2.0, 4.0] for metric in METRICS})
    b = metrics_table({metric: [4.5, 1.5, 2.5] for metric in METRICS}, replications=[2, 0, 1])
    entry = paired_difference(a, b)[
        "cycle_days_mean"
    ]  # every pair differs by 0.5: no spread at all
    assert entry["ci"] == pytest.approx([0.5, 0.5]) and entry["p_value"] == 0.0


def test_identical_runs_give_zero_difference_without_warnings():
    a = metrics_table({metric: [0.2, 0.3, 0.25] for metric in METRICS})
    for entry in paired_difference(a, a.copy()).values():  # warnings are errors in this suite
        assert (entry["estimate"], entry["ci"], entry["p_value"]) == (0.0, [0.0, 0.0], 1.0)


def test_constant_nonzero_difference_is_certain():
    a = metrics_table({metric: [0.2, 0.3, 0.25] for metric in METRICS})
    b = a.copy()
    b[list(METRICS)] += 1.0
    entry = paired_difference(a, b)["revenue_net"]
    assert entry["estimate"] == pytest.approx(1.0) and entry["p_value"] == 0.0
    assert entry["ci"][0] == pytest.approx(1.0) and entry["ci"][1] == pytest.approx(1.0)


def test_pairs_with_nan_are_dropped():
    a = metrics_table({metric: [0.1, np.nan, 0.3, 0.5] for metric in METRICS})
    b = metrics_table({metric: [0.2, 0.9, np.nan, 0.7] for metric in METRICS})
    entry = paired_difference(a, b)["win_rate"]
    assert entry["pairs"] == 2
    assert entry["estimate"] == pytest.approx(0.15)
    single = paired_difference(a.iloc[:1], b.iloc[:1])["win_rate"]
    assert (
        single["pairs"] == 1
        and math.isnan(single["p_value"])
        and all(map(math.isnan, single["ci"]))
    )


def test_common_random_numbers_narrow_the_interval():
    """One more staller: paired with the same seed, the change in mean cycle has a narrower CI."""
    a_scenario, b_scenario = (
        load_scenario(BASELINE),
        load_scenario(BASELINE, ["committee.stallers=9"]),
    )
    a = replication_metrics(sim.simulate(a_scenario, replications=20, seed=1))
    b_common = replication_metrics(sim.simulate(b_scenario, replications=20, seed=1))
    b_other = replication_metrics(sim.simulate(b_scenario, replications=20, seed=2))
    paired = paired_difference(a, b_common)["cycle_days_mean"]["ci"]
    independent = independent_difference(a, b_other)["cycle_days_mean"]["ci"]
    assert paired[1] - paired[0] < 0.8 * (independent[1] - independent[0])


def test_verdict_says_what_changed_and_what_is_noise():
    diff = {metric: {"estimate": 0.0, "p_value": 0.7} for metric in METRICS}
    diff["cycle_days_median"] = {"estimate": -12.0, "p_value": 0.001}
    sentence = verdict(diff, "baseline", "kit")
    assert sentence == (
        "Against baseline, kit shortens the median cycle by 12.0 days (each p < 0.05); "
        "the win rate, mean cycle and net revenue stay within noise."
    )
    diff["cycle_days_median"]["p_value"] = 0.2
    assert "not distinguishable" in verdict(diff, "baseline", "kit")


def test_compare_of_a_scenario_with_itself_finds_nothing():
    scenario = load_scenario(BASELINE)
    result = compare(scenario, scenario, replications=3, seed=1)
    assert all(result["diff"][metric]["estimate"] == 0.0 for metric in METRICS)
    assert "not distinguishable" in result["verdict"]


def test_compare_command_json(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main,
        [
            "compare",
            "scenarios/baseline.toml",
            "scenarios/proactive_stallers.toml",
            "-n",
            "3",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"a", "b", "diff"} <= set(data)
    assert data["a"]["scenario"] == "baseline" and data["b"]["scenario"] == "proactive_stallers"
    for metric in METRICS:
        entry = data["diff"][metric]
        assert len(entry["ci"]) == 2 and 0 <= entry["p_value"] <= 1
        assert entry["estimate"] == pytest.approx(data["b"][metric] - data["a"][metric])


def test_compare_command_table_and_mistakes(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["compare", "scenarios/baseline.toml", "scenarios/founder_led.toml", "-n", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "95% CI" in result.output and "founder_led" in result.output
    missing = CliRunner().invoke(main, ["compare", "scenarios/baseline.toml", "nowhere.toml"])
    assert missing.exit_code == 2 and "nowhere.toml: no such scenario file" in missing.output
    assert "Traceback" not in missing.output


def test_crn_gain_script_smoke_run():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/crn_gain.py"), "--replications", "4"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| proactive_stallers |")]
    assert len(rows) == 1 and len(rows[0].split("|")) == 2 + 1 + len(METRICS)
