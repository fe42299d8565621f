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
from sim.vocabulary import DAYS_PER_YEAR, Outcome, Reason, Stage

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios/baseline.toml"


# A window of exactly one year: deals arriving from day 100 count, money booked from day 100.
WINDOW = ["scenario.warmup_days=100", f"scenario.horizon_days={100 + DAYS_PER_YEAR}"]
# Customers who pay their full monthly revenue for exactly twelve months: money by hand.
PLAIN_CUSTOMERS = [
    "customers.monthly_churn=0",
    "customers.onboarding_days=0",
    "customers.lifetime_years=1",
]
DEALS = [  # replication, counted, outcome, reason, stage, qualified, age, closed day, revenue, com.
    (0, True, "won", "won", "negotiating", True, 10.0, 200.0, 1000.0, 100.0),
    (0, True, "won", "won", "negotiating", True, 40.0, 300.0, 500.0, 0.0),
    (0, True, "lost_competitor", "competitor", "deciding", True, 25.0, 150.0, 0.0, 0.0),
    (0, True, "no_decision", "status_quo", "deciding", True, 70.0, 250.0, 0.0, 0.0),
    (0, True, "open", "open", "stallers", True, 100.0, np.nan, 0.0, 0.0),
    (0, True, "disqualified", "poor_fit", "qualifying", False, 3.0, 110.0, 0.0, 0.0),
    (0, False, "won", "won", "negotiating", True, 80.0, 150.0, 300.0, 0.0),  # warm-up lead
    (1, True, "vetoed", "veto", "nay_sayers", True, 50.0, 300.0, 0.0, 0.0),
    (1, True, "won", "won", "negotiating", True, 20.0, 400.0, 2000.0, 500.0),
    (1, True, "lost_competitor", "competitor", "deciding", True, 30.0, 350.0, 0.0, 0.0),
    (3, True, "disqualified", "poor_fit", "qualifying", False, 5.0, 200.0, 0.0, 0.0),
]  # replication 2 has no deal at all


def four_replications() -> Results:
    """The deals above as a run of four replications; the tests' expected figures are by hand."""
    columns = dict(zip(COLUMNS, map(np.array, zip(*DEALS, strict=True)), strict=True))
    n = len(DEALS)
    closed = ~np.isnan(columns["closed_day"].astype(float))
    table = {
        **columns,
        "replication": columns["replication"].astype(np.int32),
        "counted": columns["counted"].astype(bool),
        "qualified": columns["qualified"].astype(bool),
        "source": np.zeros(n, dtype=np.int8),
        "owner": np.ones(n, dtype=np.int8),
        "rep": np.zeros(n, dtype=np.int32),
        "feature": np.full(n, -1, dtype=np.int32),  # nobody needs a missing feature
        **{
            name: np.array([term.from_key(key) for key in columns[name]], dtype=np.int8)
            for name, term in (("outcome", Outcome), ("reason", Reason), ("stage", Stage))
        },
        "age_days": columns["age_days"].astype(float),
        "cycle_days": np.where(closed, columns["age_days"].astype(float), np.nan),
        "closed_day": columns["closed_day"].astype(float),
        "revenue": columns["revenue"].astype(float),
        "commission": columns["commission"].astype(float),
        "direct_hours": np.zeros(n),
        "misrepresentation_veto": np.zeros(n, dtype=bool),
    }
    stats = {
        name: [0.0] * 4 for name in ("marketing_utilisation", "reactive_share", "rep_departures")
    }
    team = {"rep_hires": [0, 1, 0, 0], "rep_days": [3 * DAYS_PER_YEAR] * 4}  # three reps all year
    return Results(
        deals=deal_table([table]),
        replications=pd.DataFrame({"replication": [0, 1, 2, 3], **stats, **team}),
        partners=pd.DataFrame(),
        scenario=load_scenario(BASELINE, [*WINDOW, *PLAIN_CUSTOMERS]),
        seed=1,
    )


COLUMNS = (
    "replication",
    "counted",
    "outcome",
    "reason",
    "stage",
    "qualified",
    "age_days",
    "closed_day",
    "revenue",
    "commission",
)


def metrics_table(rows: dict[str, list[float]], replications=None) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table.insert(0, "replication", replications if replications is not None else range(len(table)))
    return table


