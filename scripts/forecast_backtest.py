"""Does the forecast's 80% interval keep its promise? A backtest on companies with a known future.

Trial k runs the scenario with seed k to day T + days (T: the end of its warm-up,
unless --as-of says), reads the open deals its CRM shows on day T, forecasts the next
`days` from them with another seed, and sets the forecast's 80% interval (p10 to p90)
beside what then happened: wins of the deals open on day T, of the deals created after
it, both, and their revenue. Prints a Markdown table for docs/model.md:

    python scripts/forecast_backtest.py --trials 200 [--replications 200] [--days 90]
        [--scenario scenarios/baseline.toml] [--set leads.arrivals_per_month=30 ...]
        [--workers 2] [--save trials.csv]

Coverage comes with Wilson's 95% interval. For counts, whose quantiles are tied, the
interval holds more than 80% of the forecast's own replications: "expected" is that
share, averaged over the trials, which a calibrated forecast's coverage matches. Mean
PIT is the forecast's probability below the realised total (ties counted half), 0.5
for an unbiased forecast; bias is the mean of realised minus forecast mean.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from sim.analysis.forecast import backtest, coverage
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--days", type=float, default=90.0)
    parser.add_argument("--as-of", type=float, help="day T (default: the end of the warm-up)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--save", type=Path, help="write the trials' table here (CSV)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, args.set)
    started = time.perf_counter()
    trials = backtest(scenario, args.trials, args.as_of, args.days, args.replications, args.workers)
    seconds = time.perf_counter() - started
    if args.save:
        trials.to_csv(args.save, index=False)
    print(
        f"Backtest of {args.scenario.name} {' '.join(args.set)}: {args.trials} trials, "
        f"forecasts of {args.replications} replications x {args.days:g} days from "
        f"{trials['open_deals'].mean():.1f} open deals on average ({seconds:.0f} s)\n"
    )
    print(table(coverage(trials)))


def table(rows: pd.DataFrame) -> str:
    lines = [
        "| total | realised (mean) | coverage of the 80% interval | 95% interval | expected "
        "| mean PIT | bias |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.iterrows():
        lines.append(
            f"| {name} | {row['realised_mean']:,.2f} | {row['coverage']:.1%} | "
            f"{row['coverage_low']:.1%} to {row['coverage_high']:.1%} | {row['expected']:.1%} "
            f"| {row['mean_pit']:.3f} | {row['bias']:+,.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
