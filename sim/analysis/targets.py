"""Published figures the model is fitted to or checked against, and how the model measures each.

A target names a published figure, its source, the metric (`metrics.REGISTRY`) that
measures the same thing in the model and the experiment it is measured in. Its role
is either `calibration` (scripts/calibrate_defaults.py fits the `FITTED` defaults to
it) or `validation` (the fit never sees it; docs/validation.md reports how the fitted
model compares). The two sets are disjoint by construction: one tuple, one role each.

Experiments are the shipped baseline with a few overrides; a committee of n members
follows seed 003's mix of roles: one decision maker; from two members, one nay-sayer;
the rest stallers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from .metrics import replication_metrics
from .replications import simulate

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.toml"

CEB = "Schmidt, Adamson & Bird, 'Making the Consensus Sale', HBR (March 2015), exhibit"
JOLT = "Dixon & McKenna, The JOLT Effect (2022), 2.5 M recorded sales calls"
CSO = "CSO Insights, 2016 sales performance study (675 companies), forecast-stage deals"
BRIDGE_2017 = "Bridge Group, SaaS AE report (2017): median ACV $25k, 384 companies"
BRIDGE_INSIDE = "Bridge Group, inside-sales report (2017): average price $35k"
ALEPH = (
    "Aleph x Benchmarkit, '2026 SaaS & AI Performance Benchmarks' (FY2025 actuals, 342 "
    "companies): median CAC payback 16 months, quartiles 6 and 24"
)
KBCM = (
    "KBCM Technology Group, '2019 Private SaaS Company Survey': $1.14 of fully-loaded sales "
    "and marketing per $1 of new ARR (a sales efficiency of 1 / 1.14)"
)
XACTLY = "Xactly blog (2019, secondary): 'the average quota attainment being at ... 54%'"
CSO_QUOTA = (
    "CSO Insights via CustomerThink (2013, secondary): 'for years, the percentage of reps "
    "achieving quota has been roughly 60% ... 57%'"
)


@dataclass(frozen=True)
class Experiment:
    """A run of the baseline with overrides, as `--set` would apply them."""

    name: str
    overrides: tuple[str, ...] = ()


BASELINE_RUN = Experiment("baseline")


def committee_of(size: int) -> Experiment:
    """The baseline with a committee of `size` in seed 003's mix of roles."""
    stallers, nay_sayers = max(size - 2, 0), min(max(size - 1, 0), 1)
    return Experiment(
        f"committee of {size}",
        (
            f"committee.stallers={stallers}",
            f"committee.nay_sayers={nay_sayers}",
            "committee.decision_makers=1",
        ),
    )


@dataclass(frozen=True)
class Target:
    """A published figure and the model's way of measuring it."""

    name: str
    figure: str  # what was measured, in words
    published: float  # in the metric's unit (shares as fractions)
    tolerance: float  # how far the model may be from it and still match, same unit
    source: str
    role: Literal["calibration", "validation"]
    experiment: Experiment
    metric: str


def _ceb(size: int, published: float) -> Target:
    return Target(
        f"ceb_{size}",
        f"purchase likelihood, committee of {size}",
        published,
        0.08,
        CEB,
        "calibration",
        committee_of(size),
        "purchase_likelihood",
    )


TARGETS: tuple[Target, ...] = (
    *(_ceb(size, p) for size, p in ((1, 0.81), (2, 0.55), (3, 0.60), (5, 0.50), (6, 0.31))),
    Target(
        "jolt_no_decision",
        "opportunities that end in no decision (40-60%)",
        0.50,
        0.10,
        JOLT,
        "calibration",
        BASELINE_RUN,
        "no_decision_rate",
    ),
    Target(
        "jolt_indecision",
        "of no decisions, the share from indecision rather than the status quo",
        0.56,
        0.10,
        JOLT,
        "validation",
        BASELINE_RUN,
        "indecision_share",
    ),
    Target(
        "cso_won",
        "forecast-stage deals won",
        0.466,
        0.08,
        CSO,
        "validation",
        BASELINE_RUN,
        "decided_won_share",
    ),
    Target(
        "cso_lost",
        "forecast-stage deals lost to a competitor",
        0.296,
        0.08,
        CSO,
        "validation",
        BASELINE_RUN,
        "decided_lost_share",
    ),
    Target(
        "cso_no_decision",
        "forecast-stage deals ending in no decision",
        0.238,
        0.08,
        CSO,
        "validation",
        BASELINE_RUN,
        "decided_no_decision_share",
    ),
    Target(
        "bridge_cycle",
        "median sales cycle of won deals, SaaS account executives",
        60.0,
        20.0,
        BRIDGE_2017,
        "validation",
        BASELINE_RUN,
        "cycle_days_median_won",
    ),
    Target(
        "bridge_inside_cycle",
        "median sales cycle of won deals, inside sales",
        72.0,
        20.0,
        BRIDGE_INSIDE,
        "validation",
        BASELINE_RUN,
        "cycle_days_median_won",
    ),
    # Money: the prices are [costs] and [customers] defaults with sources of their own;
    # these outcomes of the model were never used to set them.
    Target(
        "aleph_payback",
        "CAC payback of the median B2B SaaS company, months",
        16.0,
        8.0,
        ALEPH,
        "validation",
        BASELINE_RUN,
        "payback_months",
    ),
    Target(
        "kbcm_efficiency",
        "new ARR per dollar of sales and marketing",
        1 / 1.14,
        0.3,
        KBCM,
        "validation",
        BASELINE_RUN,
        "sales_efficiency",
    ),
    Target(
        "xactly_attainment",
        "average quota attainment",
        0.54,
        0.15,
        XACTLY,
        "validation",
        BASELINE_RUN,
        "quota_attainment",
    ),
    Target(
        "cso_reps_at_quota",
        "share of reps at quota",
        0.57,
        0.15,
        CSO_QUOTA,
        "validation",
        BASELINE_RUN,
        "reps_at_quota",
    ),
)
CALIBRATION = tuple(t for t in TARGETS if t.role == "calibration")
VALIDATION = tuple(t for t in TARGETS if t.role == "validation")


def measure(
    targets: Iterable[Target],
    replications: int,
    seed: int,
    overrides: Sequence[str] = (),
    scenario: Path = BASELINE,
) -> dict[str, np.ndarray]:
    """Each target's metric, one value per replication (common random numbers: one seed).

    Experiments shared by several targets run once. `overrides` apply before each
    experiment's own (a calibration's trial values).
    """
    by_experiment: dict[Experiment, list[Target]] = {}
    for target in targets:
        by_experiment.setdefault(target.experiment, []).append(target)
    values: dict[str, np.ndarray] = {}
    for experiment, group in by_experiment.items():
        metrics = sorted({t.metric for t in group})
        measured = experiment_metrics(experiment, metrics, replications, seed, overrides, scenario)
        values |= {target.name: measured[target.metric] for target in group}
    return values


def experiment_metrics(
    experiment: Experiment,
    metrics: Sequence[str],
    replications: int,
    seed: int,
    overrides: Sequence[str] = (),
    scenario: Path = BASELINE,
) -> dict[str, np.ndarray]:
    """Any metrics of one experiment, one value per replication (the committee-size curve)."""
    results = simulate(scenario, replications, seed, [*overrides, *experiment.overrides])
    table = replication_metrics(results, metrics)
    return {name: table[name].to_numpy(dtype=float) for name in metrics}
