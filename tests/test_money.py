"""Money: the cost of sales, customers after the win, and what a change costs and returns.

The figures by hand for a whole run are in tests/test_compare.py
(`test_metrics_and_summary_of_a_hand_made_run`); here: the customer's months, each
cost line's rule, invariants over any prices, and the model's money with common random
numbers.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import short_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.compare import compare
from sim.analysis.money import Economics, Ledger, Team, Wins, customer_months
from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.schema import Customers
from sim.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR, CostLine, Owner


def test_a_customer_ramps_up_churns_and_expands_month_by_month():
    customers = Customers(
        onboarding_days=2 * DAYS_PER_MONTH,  # full revenue from the third month
        onboarding_start_share=0.5,
        monthly_churn=0.1,
        expansion_per_year=0.2,
        lifetime_years=0.5,
    )
    months = customer_months(customers)
    ramp = [0.5, 0.75, 1.0, 1.0, 1.0, 1.0]
    expected = [ramp[j] * 0.9**j * 1.2 ** (j / 12) for j in range(6)]
    assert months.tolist() == pytest.approx(expected)


def ledger(sets=(), stats=None, wins=(), team=None, partner=0.0) -> Ledger:
    """One replication's ledger over a one-year window from day 0, three reps all year.

    `wins` are (day, revenue, owner, rep) of the deals won in the window."""
    window = ["scenario.warmup_days=0", f"scenario.horizon_days={DAYS_PER_YEAR}"]
    scenario = load_scenario("baseline", [*window, *sets])
    day, revenue, owner, rep = (
        (np.array(column) for column in zip(*wins, strict=True)) if wins else [np.zeros(0)] * 4
    )
    return Ledger(
        Economics.of(scenario),
        (0.0, DAYS_PER_YEAR),
        stats or {"rep_days": 3 * DAYS_PER_YEAR, "rep_hires": 0},
        Wins(
            day.astype(float),
            revenue.astype(float),
            owner.astype(np.int8),
            rep.astype(np.intp),
            partner,
        ),
        team,
    )


def test_reps_are_paid_on_the_founders_deals_only_when_the_plan_says_so():
    wins = [(10.0, 100_000.0, Owner.FOUNDER, -1), (20.0, 50_000.0, Owner.REP, 0)]
    plain = ledger(wins=wins)
    assert plain.cost_per_year[CostLine.REP_COMMISSIONS] == pytest.approx(0.09 * 50_000)
    vp = ledger(["costs.commission_on_founder_deals=true"], wins=wins)  # seed 000
    assert vp.cost_per_year[CostLine.REP_COMMISSIONS] == pytest.approx(0.09 * 150_000)
    assert vp.cost_of_sales_per_year - plain.cost_of_sales_per_year == pytest.approx(9000)


def test_the_founders_hours_hires_and_tactics_are_priced_by_their_rules():
    sets = ["founder.max_active_deals=2", "founder.hours_per_day=4"]
    sets += ["marketing.lead_generation=0.1", "marketing.value_collateral=0.65"]
    founder = ledger(sets, stats={"rep_days": 100.0, "rep_hires": 2})
    lines = founder.cost_per_year
    assert lines[CostLine.FOUNDER_TIME] == pytest.approx(4 * DAYS_PER_YEAR * 5 / 7 * 100)
    assert lines[CostLine.MARKETING_PROGRAMMES] == 3 * 20_000  # kit, collateral, lead generation
    assert lines[CostLine.REP_HIRING] == 2 * 29_000
    assert lines[CostLine.REP_SALARIES] == pytest.approx(75_000 * 100 / DAYS_PER_YEAR)
    assert ledger().cost_per_year[CostLine.FOUNDER_TIME] == 0.0  # the baseline's founder


def test_reps_at_quota_judges_each_rep_over_the_time_they_were_employed():
    quota = 750_000
    wins = [(10.0, quota / 2, Owner.REP, 0), (20.0, quota / 2, Owner.REP, 0)]
    wins += [(30.0, quota / 2, Owner.REP, 1), (40.0, 9e9, Owner.FOUNDER, -1)]
    days = np.array([1.0, 1.0, 0.3]) * DAYS_PER_YEAR
    team = Team(np.array([-10.0, -10.0, 0.0]), np.full(3, np.nan), days)
    book = ledger(stats={"rep_days": days.sum(), "rep_hires": 1}, wins=wins, team=team)
    # Rep 0 won a full quota in a full year, rep 1 half of it; rep 2 (0.3 years) is not
    # judged, and the founder's deal is nobody's quota.
    assert book.reps_at_quota() == 0.5
    assert book.quota_attainment() == pytest.approx(1.5 * quota / (quota * 2.3))


def test_a_new_reps_draw_costs_what_its_commissions_fall_short_by():
    """Rep 0 was there before the window; rep 1 joins on day 100 and leaves on day 130,
    earning $1,800 of commission meanwhile; rep 2 joins on day 300, three months before
    the end of the window, and wins nothing."""
    team = Team(
        hired_day=np.array([-365.0, 100.0, 300.0]),
        left_day=np.array([np.nan, 130.0, np.nan]),
        days_in_window=np.array([DAYS_PER_YEAR, 30.0, DAYS_PER_YEAR - 300]),
    )
    wins = [(110.0, 20_000.0, Owner.REP, 1), (200.0, 50_000.0, Owner.REP, 1)]  # the 2nd: gone
    book = ledger(["costs.draw_months=3"], wins=wins, team=team)
    month = DAYS_PER_MONTH
    expected = (3125 * 30 / month - 0.09 * 20_000) + 3125 * (DAYS_PER_YEAR - 300) / month
    assert book.cost_per_year[CostLine.REP_DRAWS] == pytest.approx(expected)
    assert ledger(wins=wins, team=team).cost_per_year[CostLine.REP_DRAWS] == 0.0  # no draw
    assert math.isnan(ledger(["costs.draw_months=3"], wins=wins).cost_of_sales_per_year)


def test_an_advance_is_taken_back_from_later_commissions_as_far_as_they_go():
    """Seed 000's commission advance: rep 0 joins on day 0 with a three-month draw."""
    team = Team(np.array([0.0]), np.array([np.nan]), np.array([DAYS_PER_YEAR]))
    shortfall = 3 * 3125 - 0.09 * 10_000  # the draw less the commission on day 30's win
    for later, recovered in ((100_000.0, shortfall), (50_000.0, 0.09 * 50_000)):
        wins = [(30.0, 10_000.0, Owner.REP, 0), (200.0, later, Owner.REP, 0)]
        sets = ["costs.draw_months=3"]
        drawn = ledger(sets, wins=wins, team=team).cost_per_year[CostLine.REP_DRAWS]
        advanced = ledger([*sets, "costs.draw_recoverable=true"], wins=wins, team=team)
        assert drawn == pytest.approx(shortfall)
        assert advanced.cost_per_year[CostLine.REP_DRAWS] == pytest.approx(shortfall - recovered)