# The baseline's prices: three reps at $75,000, 9% commission (all deals are the reps'),
# $29,000 a hire, two marketers at $90,000 and two tactics at $20,000, no founder selling.
# Replication 0 books 1,800 (three customers, 100 to partners), replication 1 books 2,000
# (one customer, 500 to partners, and one hire); 2 and 3 book nothing.
FIXED = 3 * 75_000 + 2 * 90_000 + 2 * 20_000
COSTS = [FIXED + 0.09 * 1800 + 100, FIXED + 0.09 * 2000 + 29_000 + 500, FIXED, FIXED]
# Bills by the horizon (day 465.25), one a month from signing: the deals signed on days 200,
# 300 and 150 have had 9, 6 and 11; the one signed on day 400, 3.
COLLECTED = [(1000 * 9 + 500 * 6 + 300 * 11) / 12, 2000 * 3 / 12, 0.0, 0.0]
MONEY_BY_HAND = {
    "new_customers": [3, 1, 0, 0],  # the warm-up lead's win counts: it was booked in the window
    "cost_of_sales_per_year": COSTS,
    "cost_rep_salaries_per_year": [225_000.0] * 4,
    "cost_rep_commissions_per_year": [162.0, 180.0, 0.0, 0.0],
    "cost_rep_draws_per_year": [0.0] * 4,  # no draw in the baseline
    "cost_rep_hiring_per_year": [0.0, 29_000.0, 0.0, 0.0],
    "cost_founder_time_per_year": [0.0] * 4,
    "cost_marketing_staff_per_year": [180_000.0] * 4,
    "cost_marketing_programmes_per_year": [40_000.0] * 4,
    "cost_partner_commissions_per_year": [100.0, 500.0, 0.0, 0.0],
    "cac": [COSTS[0] / 3, COSTS[1], math.nan, math.nan],  # undefined without a customer
    # CAC / (mean monthly revenue x 72% margin): 1,800 / 3 / 12 = 50 and 2,000 / 12 a month.
    "payback_months": [
        COSTS[0] / 3 / (50 * 0.72),
        COSTS[1] / (2000 / 12 * 0.72),
        math.nan,
        math.nan,
    ],
    "sales_efficiency": [1800 / COSTS[0], 2000 / COSTS[1], 0.0, 0.0],
    "ltv": [50 * 0.72 * 12, 2000 * 0.72, math.nan, math.nan],  # twelve months' gross profit
    "ltv_to_cac": [50 * 0.72 * 12 / (COSTS[0] / 3), 2000 * 0.72 / COSTS[1], math.nan, math.nan],
    "arr_end": [1800.0, 2000.0, 0.0, 0.0],  # every customer still in its first year
    "sales_burn_per_year": [COSTS[i] - 0.72 * COLLECTED[i] for i in range(4)],
    # Three rep-years against a $750,000 quota each.
    "quota_attainment": [1800 / 2_250_000, 2000 / 2_250_000, 0.0, 0.0],
    "reps_at_quota": [math.nan] * 4,  # a run made by hand has no reps table
}


