"""How many replications: run until a metric's interval, or a paired difference's, is narrow enough.

`committee-sim run --precision` and `compare --precision` come here; the stopping rule
is Hoad, Robinson & Davies' (`sim.analysis.sequential`), applied to one metric's
per-replication values (or to the paired differences B - A of one metric).
"""

from __future__ import annotations

from typing import Any

from ..model.world import simulate_replication
from ..scenario import DEFAULT_SEED, Scenario
from .metrics import column_metrics
from .replications import Results, collect
from .sequential import Sequential, replicate_until


def simulate_to_precision(
    scenario: Scenario, metric: str, target: float, seed: int = DEFAULT_SEED, budget: int = 1000
) -> tuple[Results, Sequential]:
    """Add replications until the CI half-width of `metric` is at most `target` (or `budget`).

    Hoad, Robinson & Davies' algorithm (`sim.analysis.sequential`); the results hold
    every replication run, look-ahead included.
    """
    parts: list[dict[str, Any]] = []

    def next_value(replication: int) -> float:
        parts.append(simulate_replication(scenario, seed, replication))
        return column_metrics(parts[-1], scenario, [metric])[metric]

    sequential = replicate_until(next_value, target, budget=budget)
    return collect(parts, scenario, seed), sequential


def precision_record(sequential: Sequential, metric: str) -> dict[str, Any]:
    """How the number of replications was chosen, for summary.json and comparisons."""
    return {
        "metric": metric,
        "target_half_width": sequential.target,
        "half_width": sequential.half_width,
        "replications_needed": sequential.needed,
        "replications_run": sequential.replications,
        "reached": sequential.reached,
    }


def pairs_to_precision(
    a: Scenario, b: Scenario, metric: str, target: float, seed: int, budget: int
) -> tuple[tuple[Results, Results], Sequential]:
    """Add paired replications until the paired difference of `metric` is precise enough."""
    parts: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])

    def next_difference(replication: int) -> float:
        values = []
        for scenario, done in zip((a, b), parts, strict=True):
            done.append(simulate_replication(scenario, seed, replication))
            values.append(column_metrics(done[-1], scenario, [metric])[metric])
        return values[1] - values[0]

    sequential = replicate_until(next_difference, target, budget=budget)
    return (collect(parts[0], a, seed), collect(parts[1], b, seed)), sequential
