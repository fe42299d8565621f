"""Experiments: replications of a scenario, all through `simulate_replication`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .results import CATEGORIES
from .scenario import Scenario, apply_overrides, load_scenario, validate
from .world import simulate_replication

DEFAULT_SEED = 1


def simulate(
    scenario: Scenario | str | Path,
    replications: int = 20,
    seed: int = DEFAULT_SEED,
    overrides: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Run replications of a scenario and return the deal table (one row per deal per replication).

    `scenario` is a Scenario or the path of a scenario file; `overrides` are
    'section.key=value' strings applied like the command line's --set.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        scenario = validate(apply_overrides(scenario.to_dict(), overrides), source="--set")
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    parts = [simulate_replication(scenario, seed, r) for r in range(replications)]
    return deal_table(parts)


def deal_table(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Stack per-replication columns into one DataFrame with labelled categories."""
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    table = pd.DataFrame(columns)
    for name, labels in CATEGORIES.items():
        table[name] = pd.Categorical.from_codes(table[name], categories=list(labels))
    return table
