"""A finite market: leads name accounts; customers and accounts cooling off turn leads away.

Exact scripts in tiny worlds (scripted dice, leads on given days for given accounts), an
invariant over generated worlds, and directions with common random numbers.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import ROOT, one_lead_world, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.replications import simulate
from sim.model.market import Accounts
from sim.model.world import World
from sim.scenario import Scenario, ScenarioError, load_scenario, validate
from sim.vocabulary import Outcome

BASELINE = ROOT / "scenarios" / "baseline.toml"
LOSE, WIN = 0.99, 0.0  # decision draws: us 1, one competitor 1: 0.99 falls to the competitor


def market_world(params: Scenario, arrivals, accounts, decisions=()) -> World:
    """A world whose direct leads arrive on the given days, each for the given account."""
    world = one_lead_world(params, decisions=decisions, arrivals=arrivals)
    world.leads = dataclasses.replace(world.leads, account=np.array(accounts))
    world.records = type(world.records)(world.leads, params.scenario.horizon_days)
    world.accounts = Accounts(params.market)
    return world


def outcomes(world: World) -> list[str]:
    """Each lead's outcome; 'away' for a lead that never arrived."""
    records = world.records
    return [
        "away" if math.isnan(day) else Outcome.from_code(int(code)).key
        for day, code in zip(records.created_day, records.outcome, strict=True)
    ]


def turned_away(world: World) -> dict[str, float]:
    stats = world.accounts.stats(0.0, world.scenario.scenario.horizon_days)
    return {why.removeprefix("leads_turned_away_"): n for why, n in stats.items()}


# ---------------------------------------------------------------- the accounts, lead by lead


def test_a_lost_account_cools_off_and_a_won_account_is_never_worked_again():
    params = scenario(
        market={"accounts": 2, "cooloff_days": 30.0},
        committee={"decision_days": 10.0},  # every deal decides 10 days after it arrives
        competition={"competitors": 1, "competitor_weight": 1.0},
    )
    arrivals = (0.0, 20.0, 25.0, 40.0, 45.0, 60.0, 300.0)
    accounts = (0, 0, 1, 0, 0, 0, 0)
    world = market_world(params, arrivals, accounts, decisions=[LOSE, LOSE])
    world.run()
    # Account 0 is lost on day 10 and cools off until day 40: the lead of day 20 is turned
    # away, the one of day 40 is worked (account 1 was never in a deal). It is won on day
    # 50; meanwhile (day 45) and ever after (60, 300) account 0 turns its leads away.
    assert outcomes(world) == [
        "lost_competitor",
        "away",
        "lost_competitor",
        "won",
        "away",
        "away",
        "away",
    ]
    assert list(world.records.closed_day[[0, 2, 3]]) == [10.0, 35.0, 50.0]
    columns = world.records.columns(0)
    assert list(columns["account"]) == [0, 1, 0] and list(columns["deal_id"]) == [0, 2, 3]
    assert turned_away(world) == {
        "busy": 1,
        "customer": 2,
        "cooling": 1,
        "customers_end": 1,
        "large_customers_end": 0,  # one segment
        "accounts_untouched": 0,
    }


def test_a_cooloff_of_zero_lets_a_lost_account_be_worked_the_same_day():
    params = scenario(
        market={"accounts": 1, "cooloff_days": 0.0},
        committee={"decision_days": 10.0},
        competition={"competitors": 1, "competitor_weight": 1.0},
    )
    world = market_world(params, (0.0, 10.0), (0, 0), decisions=[LOSE])
    world.run()
    assert outcomes(world) == ["lost_competitor", "won"]


def test_the_replication_counts_only_leads_turned_away_in_the_window():
    params = scenario(
        scenario={"warmup_days": 100.0},
        market={"accounts": 3, "cooloff_days": 1e6},
        competition={"competitors": 1, "competitor_weight": 1.0},
    )
    world = market_world(params, (0.0, 50.0, 150.0, 160.0), (0, 0, 0, 1), decisions=[LOSE])
    world.run()
    assert outcomes(world) == ["lost_competitor", "away", "away", "won"]
    stats = world.replication_stats(0)
    assert (stats["leads_turned_away_cooling"], stats["customers_end"]) == (1, 1)
    assert stats["accounts_untouched"] == 1  # account 2


