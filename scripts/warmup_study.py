"""Where the transient ends for every shipped scenario: the evidence behind `warmup_days`.

Runs each shipped scenario from an empty pipeline (as `committee-sim warmup` does) and
prints a Markdown table of MSER-5 truncation days per output and the recommendation,
for docs/experiments.md:

    python scripts/warmup_study.py [--replications 40] [--days 2920]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.analysis.replications import simulate
from sim.analysis.warmup import OUTPUTS, advise
from sim.cli import WARMUP_DAYS, WARMUP_REPLICATIONS
from sim.scenario import DEFAULT_SEED, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=WARMUP_REPLICATIONS)
    parser.add_argument("--days", type=float, default=WARMUP_DAYS)
    args = parser.parse_args()
    print(
        f"MSER-5 truncation (day), {args.replications} replications from empty over "
        f"{args.days:g} days, seed {DEFAULT_SEED}; * = not settled in the first half:\n"
    )
    print("| scenario | " + " | ".join(OUTPUTS) + " | recommended warm-up |")
    print("|---|" + "---:|" * (len(OUTPUTS) + 1))
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        overrides = [f"scenario.horizon_days={args.days}", "scenario.warmup_days=0"]
        advice = advise(simulate(load_scenario(path, overrides), args.replications, DEFAULT_SEED))
        cells = [
            f"{advice.truncation_days(output):g}"
            + ("*" if advice.truncations[output].too_short else "")
            for output in OUTPUTS
        ]
        print(f"| {path.stem} | " + " | ".join(cells) + f" | {advice.recommended_days:g} |")


if __name__ == "__main__":
    main()