def test_metrics_and_summary_of_a_hand_made_run():
    table = replication_metrics(four_replications(), tuple(REGISTRY)).set_index("replication")
    nan = math.nan
    # Worked out by hand from DEALS. Replication 0's counted opportunities end at ages 10
    # (won), 25 (lost), 40 (won), 70 (no decision) and 100 (still open, censored).
    # Aalen-Johansen: at 10, 1/5 of 5 at risk is won (0.2), leaving 4/5; at 25 a loss leaves
    # 3/5; at 40 a win adds 3/5 x 1/3 = 0.2 (0.4 in all), leaving 2/5; at 70 the no decision
    # takes 2/5 x 1/2 = 0.2. Kaplan-Meier: 0.8, 0.6, 0.4 still open after 10, 25, 40: median 40.
    # Leads (the disqualified one too, ending at 3): wins 5/6 x 1/5 + 3/6 x 1/3 = 1/3.
    # Money: deals won from day 100 on, the warm-up lead's too: 900 + 500 + 300 in one year.
    expected = {
        "deals": [6, 3, 0, 1],
        "opportunities": [5, 3, 0, 0],
        "wins": [2, 1, 0, 0],  # the warm-up lead's win is not counted
        "win_rate": [0.4, 1 / 3, nan, nan],
        "no_decision_rate": [0.2, 0.0, nan, nan],
        "lead_win_rate": [1 / 3, 1 / 3, nan, 0.0],
        "cycle_days_median": [40.0, 30.0, nan, nan],
        "feature_requests": [0, 0, 0, 0],
        "feature_win_rate": [nan] * 4,
        "revenue_gross_per_year": [1800.0, 2000.0, 0.0, 0.0],
        "revenue_net_per_year": [1700.0, 1500.0, 0.0, 0.0],
        "commission_share": [100 / 1800, 500 / 2000, nan, nan],
        **MONEY_BY_HAND,
        # Decided: replication 0's two wins, a loss and a status quo; replication 1's win and
        # loss. Indecision: none, against one status quo in replication 0.
        "purchase_likelihood": [3 / 4, 1.0, nan, nan],
        "indecision_share": [0.0, nan, nan, nan],
        "decided_won_share": [2 / 4, 1 / 2, nan, nan],
        "decided_lost_share": [1 / 4, 1 / 2, nan, nan],
        "decided_no_decision_share": [1 / 4, 0.0, nan, nan],
        "win_rate_closed": [2 / 4, 1 / 3, nan, nan],
        "cycle_days_median_closed": [(25 + 40) / 2, 30.0, nan, nan],
        "cycle_days_median_won": [(10 + 40) / 2, 20.0, nan, nan],
        "cycle_days_mean_closed": [(10 + 40 + 25 + 70) / 4, (50 + 20 + 30) / 3, nan, nan],
    }
    assert list(expected) == list(REGISTRY)
    for name, values in expected.items():
        assert table[name].tolist() == pytest.approx(values, nan_ok=True), name
    summary = summarise(four_replications())
    assert (summary["deals"], summary["opportunities"]) == (10, 8)
    assert summary["win_rate"] == pytest.approx((0.4 + 1 / 3) / 2)  # those without: left out
    half = stats.t.ppf(0.975, 1) * np.std([0.4, 1 / 3], ddof=1) / np.sqrt(2)
    assert summary["win_rate_ci"] == [0.0, pytest.approx((0.4 + 1 / 3) / 2 + half)]  # clipped
    assert summary["cycle_days_median"] == pytest.approx(35.0)  # mean of the replications'
    assert summary["revenue_net_per_year"] == pytest.approx((1700 + 1500) / 4)
    assert summary["revenue_gross_per_year"] == pytest.approx((1800 + 2000) / 4)
    assert summary["commission_share"] == pytest.approx((100 / 1800 + 500 / 2000) / 2)
    assert summary["wins"] == 3
    assert summary["deals_per_year"] == pytest.approx(10 / 4)
    assert summary["funnel_per_year"] == pytest.approx(
        {
            "leads": 10 / 4,
            "qualified": 8 / 4,
            "past_stallers": 7 / 4,
            "past_nay_sayers": 6 / 4,
            "decided": 6 / 4,
            "won": 3 / 4,
        }
    )
    assert summary["outcomes"] == {
        "won": 3,
        "lost_competitor": 2,
        "vetoed": 1,
        "no_decision": 1,
        "disqualified": 2,
        "open": 1,
    }
    assert summary["cac"] == pytest.approx((COSTS[0] / 3 + COSTS[1]) / 2)  # with a customer
    assert summary["cost_of_sales"]["total"] == pytest.approx(sum(COSTS) / 4)
    assert summary["cost_of_sales"]["rep_hiring"] == pytest.approx(29_000 / 4)
    assert summary["cost_rep_salaries_per_year_ci"] == [225_000.0, 225_000.0]  # no spread
    # A window of exactly one year: ARR after year 1 is ARR at the horizon, every customer
    # still in its first year.
    [year_one] = summary["arr_by_year"]
    assert (year_one["year"], year_one["arr"]) == (1, pytest.approx((1800 + 2000) / 4))
    assert summary["no_decision_reasons"]["status_quo"] == 1
    assert sum(summary["no_decision_reasons"].values()) == 1
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
    entry = paired_difference(a, b)["cycle_days_median"]  # every pair differs by 0.5: no spread
    assert entry["ci"] == pytest.approx([0.5, 0.5]) and entry["p_value"] == 0.0


def test_identical_runs_give_zero_difference_without_warnings():
    a = metrics_table({metric: [0.2, 0.3, 0.25] for metric in METRICS})
    for entry in paired_difference(a, a.copy()).values():  # warnings are errors in this suite
        assert (entry["estimate"], entry["ci"], entry["p_value"]) == (0.0, [0.0, 0.0], 1.0)


