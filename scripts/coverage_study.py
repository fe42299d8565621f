"""Do compare's 95% intervals keep their promise? A coverage study of the paired differences.

For each change (B against the baseline A), runs a large pool of paired replications
(same seed, replication r of A and of B share their random numbers), takes the mean
paired difference over the whole pool as the true effect, then splits the pool into
disjoint trials of n replications, as `committee-sim compare -n n` would run them, and
counts how often each trial's paired t interval covers the true effect (measured
without that trial's own pairs). Prints a Markdown table for docs/experiments.md:

    python scripts/coverage_study.py [--pairs 3000] [--workers 2] [--seed 1] [--save pool.csv]
    python scripts/coverage_study.py --load pool1.csv pool2.csv   # the table from saved pools

The per-replication metrics can be saved and read back (`--load`) to redo the table;
several pools (run with different seeds) add their trials up, each with its own truth.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.compare import DEGENERATE_SHARE, paired_difference
from sim.analysis.metrics import METRICS, REGISTRY, column_metrics
from sim.model.world import simulate_replication
from sim.scenario import DEFAULT_SEED, Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
CHANGES = {  # name: (scenario file, overrides)
    "status_quo_weight 0.51 to 0.56 (small)": (BASELINE, ("committee.status_quo_weight=0.56",)),
    "stallers 3 to 4 (medium)": (BASELINE, ("committee.stallers=4",)),
    "proactive_stallers (large)": (ROOT / "scenarios" / "proactive_stallers.toml", ()),
}
TRIAL_SIZES = (20, 60)


def metrics_of(scenario: Scenario, replications: range, seed: int) -> list[dict[str, float]]:
    """Every metric of each replication in `replications`."""
    return [
        {"replication": r, **column_metrics(simulate_replication(scenario, seed, r), scenario)}
        for r in replications
    ]


def pool(scenario: Scenario, pairs: int, seed: int, workers: int) -> pd.DataFrame:
    """Per-replication metrics of `pairs` replications, computed in chunks on `workers`."""
    chunks = [range(start, min(start + 50, pairs)) for start in range(0, pairs, 50)]
    with ProcessPoolExecutor(workers) as executor:
        parts = executor.map(metrics_of, [scenario] * len(chunks), chunks, [seed] * len(chunks))
        return pd.DataFrame([row for part in parts for row in part])


def coverage(a: pd.DataFrame, b: pd.DataFrame, size: int) -> dict[str, dict[str, float]]:
    """Per metric: how many disjoint trials of `size` pairs cover the truth, of how many."""
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
            "covered": covered,
            "trials": trials,
            "truth": total / count,
            "degenerate": degenerate,
        }
    return result


def pooled_coverage(pools: list[dict[str, pd.DataFrame]], change: str, size: int) -> dict:
    """Coverage over the trials of every pool, each trial against its own pool's truth."""
    parts = [coverage(_sorted(pool["baseline"]), _sorted(pool[change]), size) for pool in pools]
    return {
        metric: {
            "coverage": sum(p[metric]["covered"] for p in parts)
            / sum(p[metric]["trials"] for p in parts),
            "trials": sum(p[metric]["trials"] for p in parts),
            "truth": float(np.mean([p[metric]["truth"] for p in parts])),
            "degenerate": sum(p[metric]["degenerate"] for p in parts)
            / sum(p[metric]["trials"] for p in parts),
        }
        for metric in METRICS
    }


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values("replication").reset_index(drop=True)


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--save", type=Path, help="write the per-replication metrics here")
    parser.add_argument("--load", type=Path, nargs="+", help="read saved pools instead")
    args = parser.parse_args()
    if args.load:
        pools = [dict(tuple(pd.read_csv(path).groupby("run"))) for path in args.load]
    else:
        runs = {"baseline": (BASELINE, ())} | CHANGES
        pool = {
            name: metrics_pool(path, overrides, args) for name, (path, overrides) in runs.items()
        }
        pools = [pool]
        if args.save:
            pd.concat([table.assign(run=name) for name, table in pool.items()]).to_csv(
                args.save, index=False
            )
    pairs = sum(len(pool["baseline"]) for pool in pools)
    print(
        f"Coverage of compare's paired 95% CI: disjoint trials from {pairs} paired "
        f"replications per change ({len(pools)} pool(s) of different seeds); each trial's "
        "true effect is the mean over the other trials' pairs of its pool. Degenerate: "
        f"under {DEGENERATE_SHARE:.0%} of the pairs non-zero.\n"
    )
    print("| change | metric | true effect | n | trials | coverage | degenerate trials |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in CHANGES:
        for size in TRIAL_SIZES:
            for metric, entry in pooled_coverage(pools, name, size).items():
                unit = REGISTRY[metric].unit
                truth = entry["truth"] * (100 if unit == "%" else 1)
                shown = f"{truth:+.2f} pts" if unit == "%" else f"{truth:+,.1f} {unit}"
                print(
                    f"| {name} | {metric} | {shown} | {size} | {entry['trials']} | "
                    f"{_percent(entry['coverage'])} | {_percent(entry['degenerate'])} |"
                )


def metrics_pool(path: Path, overrides: tuple[str, ...], args: argparse.Namespace) -> pd.DataFrame:
    return pool(load_scenario(path, list(overrides)), args.pairs, args.seed, args.workers)


if __name__ == "__main__":
    main()
