"""Parameter recovery: calibrate synthetic CRM exports made with known values; do the
reported 95% intervals hold the known values?

    python scripts/parameter_recovery.py --trials 24 [--workers 2] [--json recovery.json]

Trial k makes a synthetic export (`sim.analysis.crm_sample.simulate_sample`) from the
TRUTH scenario with seed k, then calibrates the base scenario (baseline, whose
behavioural values differ from the truth's: the search must find them) with seed
1000 + k. Prints, per parameter, how often the interval held the truth (with a Wilson
95% interval of that coverage), the mean estimate and the median interval width; the
guide's bar is 90% for identifiable parameters. Fit time per trial is printed too.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import calibrate
from sim.analysis.crm_sample import simulate_sample
from sim.analysis.statistics import wilson_interval
from sim.scenario.crm import CrmExport
from sim.scenario.loading import load_scenario

BASE = "baseline"
# A company unlike the base: ~1,000 opportunities over the export, and behaviour to find.
TRUTH = (
    "leads.arrivals_per_month=20",
    "reps.count=9",
    "leads.patience_mean_days=180",
    "leads.disqualify_probability=0.3",
    "competition.competitor_weight=0.6",
    "committee.status_quo_weight=0.8",
    "committee.staller_meeting_days=6",
)
YEARS = 3.0
SEED_OFFSET = 1000  # calibration seeds: never the seeds that made the exports


def trial(k: int, truth_sets: list[str], workers: int) -> dict[str, object]:
    truth = load_scenario(BASE, truth_sets)
    sample = simulate_sample(truth, k, pd.Timestamp("2023-01-01"), YEARS)
    export = CrmExport(sample.opportunities, sample.stages, sample.as_of, "generic", ())
    started = time.perf_counter()
    result = calibrate(export, load_scenario(BASE), seed=SEED_OFFSET + k, workers=workers)
    seconds = time.perf_counter() - started
    truth_values = truth.to_dict()
    rows = {}
    for setting in result.settings:
        section, name = setting.key.split(".")
        known = float(truth_values[section][name])
        rows[setting.key] = {
            "truth": known,
            "value": setting.value,
            "low": setting.low,
            "high": setting.high,
            "covered": bool(setting.low <= known <= setting.high),
            "identified": setting.identified,
        }
    return {
        "trial": k,
        "opportunities": len(export.opportunities),
        "seconds": seconds,
        "rounds": len(result.fit.rounds),
        "j": result.j_statistic,
        "settings": rows,
    }


def table(trials: list[dict]) -> str:
    keys = [k for k, v in trials[0]["settings"].items() if not np.isnan(v["low"])]
    lines = [
        "| parameter | truth | coverage (95% CI) | mean estimate | median interval | weak |",
        "|---|---|---|---|---|---|",
    ]
    for key in keys:
        rows = [t["settings"][key] for t in trials]
        hits = sum(r["covered"] for r in rows)
        low, high = wilson_interval(hits, len(rows))
        middle = sorted(rows, key=lambda r: math.log(r["high"] / r["low"]))[len(rows) // 2]
        median_width = f"{middle['low']:.3g} to {middle['high']:.3g}"
        weak = sum(not r["identified"] for r in rows)
        lines.append(
            f"| {key} | {rows[0]['truth']:.3g} | {hits}/{len(rows)} = {hits / len(rows):.0%} "
            f"({low:.0%} to {high:.0%}) | {np.mean([r['value'] for r in rows]):.3g} | "
            f"{median_width} | {weak} |"
        )
    seconds = [t["seconds"] for t in trials]
    sizes = [t["opportunities"] for t in trials]
    lines.append("")
    lines.append(
        f"{len(trials)} trials, {np.mean(sizes):.0f} opportunities each on average; fit "
        f"{np.median(seconds):.0f} s median ({min(seconds):.0f} to {max(seconds):.0f} s); "
        f"search rounds {np.mean([t['rounds'] for t in trials]):.1f} on average."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write every trial's figures here")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        help="change the truth (after the built-in TRUTH values)",
    )
    args = parser.parse_args()
    trials = []
    for k in range(args.trials):
        trials.append(trial(k, [*TRUTH, *args.sets], args.workers))
        done = trials[-1]
        print(
            f"trial {k}: {done['opportunities']} opportunities, {done['seconds']:.0f} s", flush=True
        )
        if args.json:
            args.json.write_text(json.dumps(trials, indent=1))
    print(table(trials))


if __name__ == "__main__":
    main()
