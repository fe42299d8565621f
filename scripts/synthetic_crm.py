"""A synthetic CRM export made by the model itself, with known parameters and future.

Runs one replication of SCENARIO through its warm-up (dated --start), --years more and
--future-days beyond, and writes what a CRM would export on the day --years after
--start: every deal created from a year before --start on (docs/crm-import.md).
Also writes future.csv (the deals open then, or created in the --future-days after,
as they stood at the end: for forecast backtests) and truth.json (the scenario's
values, the seed and the dates: for parameter recovery).

    python scripts/synthetic_crm.py scenarios/baseline.toml --format all --out crm/
    python scripts/synthetic_crm.py baseline --format salesforce --out sf/ --seed 7 \\
        --set leads.arrivals_per_month=12
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from sim.analysis.crm_sample import simulate_sample
from sim.scenario import DEFAULT_SEED, ScenarioError, load_with_sets
from sim.scenario.crm import FORMATS
from sim.views.crm_export import write_sample

ALL = "all"


def positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not above 0")
    return value


def at_least_zero(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is below 0")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path, help="scenario file (or a shipped name)")
    parser.add_argument("--format", choices=[*FORMATS, ALL], required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--replication", type=int, default=0)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--years", type=positive, default=3.0)
    parser.add_argument("--future-days", type=at_least_zero, default=90.0)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--force", action="store_true", help="replace an earlier export")
    args = parser.parse_args(argv)
    if args.replication < 0:
        parser.error(f"--replication {args.replication} is below 0")
    try:
        scenario = load_with_sets(args.scenario, args.set)
        sample = simulate_sample(
            scenario,
            args.seed,
            pd.Timestamp(args.start),
            args.years,
            args.future_days,
            args.replication,
        )
        formats = list(FORMATS) if args.format == ALL else [args.format]
        written = write_sample(sample, formats, args.out, force=args.force)
    except ScenarioError as exc:  # a CrmError too
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{len(sample.opportunities)} opportunities as of {sample.as_of:%Y-%m-%d}"
        f" ({(sample.opportunities['outcome'] == 'open').sum()} open); wrote:"
    )
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