def test_without_a_customer_the_per_customer_figures_are_undefined_not_infinite():
    nobody = ledger()
    assert nobody.new_customers == 0
    assert all(math.isnan(f()) for f in (nobody.cac, nobody.payback_months, nobody.ltv))
    assert math.isnan(nobody.ltv_to_cac())
    assert nobody.arr_end() == 0.0 and nobody.sales_efficiency() == 0.0
    assert nobody.sales_burn_per_year() == nobody.cost_of_sales_per_year > 0


money = st.floats(0, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    salary=money,
    rate=st.floats(0, 1),
    churn=st.floats(0, 1),
    expansion=st.floats(0, 2),
    onboarding=st.floats(0, 400),
    start=st.floats(0, 1),
    lifetime=st.floats(0.1, 12),
    deals=st.lists(st.tuples(st.floats(0, DAYS_PER_YEAR), money), max_size=8),
)
def test_money_is_never_negative_and_arr_never_beats_what_was_won_plus_expansion(
    salary, rate, churn, expansion, onboarding, start, lifetime, deals
):
    sets = [
        f"costs.rep_base_salary={salary!r}",
        f"costs.commission_rate={rate!r}",
        f"customers.monthly_churn={churn!r}",
        f"customers.expansion_per_year={expansion!r}",
        f"customers.onboarding_days={onboarding!r}",
        f"customers.onboarding_start_share={start!r}",
        f"customers.lifetime_years={lifetime!r}",
    ]
    book = ledger(sets, wins=[(day, revenue, Owner.REP, 0) for day, revenue in deals])
    assert all(cost >= 0 for cost in book.cost_per_year.values())
    assert book.cost_total >= 0 and book.revenue_collected() >= 0
    arr = book.arr_end()
    most = sum(value for _, value in deals) * (1 + expansion)  # expanding one year at most
    assert 0 <= arr <= most * (1 + 1e-9) + 1e-6
    if deals:
        assert book.cac() >= 0 and book.ltv() >= 0
    else:
        assert math.isnan(book.cac())


def test_prices_change_no_deal_and_cost_exactly_what_they_say():
    """Common random numbers: a dearer rep changes the salaries line and nothing else."""
    base = load_scenario("baseline")
    dear = load_scenario("baseline", ["costs.rep_base_salary=100000"])
    result = compare(base, dear, replications=3, seed=1)
    diff = result["diff"]
    for metric in ("win_rate", "cycle_days_median", "revenue_gross_per_year", "arr_end"):
        assert diff[metric]["estimate"] == 0.0, metric
    # The baseline's three reps stay all window: $25,000 more a year each.
    assert diff["cost_of_sales_per_year"]["estimate"] == pytest.approx(3 * 25_000)
    assert diff["cac"]["estimate"] > 0


def test_overlapping_partners_raise_the_cost_of_a_customer():
    """Seed 000: three partners claiming 20% each on the same accounts make customers dearer."""
    single = load_scenario("channel_single_partner")
    overlap = load_scenario("channel_overlap")
    diff = compare(single, overlap, replications=8, seed=1)["diff"]
    assert diff["cac"]["ci"][0] > 0  # the paired interval lies above zero
    assert diff["ltv_to_cac"]["ci"][1] < 0


def test_a_run_that_wins_nobody_says_cac_is_undefined(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "short.toml").write_text(short_scenario(0, 3), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "short.toml", "-n", "2", "--out", "out"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["new_customers"] == 0
    assert summary["cac"] is None and summary["ltv_to_cac"] is None
    assert summary["cost_of_sales"]["total"] > 0
    assert "│ CAC " in result.output and "n/a" in result.output.split("│ CAC ")[1].split("\n")[0]