def test_constant_nonzero_difference_is_certain():
    a = metrics_table({metric: [0.2, 0.3, 0.25] for metric in METRICS})
    b = a.copy()
    b[list(METRICS)] += 1.0
    entry = paired_difference(a, b)["revenue_net_per_year"]
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
    """One more staller: paired with the same seed, the change in median cycle has a narrower CI."""
    short = ["scenario.warmup_days=365", "scenario.horizon_days=730"]  # quick, still filled
    a_scenario, b_scenario = (
        load_scenario(BASELINE, short),
        load_scenario(BASELINE, [*short, "committee.stallers=4"]),
    )
    a = replication_metrics(sim.simulate(a_scenario, replications=20, seed=1))
    b_common = replication_metrics(sim.simulate(b_scenario, replications=20, seed=1))
    b_other = replication_metrics(sim.simulate(b_scenario, replications=20, seed=2))
    paired = paired_difference(a, b_common)["cycle_days_median"]["ci"]
    independent = independent_difference(a, b_other)["cycle_days_median"]["ci"]
    assert paired[1] - paired[0] < 0.8 * (independent[1] - independent[0])


def test_verdict_says_what_changed_and_what_is_noise():
    diff = {metric: {"estimate": 0.0, "p_value": 0.7} for metric in METRICS}
    diff["cycle_days_median"] = {"estimate": -12.0, "p_value": 0.001}
    diff["cost_of_sales_per_year"]["estimate"] = math.nan  # the money sentence is tested below
    sentence = verdict(diff, "baseline", "kit")
    assert sentence == (
        "Against baseline, kit shortens the median cycle by 12.0 days (each p < 0.05); "
        "the win rate, no-decision rate and net revenue stay within noise."
    )
    diff["cycle_days_median"]["p_value"] = 0.2
    assert "not distinguishable" in verdict(diff, "baseline", "kit")


def test_verdict_says_what_a_change_costs_and_returns_in_money():
    diff = {metric: {"estimate": 0.0, "p_value": 0.7, "ci": [-1.0, 1.0]} for metric in METRICS}
    diff["cost_of_sales_per_year"] = {"estimate": 20_000.0, "p_value": 0.01, "ci": [5e3, 35e3]}
    diff["revenue_gross_per_year"] = {"estimate": -1500.4, "p_value": 0.3, "ci": [-4e3, 1e3]}
    assert verdict(diff, "baseline", "kit").endswith(
        "In money, kit spends $20,000 a year more (95% CI +$5,000 to +$35,000) on sales and "
        "marketing and books $1,500 a year less (95% CI -$4,000 to +$1,000; within the noise) "
        "in new revenue."
    )
    diff["cost_of_sales_per_year"]["estimate"] = math.nan  # results without money figures
    assert "In money" not in verdict(diff, "baseline", "kit")


def test_compare_of_a_scenario_with_itself_finds_nothing():
    scenario = load_scenario(BASELINE)
    result = compare(scenario, scenario, replications=3, seed=1)
    assert all(result["diff"][metric]["estimate"] == 0.0 for metric in METRICS)
    assert result["verdict"] == (
        "baseline's deals are baseline's, run by run: every difference is exactly 0. In "
        "money, baseline spends the same on sales and marketing and books the same in new "
        "revenue."
    )


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


@pytest.mark.slow  # a script's run: timings and studies stay out of the default suite
def test_crn_gain_script_smoke_run():
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/crn_gain.py"),
            *("--replications", "4", "--set", "scenario.horizon_days=200"),
            *("--set", "scenario.warmup_days=0"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| proactive_stallers |")]
    assert len(rows) == 1 and len(rows[0].split("|")) == 2 + 1 + len(METRICS)


def test_mostly_zero_paired_differences_are_flagged_and_the_verdict_warns():
    a = metrics_table({metric: [0.2] * 10 for metric in METRICS})
    b = a.copy()
    b.loc[:2, "win_rate"] -= 0.05  # three pairs differ, seven are identical
    diff = paired_difference(a, b)
    assert (diff["win_rate"]["nonzero"], diff["win_rate"]["degenerate"]) == (3, True)
    # Only the win rate is shaky: the other metrics' differences are all exactly 0.
    assert "(win rate 3 of 10 non-zero)" in verdict(diff, "A", "B")
    every = paired_difference(a.iloc[:5], b.iloc[:5].assign(win_rate=0.1))["win_rate"]
    assert (every["nonzero"], every["degenerate"]) == (5, False)  # few pairs, none zero
