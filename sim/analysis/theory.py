"""The model reduced to textbook cases, and the theory each case must reproduce.

A reduction is the model with most of its behaviour switched off (`QUIET`), so that
what is left is a process with a known answer: a chain of exponential meetings
(Erlang-k), a pool of reps serving a Poisson stream (M/M/c, Erlang C), any stable
queue (Little's law) or the stream of leads itself (Poisson). Each check compares a
theory value with the model's and returns a `Check`: numbers and short descriptions,
never printed here. tests/test_theory.py asserts them; docs/validation.md shows them.

Tolerances come from the sample size (Kolmogorov-Smirnov p-values, t intervals over
independent replications, the known variance of a Poisson count), at a 1% chance of
a false alarm per check; the seeds are fixed, so every figure is reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ..scenario import Scenario, validate
from ..vocabulary import DAYS_PER_MONTH, Outcome
from .replications import Results, simulate

ALPHA = 0.01  # a 1% chance of a false alarm per check, had the seed been random
Z = float(stats.norm.ppf(1 - ALPHA / 2))  # two-sided normal quantile at ALPHA: 2.58

# Every delay and behaviour switched off; each reduction switches on what it examines.
# Stallers fully engaged (engagement 1) never stall and vote for buying, and with no
# status quo appeal, rivals, deliberation or nay-sayers every committee buys from us.
QUIET: dict[str, dict[str, Any]] = {
    "scenario": {"horizon_days": 365.0, "warmup_days": 0.0},
    "leads": {"disqualify_probability": 0.0, "patience_mean_days": 1e6, "patience_shape": 1000.0},
    "committee": {
        "stallers": 0,
        "nay_sayers": 0,
        "decision_makers": 1,
        "staller_stall_probability": 0.0,
        "staller_engagement_mean": 1.0,
        "alignment_days": 0.0,
        "decision_days": 0.0,
        "negotiation_days": 0.0,
        "status_quo_weight": 0.0,
    },
    "competition": {"competitors": 0, "incumbent_probability": 0.0},
    "reps": {"qualify_days": 0.0, "skill_sigma": 0.0, "cold_after_days": 1e6},
    "marketing": {"proactive_share": 0.0},
}
QUIET_WORDS = (
    "no disqualification, unlimited buyer patience, no nay-sayers, one decision maker, "
    "stallers fully engaged (they never stall and vote for buying), no deliberation, "
    "alignment or negotiation time, no appeal of the status quo, no competitors or "
    "incumbents, instant qualification, identical reps, no deals going cold, no "
    "proactive marketing"
)


@dataclass(frozen=True)
class Reduction:
    """The QUIET world with a few values switched back on, and what that leaves, in words."""

    words: str  # what is left switched on
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def scenario(self) -> Scenario:
        data = {name: dict(values) for name, values in QUIET.items()}
        for name, values in self.changes.items():
            data.setdefault(name, {}).update(values)
        return validate(data, source="theory reduction")


@dataclass(frozen=True)
class Check:
    """One comparison of the model with theory.

    `agree` says what should happen: True when the model must be consistent with the
    theory, False for a power check (a wrong theory the model must be told apart from).
    Consistency is the theory value inside the model's interval, or, for a test, a
    p-value of at least ALPHA.
    """

    name: str
    reduction: str  # what the reduction leaves switched on, in words
    quantity: str  # what is compared
    theory: float
    model: float
    interval: tuple[float, float] | None = None  # the model figure's (1 - ALPHA) interval
    p_value: float | None = None
    agree: bool = True
    switched_off: str = QUIET_WORDS  # what the reduction switches off, in words

    @property
    def consistent(self) -> bool:
        if self.p_value is not None:
            return self.p_value >= ALPHA
        assert self.interval is not None
        low, high = self.interval
        return low <= self.theory <= high

    @property
    def passed(self) -> bool:
        return self.consistent == self.agree


# --- Theory ---------------------------------------------------------------------------


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in an M/M/c queue (Erlang C)."""
    top = offered_load**servers / math.factorial(servers) * servers / (servers - offered_load)
    bottom = sum(offered_load**n / math.factorial(n) for n in range(servers)) + top
    return top / bottom


def mmc_mean_wait(servers: int, arrivals_per_day: float, service_days: float) -> float:
    """Mean wait in queue of an M/M/c queue: P(wait) / (c mu - lambda)."""
    service_rate = 1.0 / service_days
    p_wait = erlang_c(servers, arrivals_per_day / service_rate)
    return p_wait / (servers * service_rate - arrivals_per_day)