# ---------------------------------------------------------------- partners on named accounts


def with_partners(accounts: float, *coverages: float, **sections) -> Scenario:
    data = load_scenario(BASELINE).to_dict()
    data["scenario"].update(horizon_days=800.0, warmup_days=0.0)
    data["market"] = {"accounts": accounts}
    data["leads"]["arrivals_per_month"] = 20.0
    data["channel"] = {"leads_per_staff_month": 0.2}
    data["partners"] = [
        {"name": f"P{i}", "coverage": c, "comp_changes_per_year": 0.0, "commission": 0.1 * (i + 1)}
        for i, c in enumerate(coverages)
    ]
    for name, values in sections.items():
        data[name].update(values)
    return validate(data)


def test_partners_cover_named_accounts_and_all_who_cover_a_won_account_claim():
    world = World(with_partners(200, 0.6, 0.5, 0.0), seed=5, replication=0)
    world.run()
    book, records = world.leads, world.records
    # Coverage belongs to the account: leads naming it have the same claimants, but for
    # the partner that brought a lead, which claims on its own lead as ever. A partner's
    # own leads name accounts it covers (P2 covers none: any account, and it claims).
    for index in range(3):
        others = book.partner != index
        for account in np.unique(book.account):
            claims = book.covered[others & (book.account == account), index]
            assert claims.all() or not claims.any()
            if index < 2 and (book.account[book.partner == index] == account).any():
                assert claims.all()
    assert not book.covered[book.partner != 2, 2].any()
    # Both partners covering a won direct deal's account claim their commission on it.
    won = records.outcome == Outcome.WON
    both = won & (book.partner < 0) & book.covered[:, 0] & book.covered[:, 1]
    assert both.sum() > 3
    np.testing.assert_allclose(records.commission[both], 0.3 * records.revenue[both])
    rates = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(
        records.commission, np.where(won, (book.covered * rates).sum(axis=1), 0) * records.revenue
    )


# ---------------------------------------------------------------- an invariant


@st.composite
def markets(draw) -> Scenario:
    cooloff = draw(st.one_of(st.floats(0.0, 200.0), st.just(math.inf)))
    return with_partners(
        draw(st.integers(1, 30)),
        draw(st.floats(0.0, 1.0)),
        scenario={"horizon_days": 400.0},
        market={"cooloff_days": cooloff},
        leads={"arrivals_per_month": draw(st.floats(0.5, 30.0))},
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=markets(), seed=st.integers(0, 2**16))
def test_an_account_is_in_one_deal_at_a_time_never_sold_twice_and_rests_after_a_loss(params, seed):
    deals = simulate(params, 1, seed).deals
    horizon, cooloff = params.scenario.horizon_days, params.market.cooloff_days
    for _, account in deals.sort_values("created_day").groupby("account"):
        start = account["created_day"].to_numpy()
        end = account["closed_day"].fillna(horizon).to_numpy()
        outcome = account["outcome"].to_numpy()
        assert (outcome[:-1] != "won").all()  # a customer is never worked again
        rest = np.where(outcome[:-1] == "open", math.inf, cooloff)
        assert (start[1:] >= end[:-1] + rest).all()  # one deal at a time, then the cool-off
    assert (deals["account"] < params.market.accounts).all() and (deals["account"] >= 0).all()


# ---------------------------------------------------------------- directions and identity


def counted_deals(*changes: str) -> tuple[np.ndarray, np.ndarray]:
    """Counted deals and wins in each of 10 replications of the baseline with `changes`."""
    deals = simulate(load_scenario(BASELINE, changes), 10, 3).deals
    by_replication = deals[deals["counted"]].groupby("replication")["outcome"]
    wins = by_replication.agg(lambda outcome: (outcome == "won").sum())
    return by_replication.size().to_numpy(), wins.to_numpy()


