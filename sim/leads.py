"""Leads: who arrives, when, worth how much, with how much patience, from where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import simpy

from .scenario import Competition, Leads

DAYS_PER_MONTH = 365.25 / 12
SOURCES = ("marketing", "inbound_web", "founder_network", "partner")


@dataclass(frozen=True)
class LeadBook:
    """Every lead of one replication, drawn up front as arrays (index = deal id).

    Drawing the leads in one go keeps them identical across scenarios that share
    a seed, whatever happens to each deal later (common random numbers).
    """

    arrival_day: np.ndarray
    value: np.ndarray
    patience_days: np.ndarray
    source: np.ndarray  # index into SOURCES
    fit: np.ndarray  # uniform draw: the lead is disqualified when fit < disqualify_probability
    incumbent: np.ndarray  # bool: an incumbent has an inside relationship with the account

    def __len__(self) -> int:
        return len(self.arrival_day)


def draw_leads(leads: Leads, competition: Competition, horizon_days: float, rng: np.random.Generator) -> LeadBook:
    """Draw the Poisson arrivals over the horizon and each lead's attributes."""
    rate_per_day = leads.arrivals_per_month / DAYS_PER_MONTH
    count = rng.poisson(rate_per_day * horizon_days) if rate_per_day > 0 else 0
    # Given their number, Poisson arrival times are sorted uniforms on the horizon.
    arrival_day = np.sort(rng.uniform(0.0, horizon_days, count))
    value = leads.value_median * np.exp(leads.value_sigma * rng.standard_normal(count))
    patience = rng.gamma(leads.patience_shape, leads.patience_mean_days / leads.patience_shape, count)
    shares = np.array([leads.marketing_share, leads.inbound_web_share, leads.founder_network_share])
    source = rng.choice(len(shares), size=count, p=shares / shares.sum())
    fit = rng.random(count)
    incumbent = rng.random(count) < competition.incumbent_probability
    return LeadBook(arrival_day, value, patience, source, fit, incumbent)


def arrive(env: simpy.Environment, book: LeadBook, open_deal: Callable[[int], None]) -> Iterator[simpy.Event]:
    """The stream of leads: each one opens a deal on its arrival day."""
    for deal_id, day in enumerate(book.arrival_day.tolist()):
        yield env.timeout(day - env.now)
        open_deal(deal_id)