def check_interval(values: np.ndarray, centre: float | None = None) -> tuple[float, float]:
    """The (1 - ALPHA) Student t interval of the mean of `values` (around `centre` if given)."""
    mean = float(values.mean()) if centre is None else centre
    half = float(stats.t.ppf(1 - ALPHA / 2, len(values) - 1) * stats.sem(values))
    return mean - half, mean + half


# --- (a) A chain of k stallers is Erlang-k ---------------------------------------------

CHAIN_STALLERS, CHAIN_MEETING_DAYS, CHAIN_SEED, CHAIN_REPLICATIONS = 4, 5.0, 11, 2
CHAIN_HORIZON, CHAIN_MARGIN = 4000.0, 300.0  # P(Erlang(4, 5) > 300) is ~1e-21


def staller_chain(stallers: int, meeting_days: float) -> Reduction:
    """Only the staller meetings take time: no stalls, no waiting, every deal is won.

    Without stalls no request reaches marketing, and without rivals its collateral
    cannot change a decision: the marketing team plays no part.
    """
    return Reduction(
        f"{stallers} stallers, each one exponential meeting (mean {meeting_days:g} days); "
        "reps without a limit on deals, so no deal waits",
        {
            "scenario": {"horizon_days": CHAIN_HORIZON},
            "leads": {"arrivals_per_month": 15.0},
            "committee": {"stallers": stallers, "staller_meeting_days": meeting_days},
            "reps": {"max_active_deals": 10000},
        },
    )


@dataclass(frozen=True)
class ChainCycles:
    """Cycles of the deals that arrived early enough to have closed, and how many were won."""

    cycles: np.ndarray
    won_share: float


def chain_cycles(
    stallers: int = CHAIN_STALLERS,
    meeting_days: float = CHAIN_MEETING_DAYS,
    replications: int = CHAIN_REPLICATIONS,
    seed: int = CHAIN_SEED,
) -> ChainCycles:
    table = simulate(staller_chain(stallers, meeting_days).scenario(), replications, seed).deals
    early = table[table["created_day"] < CHAIN_HORIZON - CHAIN_MARGIN]
    won = float((early["outcome"] == Outcome.WON.key).mean())
    return ChainCycles(early["cycle_days"].to_numpy(dtype=float), won)


def erlang_k_checks(
    run: ChainCycles, stallers: int = CHAIN_STALLERS, meeting_days: float = CHAIN_MEETING_DAYS
) -> list[Check]:
    """KS test against Erlang-k, and against k - 1 and k + 1: the test has the power to fail."""
    reduction = staller_chain(stallers, meeting_days).words
    model_mean = float(run.cycles.mean())

    def against(k: int, agree: bool, name: str) -> Check:
        erlang = stats.gamma(a=k, scale=meeting_days)
        return Check(
            name,
            reduction,
            f"cycle (days) of {len(run.cycles)} deals against Erlang-{k}: mean, KS p-value",
            theory=float(erlang.mean()),
            model=model_mean,
            p_value=float(stats.kstest(run.cycles, erlang.cdf).pvalue),
            agree=agree,
        )

    return [
        against(stallers, True, f"cycle through {stallers} stallers is Erlang-{stallers}"),
        against(stallers - 1, False, f"power: the test rejects Erlang-{stallers - 1}"),
        against(stallers + 1, False, f"power: the test rejects Erlang-{stallers + 1}"),
    ]


# --- (b) Waiting for a rep is M/M/c (Erlang C); (c) Little's law on the same queue -----

QUEUE_SERVERS, QUEUE_ARRIVALS_PER_DAY, QUEUE_SERVICE_DAYS = 3, 0.25, 10.0  # utilisation 0.83
QUEUE_HORIZON, QUEUE_WARMUP, QUEUE_REPLICATIONS, QUEUE_SEED = 20000.0, 1000.0, 12, 5
# Little's law's window: after the warm-up, and early enough that its deals have all closed.
LITTLE_WINDOW = (QUEUE_WARMUP, QUEUE_HORIZON - 1000.0)


def rep_queue(
    servers: int = QUEUE_SERVERS,
    arrivals_per_day: float = QUEUE_ARRIVALS_PER_DAY,
    service_days: float = QUEUE_SERVICE_DAYS,
) -> Reduction:
    """Reps are the servers: one deal each, served by one exponential staller meeting."""
    return Reduction(
        f"{servers} reps who work one deal each; Poisson leads ({arrivals_per_day:g} a day); "
        f"one staller, one exponential meeting (mean {service_days:g} days) as the service",
        {
            "scenario": {"horizon_days": QUEUE_HORIZON},
            "leads": {"arrivals_per_month": arrivals_per_day * DAYS_PER_MONTH},
            "committee": {"stallers": 1, "staller_meeting_days": service_days},
            "reps": {"count": servers, "max_active_deals": 1},
        },
    )


