"""Do compare's 95% intervals keep their promise? A coverage study of the paired differences.

For each change (B against the baseline A), runs a large pool of paired replications
(same seed, replication r of A and of B share their random numbers), takes the mean
paired difference over the whole pool as the true effect, then splits the pool into
disjoint trials of n replications, as `committee-sim compare -n n` would run them, and
counts how often each trial's paired t interval covers the true effect (measured
without that trial's own pairs). Prints a Markdown table for docs/experiments.md:

    python scripts/coverage_study.py [--pairs 3000] [--workers 2] [--save pool.csv]

The per-replication metrics can be saved and read back (`--load`) to redo the table.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.compare import DEGENERATE_SHARE, paired_difference
from sim.analysis.metrics import METRICS, REGISTRY, Window, column_metrics
from sim.model.world import simulate_replication
from sim.scenario import DEFAULT_SEED, Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
CHANGES = {  # name: (scenario file, overrides)
    "status_quo_weight 0.5 to 0.55 (small)": (BASELINE, ("committee.status_quo_weight=0.55",)),
    "stallers 8 to 9 (medium)": (BASELINE, ("committee.stallers=9",)),
    "proactive_stallers (large)": (ROOT / "scenarios" / "proactive_stallers.toml", ()),
}
TRIAL_SIZES = (20, 60)


def metrics_of(scenario: Scenario, replications: range, seed: int) -> list[dict[str, float]]:
    """Every metric of each replication in `replications`."""
    window = Window.of(scenario)
    return [
        {
            "replication": r,
            **column_metrics(simulate_replication(scenario, seed, r)["deals"], window),
        }
        for r in replications
    ]


def pool(scenario: Scenario, pairs: int, seed: int, workers: int) -> pd.DataFrame:
    """Per-replication metrics of `pairs` replications, computed in chunks on `workers`."""
    chunks = [range(start, min(start + 50, pairs)) for start in range(0, pairs, 50)]
    with ProcessPoolExecutor(workers) as executor:
        parts = executor.map(metrics_of, [scenario] * len(chunks), chunks, [seed] * len(chunks))
        return pd.DataFrame([row for part in parts for row in part])


def coverage(a: pd.DataFrame, b: pd.DataFrame, size: int) -> dict[str, dict[str, float]]:
    """Per metric: share of disjoint trials of `size` pairs whose interval covers the truth."""
    trials = len(a) // size
    result = {}
    for metric in METRICS:
        differences = (b[metric] - a[metric]).to_numpy()
        usable = ~np.isnan(differences)
        total, count = differences[usable].sum(), usable.sum()
        covered = degenerate = 0
        for trial in range(trials):
            rows = slice(trial * size, (trial + 1) * size)
            entry = paired_difference(a.iloc[rows], b.iloc[rows])[metric]
            own = differences[rows][usable[rows]]
            truth = (total - own.sum()) / (count - len(own))  # without this trial's pairs
            low, high = entry["ci"]
            covered += bool(low <= truth <= high)
            degenerate += bool(entry["degenerate"])
        result[metric] = {
            "coverage": covered / trials,
            "trials": trials,
            "truth": total / count,
            "degenerate": degenerate / trials,
        }
    return result


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--save", type=Path, help="write the per-replication metrics here")
    parser.add_argument("--load", type=Path, help="read them from here instead of simulating")
    args = parser.parse_args()
    if args.load:
        pools = dict(tuple(pd.read_csv(args.load).groupby("run")))
    else:
        runs = {"baseline": (BASELINE, ())} | CHANGES
        pools = {
            name: pool(load_scenario(path, list(overrides)), args.pairs, args.seed, args.workers)
            for name, (path, overrides) in runs.items()
        }
        if args.save:
            pd.concat([table.assign(run=name) for name, table in pools.items()]).to_csv(
                args.save, index=False
            )
    a = pools["baseline"].sort_values("replication").reset_index(drop=True)
    print(
        f"Coverage of compare's paired 95% CI: disjoint trials from {len(a)} paired "
        f"replications per change (seed {args.seed}); the true effect is the mean over the "
        f"other trials' pairs. Degenerate: under {DEGENERATE_SHARE:.0%} of the pairs non-zero.\n"
    )
    print("| change | metric | true effect | n | trials | coverage | degenerate trials |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in CHANGES:
        b = pools[name].sort_values("replication").reset_index(drop=True)
        for size in TRIAL_SIZES:
            for metric, entry in coverage(a, b, size).items():
                unit = REGISTRY[metric].unit
                truth = entry["truth"] * (100 if unit == "%" else 1)
                shown = f"{truth:+.2f} pts" if unit == "%" else f"{truth:+,.1f} {unit}"
                print(
                    f"| {name} | {metric} | {shown} | {size} | {entry['trials']} | "
                    f"{_percent(entry['coverage'])} | {_percent(entry['degenerate'])} |"
                )


if __name__ == "__main__":
    main()
