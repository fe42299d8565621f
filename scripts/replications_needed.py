"""How many replications each shipped scenario needs for a given precision (docs/experiments.md).

For each shipped scenario and target, runs `committee-sim run --precision` (Hoad,
Robinson & Davies' sequential algorithm) and prints a Markdown table of the
replications needed:

    python scripts/replications_needed.py [--seed 1]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.analysis.precision import simulate_to_precision
from sim.scenario import DEFAULT_SEED, load_scenario

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (  # metric, half-width of its 95% CI, how the table names it
    ("win_rate", 0.01, "win rate ± 1 point"),
    ("no_decision_rate", 0.01, "no-decision rate ± 1 point"),
    ("cycle_days_median", 5.0, "median cycle ± 5 days"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--budget", type=int, default=1000)
    args = parser.parse_args()
    print(f"Replications needed (seed {args.seed}; look-ahead 5; > means not reached):\n")
    print("| scenario | " + " | ".join(label for *_, label in TARGETS) + " |")
    print("|---|" + "---:|" * len(TARGETS))
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        cells = []
        for metric, target, _ in TARGETS:
            _, sequential = simulate_to_precision(scenario, metric, target, args.seed, args.budget)
            needed = sequential.needed
            cells.append(str(needed) if needed is not None else f"> {args.budget}")
        print(f"| {path.stem} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
