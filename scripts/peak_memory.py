"""Peak memory of a run of about a million deals, measured in a fresh process.

    python scripts/peak_memory.py                      # 1,000,000 deals of the baseline
    python scripts/peak_memory.py --deals 100000 --workers 2 --json

A child process imports what a run needs, notes its resident memory (the libraries and
the interpreter: the base), runs `sim.simulate` for as many replications as the deals
need (from one replication run here first) and reports its peak resident set size
(VmHWM), the deal table's size and what the run held above the base (peak - base).
With --workers the replications run in worker processes and the peak is the main
process's, the one that holds the table. MB are 10^6 bytes. Figures vary by a few MB
from run to run; see docs/results.md.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, resource, sys, time
import pandas
import sim.analysis.replications
from sim.analysis.replications import simulate


def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def peak_resident():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so a child forked from a
    # large process (a long test session) would report its parent's size as its own peak.
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024


scenario, replications, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = resident()
start = time.perf_counter()
results = simulate(scenario, replications=replications, seed=1, workers=workers)
seconds = time.perf_counter() - start
peak = peak_resident()
print(json.dumps({
    "deals": len(results.deals),
    "replications": replications,
    "workers": workers,
    "table_bytes": int(results.deals.memory_usage(deep=True).sum()),
    "base_bytes": base,
    "peak_bytes": peak,
    "seconds": seconds,
}))
"""


def measure(scenario: str, deals: int, workers: int) -> dict[str, float]:
    """Run about `deals` deals of `scenario` in a fresh process; its figures."""
    import sim

    per_replication = len(sim.simulate(scenario, replications=1, seed=1).deals)
    replications = max(1, math.ceil(deals / max(per_replication, 1)))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, scenario, str(replications), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.toml"))
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    figures = measure(args.scenario, args.deals, args.workers)
    if args.json:
        print(json.dumps(figures))
        return
    mb = 1e6
    held = figures["peak_bytes"] - figures["base_bytes"]
    print(
        f"{figures['deals']:,} deals ({figures['replications']:,} replications, "
        f"{figures['workers']} worker(s)), {figures['seconds']:.0f} s"
    )
    print(f"deal table                {figures['table_bytes'] / mb:6.0f} MB")
    print(f"base (libraries, imports) {figures['base_bytes'] / mb:6.0f} MB")
    print(f"peak RSS                  {figures['peak_bytes'] / mb:6.0f} MB")
    print(
        f"held by the run           {held / mb:6.0f} MB "
        f"({held / figures['table_bytes']:.2f} x the deal table)"
    )


if __name__ == "__main__":
    main()
