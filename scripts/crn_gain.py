"""How much common random numbers narrow the interval of a difference, on the shipped scenarios.

For each shipped scenario B against the baseline A, runs A and B with the same seed
(common random numbers) and B again with another seed (an independent run), then
compares the width of the paired 95% CI of B - A with the width of Welch's CI from
the independent runs. Prints a Markdown table (used in docs/experiments.md):

    python scripts/crn_gain.py [--replications 50]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.analysis.compare import independent_difference, paired_difference
from sim.analysis.metrics import METRICS, replication_metrics
from sim.analysis.replications import simulate
from sim.scenario import DEFAULT_SEED, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "baseline"
SEED, OTHER_SEED = DEFAULT_SEED, DEFAULT_SEED + 1  # the common and an independent seed


def widths(replications: int, name: str) -> dict[str, float]:
    """Paired CI width / independent CI width of B - A per metric, B = `name`, A = the baseline."""
    a = replication_metrics(
        simulate(load_scenario(ROOT / f"scenarios/{BASELINE}.toml"), replications, SEED)
    )
    scenario = load_scenario(ROOT / f"scenarios/{name}.toml")
    b_common = replication_metrics(simulate(scenario, replications, SEED))
    b_other = replication_metrics(simulate(scenario, replications, OTHER_SEED))
    paired, independent = paired_difference(a, b_common), independent_difference(a, b_other)
    return {metric: _width(paired[metric]) / _width(independent[metric]) for metric in METRICS}


def _width(entry: dict) -> float:
    low, high = entry["ci"]
    return high - low


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    args = parser.parse_args()
    names = sorted(
        path.stem for path in (ROOT / "scenarios").glob("*.toml") if path.stem != BASELINE
    )
    print(
        f"CI width with CRN / without, {args.replications} replications each, "
        f"B against {BASELINE}:\n"
    )
    print("| scenario B | " + " | ".join(METRICS) + " |")
    print("|---|" + "---:|" * len(METRICS))
    for name in names:
        ratios = widths(args.replications, name)
        print(f"| {name} | " + " | ".join(f"{ratios[metric]:.2f}" for metric in METRICS) + " |")


if __name__ == "__main__":
    main()