def rep_queue_run(replications: int = QUEUE_REPLICATIONS, seed: int = QUEUE_SEED) -> Results:
    return simulate(rep_queue().scenario(), replications, seed)


@dataclass(frozen=True)
class Waits:
    """Per replication: mean days waiting for a rep, and the share of deals that waited."""

    mean_wait: np.ndarray
    waited_share: np.ndarray


def waits(results: Results, warm_up: float = QUEUE_WARMUP) -> Waits:
    """Waits of the deals won after the warm-up, replication by replication."""
    table = results.deals
    steady = table[(table["created_day"] > warm_up) & (table["outcome"] == Outcome.WON.key)]
    waited = steady["days_waiting_for_rep"].astype(float)  # float32 in the table
    by_replication = waited.groupby(steady["replication"])
    return Waits(
        by_replication.mean().to_numpy(),
        by_replication.apply(lambda w: (w > 0).mean()).to_numpy(),
    )


def erlang_c_checks(
    results: Results,
    servers: int = QUEUE_SERVERS,
    arrivals_per_day: float = QUEUE_ARRIVALS_PER_DAY,
    service_days: float = QUEUE_SERVICE_DAYS,
) -> list[Check]:
    """Mean wait and share who wait against Erlang C, and the share against one rep more."""
    reduction = rep_queue(servers, arrivals_per_day, service_days).words
    observed = waits(results)
    load = arrivals_per_day * service_days
    count = len(observed.mean_wait)

    def check(name: str, quantity: str, values: np.ndarray, theory: float, agree=True) -> Check:
        return Check(
            name,
            reduction,
            f"{quantity}, mean of {count} replications",
            theory=theory,
            model=float(values.mean()),
            interval=check_interval(values),
            agree=agree,
        )

    return [
        check(
            "waiting for a rep: mean wait (Erlang C)",
            "days waiting for a rep",
            observed.mean_wait,
            mmc_mean_wait(servers, arrivals_per_day, service_days),
        ),
        check(
            "waiting for a rep: share who wait (Erlang C)",
            "share of deals that waited",
            observed.waited_share,
            erlang_c(servers, load),
        ),
        check(
            f"power: the share who wait rejects a pool of {servers + 1} reps",
            "share of deals that waited",
            observed.waited_share,
            erlang_c(servers + 1, load),
            agree=False,
        ),
    ]


@dataclass(frozen=True)
class LittleTerms:
    """Per replication: time-average open deals L, arrivals per day lambda, mean days open W."""

    open_deals: np.ndarray
    arrivals_per_day: np.ndarray
    days_in_system: np.ndarray
    unclosed: int  # deals that arrived in the window and were still open at the horizon


def little_terms(results: Results, start: float, end: float) -> LittleTerms:
    """L, lambda and W over the window [start, end), from each deal's days open.

    A deal is open from its arrival to its close (the horizon if it never closed); L is
    the overlap of those spans with the window divided by its length, lambda the deals
    arriving in the window per day, W their mean days open.
    """
    table = results.deals
    horizon = results.scenario.scenario.horizon_days
    arrived = table["created_day"].to_numpy(dtype=float)
    departed = np.nan_to_num(table["closed_day"].to_numpy(dtype=float), nan=horizon)
    overlap = np.clip(np.minimum(departed, end) - np.maximum(arrived, start), 0.0, None)
    inside = (arrived >= start) & (arrived < end)
    frame = table[["replication"]].assign(
        overlap=overlap, inside=inside, days=np.where(inside, departed - arrived, 0.0)
    )
    grouped = frame.groupby("replication")
    length = end - start
    arrivals = grouped["inside"].sum().to_numpy(dtype=float)
    return LittleTerms(
        open_deals=grouped["overlap"].sum().to_numpy() / length,
        arrivals_per_day=arrivals / length,
        days_in_system=grouped["days"].sum().to_numpy() / arrivals,
        unclosed=int((inside & np.isnan(table["closed_day"].to_numpy(dtype=float))).sum()),
    )


