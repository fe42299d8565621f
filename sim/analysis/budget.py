"""What a run would cost, estimated before it runs, and the budget it must fit in.

Memory follows the candidate leads a replication draws up front (`sim.model.leads`:
direct leads at the top rate lead generation could reach, partner leads at full
mindshare, staff x `channel.leads_per_staff_month`), and the deal tables the
replications keep until the run ends. The estimate is rough, within a factor of
about two; it is for refusing runs that cannot finish, not for planning.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..scenario.schema import Scenario
from ..vocabulary import DAYS_PER_MONTH

# Peak memory of one replication while it runs, per candidate lead: 4.9 KB with
# committees of 5 and 15.2 KB with 102, i.e. about 4.4 KB plus 110 B per member
# (tracemalloc peak of one 200-day baseline replication at 1,000 leads a month, with
# 3, 30 and 100 stallers; scripts/benchmark.py's 196 MB for 99,871 deals agrees).
BYTES_PER_CANDIDATE = 4400
BYTES_PER_MEMBER = 110
# Kept after each replication until the run ends, per deal: its row of the deal table
# (175 B, in room for a quarter more: `replications.DealColumns`) and its share of the
# other tables (tracemalloc peaks of 300 and 1,200 replications of a 400-day baseline:
# 276 B more per deal; what stays afterwards is 190 B). It was 1 KB while each
# replication's columns were kept beside their concatenation and a copy of that.
HELD_BYTES_PER_DEAL = 280
# A sweep keeps no deal table, only one row of metrics per replication: 5.8 KB each
# (tracemalloc of 200 points x 5 replications of `sweep.run_point`, records kept).
BYTES_PER_SWEEP_ROW = 6000
# Simulation time per candidate lead on one core: about 64 us with committees of 5 and
# 140 us with 102, i.e. about 60 us plus 0.8 us per member (the shipped baseline's
# replications with 3, 30 and 100 stallers, and at ten times its lead flow: 52-68 us with
# committees of 5; measured after the model's own clock, issue 18).
SECONDS_PER_CANDIDATE = 60e-6
SECONDS_PER_MEMBER = 0.8e-6

GIB = 2**30
DEFAULT_MAX_MEMORY = 4 * GIB  # the default budget: what a laptop can hold beside the rest
UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


@dataclass(frozen=True)
class Estimate:
    """A run's expected size: deals per replication, memory held at the peak, time."""

    replications: int
    deals: float  # candidate leads per replication: an upper bound on the deals that arrive
    bytes: float  # memory held at the peak of the run
    seconds: float  # on one core

    def __add__(self, other: Estimate) -> Estimate:
        """Two runs held at once (compare's A and B): their memory and time add up."""
        return Estimate(
            self.replications,
            max(self.deals, other.deals),
            self.bytes + other.bytes,
            self.seconds + other.seconds,
        )


class BudgetError(Exception):
    """A run would exceed the memory budget; the message says by how much and what to do."""


def estimate(scenario: Scenario, replications: int, keep_deals: bool = True) -> Estimate:
    """What `replications` replications of `scenario` would cost.

    `keep_deals` False: each replication's deal table is dropped once summarised
    into a row of metrics (a sweep: `replications` counts all its points' replications).
    """
    leads, months = scenario.leads, scenario.scenario.horizon_days / DAYS_PER_MONTH
    boost = scenario.marketing.lead_generation_effect
    shares = leads.marketing_share * (1.0 + boost) + leads.inbound_web_share
    shares += leads.founder_network_share
    staff = sum(partner.staff for partner in scenario.partners)
    per_month = leads.arrivals_per_month * shares + staff * scenario.channel.leads_per_staff_month
    deals = per_month * months
    committee = scenario.committee
    members = committee.stallers + committee.nay_sayers + committee.decision_makers
    peak = deals * (BYTES_PER_CANDIDATE + BYTES_PER_MEMBER * members)
    held = replications * (deals * HELD_BYTES_PER_DEAL if keep_deals else BYTES_PER_SWEEP_ROW)
    seconds = replications * deals * (SECONDS_PER_CANDIDATE + SECONDS_PER_MEMBER * members)
    return Estimate(replications, deals, peak + held, seconds)


def check(cost: Estimate, max_memory: int, option: str = "--max-memory") -> None:
    """Raise BudgetError if `cost` would hold more than `max_memory` bytes."""
    if cost.bytes <= max_memory:
        return
    suggested = (
        f"{2 ** math.ceil(math.log2(cost.bytes / GIB))}GiB"
        if cost.bytes > GIB
        else f"{math.ceil(cost.bytes / 2**20)}MiB"
    )
    raise BudgetError(
        f"this run would hold about {size_text(cost.bytes)} "
        f"({_count(cost.replications, 'simulated run')} x {_count(cost.deals, 'deal')}) "
        "and take about "
        f"{duration_text(cost.seconds)} on one core; allowed: up to {size_text(max_memory)}; "
        f"raise it with {option} {suggested}"
    )


def parse_size(text: str) -> int:
    """Bytes from '512MiB', '8GiB', '8GB', '4096' (bytes); ValueError if not a size."""
    match = SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in UNITS:
        raise ValueError(f"{text!r} is not a size; allowed: e.g. 512MiB, 8GiB or 8GB")
    size = int(float(match.group(1)) * UNITS[unit])
    if size < 1:
        raise ValueError(f"{text!r} is not a size; allowed: at least 1 byte")
    return size


def size_text(size: float) -> str:
    """'50 GB', '4 GiB'-style: binary units for exact powers, decimal ones otherwise."""
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor:,.0f} {unit}"
    for unit, factor in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            return f"{size / factor:,.0f} {unit}"
    return f"{size:,.0f} B"


def duration_text(seconds: float) -> str:
    """'7 hours', '3 minutes', '12 seconds': the largest unit that gives at least 1."""
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= length:
            return _count(seconds / length, unit)
    return _count(seconds, "second") if seconds >= 1 else "under a second"


def _count(number: float, noun: str) -> str:
    """'1 deal', '1,000 deals': the number rounded, the noun in the plural unless it is 1."""
    text = f"{number:,.0f}"
    return f"{text} {noun}" if text == "1" else f"{text} {noun}s"
