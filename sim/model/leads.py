"""Leads: who arrives, when, worth how much, with how much patience, from where."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import simpy

from ..scenario.schema import Scenario
from ..vocabulary import DAYS_PER_MONTH, Source


@dataclass(frozen=True)
class LeadBook:
    """Every candidate lead of one replication, drawn up front as arrays (index = deal id).

    Drawing the leads in one go keeps them identical across scenarios that share
    a seed, whatever happens to each deal later (common random numbers). Some
    candidates never arrive: marketing leads are drawn at the top rate lead
    generation could reach and partner leads at full mindshare, and each arrives
    only if its `accept` draw falls below the rate of the day (thinning).
    """

    arrival_day: np.ndarray
    value: np.ndarray
    patience_days: np.ndarray
    source: np.ndarray  # Source codes
    fit: np.ndarray  # uniform draw: the lead is disqualified when fit < disqualify_probability
    incumbent: np.ndarray  # bool: an incumbent has an inside relationship with the account
    partner: np.ndarray  # the partner that brings the lead, -1 for direct leads
    covered: np.ndarray  # bool (lead, partner): the partner covers the account and claims on a win
    account: np.ndarray  # the account the lead names (sim.model.market); -1: an unlimited market
    accept: np.ndarray  # uniform draw for thinning

    def __len__(self) -> int:
        return len(self.arrival_day)

    @cached_property
    def leads(self) -> list[tuple[float, float, float, bool, int, int]]:
        """Every lead as plain Python numbers, (value, patience_days, fit, incumbent, source
        code, partner): a deal reads its own with one index."""
        columns = (self.value, self.patience_days, self.fit, self.incumbent, self.source)
        lists = [column.tolist() for column in columns]
        return list(zip(*lists, self.partner.tolist(), strict=True))


def draw_leads(
    scenario: Scenario,
    leads_rng: np.random.Generator,
    partner_rng: np.random.Generator,
    market_rng: np.random.Generator,
) -> LeadBook:
    """Draw direct leads from the leads stream and everything about partners from their own stream.

    Adding partners then leaves the direct leads of a seed unchanged; a finite market
    names the leads' accounts from a stream of its own and leaves the leads unchanged.
    """
    params, horizon = scenario.leads, scenario.scenario.horizon_days
    boost = scenario.marketing.lead_generation_effect
    shares = np.array(
        [
            params.marketing_share * (1.0 + boost),
            params.inbound_web_share,
            params.founder_network_share,
        ]
    )
    rate = params.arrivals_per_month / DAYS_PER_MONTH * shares.sum()
    count = leads_rng.poisson(rate * horizon) if rate > 0 else 0
    coverage = np.array([partner.coverage for partner in scenario.partners])
    direct = _attributes(scenario, leads_rng, count)
    direct["source"] = leads_rng.choice(len(shares), size=count, p=shares / shares.sum())
    direct["partner"] = np.full(count, -1)
    direct["covered"] = partner_rng.random((count, len(coverage))) < coverage
    parts = [direct]
    for index, partner in enumerate(scenario.partners):
        top_rate = partner.staff * scenario.channel.leads_per_staff_month / DAYS_PER_MONTH
        n = partner_rng.poisson(top_rate * horizon)
        brought = _attributes(scenario, partner_rng, n)
        brought["source"] = np.full(n, int(Source.PARTNER))
        brought["partner"] = np.full(n, index)
        brought["covered"] = partner_rng.random((n, len(coverage))) < coverage
        brought["covered"][:, index] = True
        parts.append(brought)
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.argsort(columns["arrival_day"], kind="stable")
    book = {name: values[order] for name, values in columns.items()}
    if math.isfinite(scenario.market.accounts):
        _name_accounts(scenario, market_rng, book)
    else:
        book["account"] = np.full(len(order), -1)
    return LeadBook(**book)


def _name_accounts(
    scenario: Scenario, rng: np.random.Generator, book: dict[str, np.ndarray]
) -> None:
    """A finite market: each lead names an account, and the partners covering it claim on a win.

    Each partner covers a fixed random share `coverage` of the accounts, so partners
    overlap on named accounts. A direct lead names any account; a partner's own lead one
    the partner covers (any, if it covers none), and that partner claims on it as ever.
    Deals of the large accounts (the first `large_accounts`) are worth more.
    """
    accounts = int(scenario.market.accounts)
    coverage = np.array([partner.coverage for partner in scenario.partners])
    covers = rng.random((accounts, len(coverage))) < coverage  # (account, partner), for the run
    partner = book["partner"]
    account = rng.integers(accounts, size=len(partner))
    for index in range(len(coverage)):
        own, pool = np.flatnonzero(partner == index), np.flatnonzero(covers[:, index])
        if len(pool):
            account[own] = pool[rng.integers(len(pool), size=len(own))]
    covered = covers[account]
    brought = np.flatnonzero(partner >= 0)
    covered[brought, partner[brought]] = True
    book["account"], book["covered"] = account, covered
    large = account < scenario.market.large_accounts  # the large accounts' segment
    book["value"][large] *= scenario.market.large_value_multiplier


def _attributes(scenario: Scenario, rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    """Arrival day, value, patience, fit, incumbency and thinning draw of `count` leads."""
    params = scenario.leads
    # Given their number, Poisson arrival times are uniforms on the horizon.
    arrival_day = rng.uniform(0.0, scenario.scenario.horizon_days, count)
    value = params.value_median * np.exp(params.value_sigma * rng.standard_normal(count))
    patience = rng.gamma(
        params.patience_shape, params.patience_mean_days / params.patience_shape, count
    )
    fit = rng.random(count)
    incumbent = rng.random(count) < scenario.competition.incumbent_probability
    return {
        "arrival_day": arrival_day,
        "value": value,
        "patience_days": patience,
        "fit": fit,
        "incumbent": incumbent,
        "accept": rng.random(count),
    }


class Arrivals:
    """The leads due to arrive, each on its day: one timeout per lead, each scheduling the next.

    A chain of callbacks rather than a process: nothing waits on an arrival, so a
    process's resumption would be pure overhead.
    """

    __slots__ = ("env", "days", "due", "open_deal", "next")

    def __init__(
        self,
        env: simpy.Environment,
        book: LeadBook,
        due: list[int],
        open_deal: Callable[[int], None],
    ):
        self.env = env
        self.days = book.arrival_day.tolist()
        self.due = due  # deal ids in order of arrival
        self.open_deal = open_deal
        self.next = 0
        self._wait_for_next()

    def _wait_for_next(self) -> None:
        if self.next < len(self.due):
            day = self.days[self.due[self.next]]
            self.env.timeout(day - self.env.now).callbacks.append(self._arrive)

    def _arrive(self, _event: simpy.Event) -> None:
        deal_id = self.due[self.next]
        self.next += 1
        self.open_deal(deal_id)
        self._wait_for_next()
