"""How much common random numbers narrow the interval of a difference: small and large changes.

For each change (B against the baseline A), runs A and B with the same seed (common
random numbers) and B again with another seed (an independent run), then compares the
width of the paired 95% CI of B - A with the width of Welch's CI from the independent
runs. Small changes are one parameter nudged with --set; large ones are the shipped
scenarios. Prints a Markdown table (used in docs/experiments.md):

    python scripts/crn_gain.py [--replications 50] [--set SECTION.KEY=VALUE ...]

`--set` applies to A and every B (the test suite shortens the run with it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.analysis.compare import independent_difference, paired_difference
from sim.analysis.metrics import METRICS, replication_metrics
from sim.analysis.replications import simulate
from sim.scenario import DEFAULT_SEED, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
SEED, OTHER_SEED = DEFAULT_SEED, DEFAULT_SEED + 1  # the common and an independent seed
SMALL = (  # one parameter nudged: effects about the size of the noise
    "committee.status_quo_weight=0.56",  # the default is 0.51
    "committee.negotiation_days=15",
    "competition.incumbent_weight=4",
    "committee.stallers=4",  # one more staller: the baseline has 3
)


def widths(replications: int, a_runs, b_scenario) -> dict[str, float]:
    """Paired CI width / independent CI width of B - A, per metric."""
    b_common = replication_metrics(simulate(b_scenario, replications, SEED))
    b_other = replication_metrics(simulate(b_scenario, replications, OTHER_SEED))
    paired, independent = (
        paired_difference(a_runs, b_common),
        independent_difference(a_runs, b_other),
    )
    return {metric: _width(paired[metric]) / _width(independent[metric]) for metric in METRICS}


def _width(entry: dict) -> float:
    low, high = entry["ci"]
    return high - low


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    common = args.overrides
    a_runs = replication_metrics(simulate(load_scenario(BASELINE, common), args.replications, SEED))
    changes = [(f"`{o}`", load_scenario(BASELINE, [*common, o])) for o in SMALL] + [
        (path.stem, load_scenario(path, common))
        for path in sorted((ROOT / "scenarios").glob("*.toml"))
        if path != BASELINE
    ]
    print(
        f"CI width with CRN / without, {args.replications} replications each, B against baseline:\n"
    )
    print("| change B | " + " | ".join(METRICS) + " |")
    print("|---|" + "---:|" * len(METRICS))
    for name, scenario in changes:
        ratios = widths(args.replications, a_runs, scenario)
        print(f"| {name} | " + " | ".join(f"{ratios[metric]:.2f}" for metric in METRICS) + " |")


if __name__ == "__main__":
    main()
