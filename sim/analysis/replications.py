"""Experiments: replications of a scenario, all through `simulate_replication`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model.records import CATEGORIES
from ..model.world import simulate_replication
from ..scenario import DEFAULT_SEED, Scenario, apply_overrides, load_scenario, validate


@dataclass(frozen=True)
class Results:
    """A run: its result tables, the validated scenario it ran and its root seed.

    The tables have one row per deal, per replication, and per partner and
    replication. Together that is all `summarise`, the plots and the report need.
    """

    deals: pd.DataFrame
    replications: pd.DataFrame
    partners: pd.DataFrame
    scenario: Scenario
    seed: int

    @property
    def replication_count(self) -> int:
        """How many replications were run (the rows of `replications`)."""
        return len(self.replications)


def simulate(
    scenario: Scenario | str | Path,
    replications: int = 20,
    seed: int = DEFAULT_SEED,
    overrides: list[str] | tuple[str, ...] = (),
) -> Results:
    """Run replications of a scenario and return its result tables.

    `scenario` is a Scenario or the path of a scenario file; `overrides` are
    'section.key=value' strings applied like the command line's --set.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        scenario = validate(apply_overrides(scenario.to_dict(), overrides), source="overrides")
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    parts = [simulate_replication(scenario, seed, r) for r in range(replications)]
    return collect(parts, scenario, seed)


def collect(parts: list[dict[str, Any]], scenario: Scenario, seed: int) -> Results:
    """Stack the tables of several replications of `scenario` run with `seed`."""
    return Results(
        deals=deal_table([part["deals"] for part in parts]),
        replications=pd.DataFrame([part["stats"] for part in parts]),
        partners=pd.DataFrame(_stack([part["partners"] for part in parts])),
        scenario=scenario,
        seed=seed,
    )


def deal_table(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Stack per-replication deal columns into one DataFrame with labelled categories."""
    table = pd.DataFrame(_stack(parts))
    for name, labels in CATEGORIES.items():
        table[name] = pd.Categorical.from_codes(table[name], categories=list(labels))
    return table


def _stack(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
