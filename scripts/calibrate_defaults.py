"""Fit the behavioural defaults marked FITTED to the calibration targets, and record the fit.

    python scripts/calibrate_defaults.py [--replications 10] [--seed 1] [--workers 2]

Simulation-based optimisation with common random numbers: every trial runs the same
seed, so the objective changes only through the parameters and Nelder-Mead is not
chasing noise. The objective is the sum over calibration targets
(`sim.analysis.targets.CALIBRATION`) of ((model - published) / tolerance)^2. Each
parameter is searched on a scale that keeps it in range (logit for shares, log for
weights); fitted values are rounded to two significant figures, then the fit is
measured again at the rounded values with more replications and a seed the search
never used.

Writes docs/calibration.json (the fitted values, the targets and the fit), which the
schema's defaults must match (a test checks) and scripts/validation_report.py renders.
Copy the printed values into sim/scenario/schema.py after a rerun.
"""

from __future__ import annotations

import argparse
import json
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from sim.analysis.targets import CALIBRATION, Experiment, Target, measure
from sim.scenario.schema import default_of

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "calibration.json"
# The parameters fitted, and the scale each is searched on.
FITTED = {
    "committee.staller_engagement_mean": "share",
    "committee.nay_sayer_scepticism_mean": "share",
    "committee.status_quo_weight": "weight",
}
INITIAL_STEP = 0.25
CHECK_SEED_OFFSET = 1000  # the check of the rounded fit uses seed + this: never searched


def to_search(key: str, value: float) -> float:
    return math.log(value / (1 - value)) if FITTED[key] == "share" else math.log(value)


def from_search(key: str, x: float) -> float:
    return 1 / (1 + math.exp(-x)) if FITTED[key] == "share" else math.exp(x)


def overrides(values: dict[str, float]) -> list[str]:
    return [f"{key}={value!r}" for key, value in values.items()]


def _measure_group(args: tuple[list[Target], int, int, list[str]]) -> dict[str, np.ndarray]:
    targets, replications, seed, settings = args
    return measure(targets, replications, seed, settings)


def measure_all(
    values: dict[str, float], replications: int, seed: int, pool: ProcessPoolExecutor
) -> dict[str, float]:
    """Mean of each calibration target's metric, experiments spread over the workers."""
    groups: dict[Experiment, list[Target]] = {}
    for target in CALIBRATION:
        groups.setdefault(target.experiment, []).append(target)
    jobs = [(group, replications, seed, overrides(values)) for group in groups.values()]
    means: dict[str, float] = {}
    for measured in pool.map(_measure_group, jobs):
        means |= {name: float(np.nanmean(v)) for name, v in measured.items()}
    return means


def loss(means: dict[str, float]) -> float:
    return sum(((means[t.name] - t.published) / t.tolerance) ** 2 for t in CALIBRATION)


def two_figures(value: float) -> float:
    return float(f"{value:.2g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--check-replications", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-trials", type=int, default=120)
    args = parser.parse_args()
    keys = list(FITTED)
    start = {key: float(default_of(key)) for key in keys}
    trials: list[tuple[dict[str, float], float]] = []

    with ProcessPoolExecutor(args.workers) as pool:

        def objective(x: np.ndarray) -> float:
            values = {key: from_search(key, float(v)) for key, v in zip(keys, x, strict=True)}
            value = loss(measure_all(values, args.replications, args.seed, pool))
            trials.append((values, value))
            print(f"trial {len(trials):3d}: loss {value:8.3f}  " + _show(values), flush=True)
            return value

        x0 = np.array([to_search(key, start[key]) for key in keys])
        # A first simplex a quarter of a unit wide on the search scales: scipy's default
        # steps (5% of each coordinate) vanish for a coordinate at 0 (a share of 1/2).
        simplex = np.vstack([x0, x0 + INITIAL_STEP * np.eye(len(keys))])
        result = minimize(
            objective,
            x0,
            method="Nelder-Mead",
            options={
                "maxfev": args.max_trials,
                "xatol": 0.02,
                "fatol": 0.05,
                "initial_simplex": simplex,
            },
        )
        best = {k: from_search(k, float(v)) for k, v in zip(keys, result.x, strict=True)}
        fitted = {key: two_figures(value) for key, value in best.items()}
        check_seed = args.seed + CHECK_SEED_OFFSET
        check = measure_all(fitted, args.check_replications, check_seed, pool)

    record = {
        "method": "Nelder-Mead on a logit/log scale, common random numbers",
        "replications": args.replications,
        "seed": args.seed,
        "trials": len(trials),
        "loss_at_start": trials[0][1],
        "loss_at_best": float(result.fun),
        "parameters": {
            key: {"start": start[key], "fitted": fitted[key], "searched": best[key]} for key in keys
        },
        "check": {
            "replications": args.check_replications,
            "seed": check_seed,
            "loss": loss(check),
            "targets": [
                {
                    "name": t.name,
                    "figure": t.figure,
                    "published": t.published,
                    "tolerance": t.tolerance,
                    "model": check[t.name],
                    "source": t.source,
                }
                for t in CALIBRATION
            ],
        },
    }
    OUT.write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nfitted (two significant figures): {_show(fitted)}")
    print(
        f"loss at the rounded values, {args.check_replications} replications, seed "
        f"{check_seed}: {record['check']['loss']:.3f}; wrote {OUT.relative_to(ROOT)}"
    )


def _show(values: dict[str, float]) -> str:
    return "  ".join(f"{key.split('.')[1]}={value:.4g}" for key, value in values.items())


if __name__ == "__main__":
    main()