def test_a_smaller_market_turns_away_more_leads_and_wins_fewer_deals():
    unlimited = counted_deals()
    larger = counted_deals("market.accounts=300")
    smaller = counted_deals("market.accounts=100")
    for more, fewer in ((unlimited, larger), (larger, smaller)):
        for bigger, lesser in zip(more, fewer, strict=True):  # deals, then wins
            difference = bigger - lesser  # paired: the same leads and committees (CRN)
            error = difference.std(ddof=1) / math.sqrt(len(difference))
            # One-sided t test at 0.1%: a false alarm once in 1,000 seeds, were they random.
            assert difference.mean() > stats.t.ppf(0.999, len(difference) - 1) * error


def test_an_unlimited_market_is_todays_model_and_a_large_one_changes_only_the_account():
    changes = ("reps.count=4",)
    today = simulate(load_scenario(BASELINE, changes), 3, 1)
    unlimited = simulate(load_scenario(BASELINE, (*changes, "market.cooloff_days=5")), 3, 1)
    large = simulate(load_scenario(BASELINE, (*changes, "market.accounts=100000")), 3, 1)
    assert (today.deals["account"] == -1).all()
    assert today.deals.equals(unlimited.deals)  # the cool-off does nothing without a market
    turned = large.replications.filter(like="leads_turned_away").to_numpy()
    assert turned.sum() == 0  # no lead of this seed met a busy account: all arrived alike
    assert (large.deals["account"] >= 0).all()
    assert today.deals.drop(columns="account").equals(large.deals.drop(columns="account"))


def test_an_unlimited_market_keeps_no_accounts():
    accounts = World(scenario(), seed=1, replication=0).accounts
    assert not accounts.limited and accounts.free_from == []
    assert math.isnan(accounts.stats(0, 1)["customers_end"])


@pytest.mark.parametrize("value", [1.5, 0, 100_001, math.nan])
def test_a_market_size_must_be_a_whole_number_of_accounts(value):
    allowed = "allowed: whole number ≥ 1 and ≤ 100,000, or inf"
    with pytest.raises(ScenarioError, match=f"accounts = .* is not allowed; {allowed}"):
        scenario(market={"accounts": value})


def test_large_accounts_are_a_segment_whose_deals_are_worth_more():
    """The same leads (common random numbers): those naming one of the first 50 accounts are
    worth four times as much, every other lead and every account as without the segment."""
    one = ("market.accounts=500", "scenario.horizon_days=400", "scenario.warmup_days=0")
    plain = World(load_scenario(BASELINE, one), 5, 0).leads
    split = World(load_scenario(BASELINE, (*one, "market.large_accounts=50")), 5, 0).leads
    assert np.array_equal(plain.account, split.account)
    large = plain.account < 50
    assert 0 < large.sum() < len(large)
    assert np.allclose(split.value[large], 4 * plain.value[large])
    assert np.array_equal(split.value[~large], plain.value[~large])
    world = World(load_scenario(BASELINE, (*one, "market.large_accounts=50")), 5, 0)
    world.run()
    stats = world.accounts.stats(0, 400)
    assert 0 < stats["large_customers_end"] <= min(stats["customers_end"], 50)
    with pytest.raises(ScenarioError, match="allowed: at most the accounts of a finite market"):
        scenario(market={"large_accounts": 5})  # an unlimited market has no segments


def test_an_account_lost_for_good_is_cooling_off_not_busy():
    """cooloff_days = inf: never worked again, and its leads say why (not 'in a deal')."""
    accounts = Accounts(scenario(market={"accounts": 2, "cooloff_days": math.inf}).market)
    assert accounts.admits(0, 1.0) and not accounts.admits(0, 2.0)  # busy while in a deal
    accounts.deal_ended(0, won=False, day=5.0)
    assert not accounts.admits(0, 1e9)
    assert {why: len(days) for why, days in accounts.turned_away.items()} == {
        "leads_turned_away_busy": 1,
        "leads_turned_away_customer": 0,
        "leads_turned_away_cooling": 1,
    }
