"""Time the model: wall time per replication and deals per second for shipped scenarios.

    python scripts/benchmark.py [--replications N]

Prints a table and writes benchmark.json in the current folder.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sim.scenario import load_scenario
from sim.world import simulate_replication

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "proactive_stallers", "channel_overlap")


def measure(name: str, replications: int) -> dict:
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    simulate_replication(scenario, 0, 0)  # warm caches and imports
    deals = 0
    start = time.perf_counter()
    for replication in range(replications):
        deals += len(simulate_replication(scenario, 1, replication)["deals"]["deal_id"])
    seconds = time.perf_counter() - start
    return {
        "scenario": name,
        "replications": replications,
        "ms_per_replication": 1000 * seconds / replications,
        "deals_per_second": deals / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    args = parser.parse_args()
    rows = [measure(name, args.replications) for name in SCENARIOS]
    print(f"{'scenario':<22}{'ms/replication':>16}{'deals/s':>12}")
    for row in rows:
        print(f"{row['scenario']:<22}{row['ms_per_replication']:>16.1f}{row['deals_per_second']:>12.0f}")
    Path("benchmark.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