def little_check(results: Results) -> Check:
    """L = lambda W for open deals, judged on the replications' paired differences.

    The interval is the model's L plus or minus the t half-width of L - lambda W, so
    the theory lies in it exactly when the paired test does not reject L = lambda W.
    """
    start, end = LITTLE_WINDOW
    terms = little_terms(results, start, end)
    product = terms.arrivals_per_day * terms.days_in_system
    model = float(terms.open_deals.mean())
    half = check_interval(terms.open_deals - product, centre=0.0)[1]
    return Check(
        "Little's law for open deals",
        rep_queue().words,
        f"time-average open deals, days {start:g} to {end:g} (L, model) against deals "
        f"arriving per day x mean days open (lambda W, theory); {terms.unclosed} of "
        "the deals arriving in the window still open at the horizon",
        theory=float(product.mean()),
        model=model,
        interval=(model - half, model + half),
    )


# --- (d) Lead arrivals are Poisson ------------------------------------------------------

ARRIVALS_PER_MONTH, ARRIVAL_REPLICATIONS, ARRIVAL_SEED = 20.0, 400, 3


def lead_stream(arrivals_per_month: float = ARRIVALS_PER_MONTH) -> Reduction:
    """One month of leads, replicated: each replication's count is one Poisson draw."""
    return Reduction(
        f"one month of lead arrivals at {arrivals_per_month:g} a month",
        {
            "scenario": {"horizon_days": DAYS_PER_MONTH},
            "leads": {"arrivals_per_month": arrivals_per_month},
        },
    )


@dataclass(frozen=True)
class Arrivals:
    """Leads arrived per replication, and every arrived deal's value."""

    counts: np.ndarray
    values: np.ndarray
    value_median: float
    value_sigma: float


def arrivals(
    arrivals_per_month: float = ARRIVALS_PER_MONTH,
    replications: int = ARRIVAL_REPLICATIONS,
    seed: int = ARRIVAL_SEED,
) -> Arrivals:
    # Marketing leads are thinned (drawn at the top rate lead generation could reach, each
    # arriving with probability lead_acceptance()); a thinned Poisson process is Poisson at
    # the thinned rate, so the deals that arrived (the deal table's rows) must be Poisson.
    params = lead_stream(arrivals_per_month).scenario()
    table = simulate(params, replications, seed).deals
    counts = table.groupby("replication").size().reindex(range(replications), fill_value=0)
    return Arrivals(
        counts.to_numpy(),
        table["value"].to_numpy(dtype=float),
        params.leads.value_median,
        params.leads.value_sigma,
    )


def poisson_checks(run: Arrivals, arrivals_per_month: float = ARRIVALS_PER_MONTH) -> list[Check]:
    """Count mean (known Poisson variance), dispersion index, and the median deal value."""
    reduction = lead_stream(arrivals_per_month).words
    n, mean = len(run.counts), float(run.counts.mean())
    mean_half = Z * math.sqrt(arrivals_per_month / n)
    dispersion = float(run.counts.var(ddof=1) / mean)
    dispersion_half = Z * math.sqrt(2 / (n - 1))  # the index is ~ N(1, 2 / (n - 1))
    log_median = float(np.median(np.log(run.values)))
    # Sample median of log value: standard error sqrt(pi / 2) sigma / sqrt(n).
    median_half = Z * math.sqrt(math.pi / 2) * run.value_sigma / math.sqrt(len(run.values))
    return [
        Check(
            "lead arrivals are Poisson: mean count",
            reduction,
            f"leads arrived in a month, mean of {n} replications",
            theory=arrivals_per_month,
            model=mean,
            interval=(mean - mean_half, mean + mean_half),
        ),
        Check(
            "lead arrivals are Poisson: dispersion",
            reduction,
            f"variance / mean of the monthly count over {n} replications",
            theory=1.0,
            model=dispersion,
            interval=(dispersion - dispersion_half, dispersion + dispersion_half),
        ),
        Check(
            "deal values are lognormal: median",
            reduction,
            f"log of the median deal value, {len(run.values)} deals",
            theory=math.log(run.value_median),
            model=log_median,
            interval=(log_median - median_half, log_median + median_half),
        ),
    ]


# --- All of them ------------------------------------------------------------------------


def erlang_k_group() -> list[Check]:
    return erlang_k_checks(chain_cycles())


def queue_group() -> list[Check]:
    results = rep_queue_run()
    return [*erlang_c_checks(results), little_check(results)]


def poisson_group() -> list[Check]:
    return poisson_checks(arrivals())


# Independent groups of checks (each one simulation), so callers can run them in parallel.
GROUPS: tuple[Callable[[], list[Check]], ...] = (erlang_k_group, queue_group, poisson_group)


def all_checks() -> list[Check]:
    return [check for group in GROUPS for check in group()]
