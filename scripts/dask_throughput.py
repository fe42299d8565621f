"""Client throughput of a sweep on a Dask cluster: how many points/s the sweep command takes in.

The points cost (almost) nothing to simulate: `run_sweep_point`, what the workers run
for each point, is replaced by a stub that returns a canned record (one real
replication of a short baseline, computed once) with the point's number and seed. So
what is measured is the client's own work: validating the design, handing the points
to the cluster, taking the results in, saving them in `points/` and writing the
tables. The stub travels to the workers with the tasks (cloudpickle pickles this
script's functions by value), so process workers run it too.

It runs a Latin hypercube of --points points x 1 replication (a 100,000-replication
study by default) on a LocalCluster of --workers workers and prints, for each of
--repeat runs, the client throughput end to end (points over the wall time of
`run_sweep`, from the sweep file to the tables) and the intake rate (points over the
time from the first result to the last one taken in).

    python scripts/dask_throughput.py [--points 100000] [--workers 2] [--threads]
        [--repeat 3] [--scheduler tcp://HOST:PORT]

`--threads` runs the workers as threads of this process (processes=False), as the test
suite does; by default they are processes, as on a real cluster. `--scheduler` measures
an existing cluster instead (its workers need this package installed).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sim.analysis.sweep
from sim.analysis.sweep import run_sweep
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
SWEEP = """
[sweep]
scenario = "{base}"
method = "lhs"
points = {points}
replications = 1
seed = 1

[parameters]
"committee.stallers" = {{ low = 2, high = 12 }}
"marketing.proactive_share" = {{ low = 0.1, high = 0.9 }}
"""
SHORT = 'name = "baseline"\nhorizon_days = 60\nwarmup_days = 10\n'


def canned_record(folder: Path) -> dict[str, Any]:
    """One real point record of a short baseline (1 replication), to hand back for every point."""
    base = (ROOT / "scenarios/baseline.toml").read_text(encoding="utf-8")
    path = folder / "short.toml"
    path.write_text(base.replace('name = "baseline"\n', SHORT, 1), encoding="utf-8")
    (folder / "one.toml").write_text(SWEEP.format(base=path.as_posix(), points=1), encoding="utf-8")
    sweep = load_sweep(folder / "one.toml")
    [scenario] = sweep.scenarios(sweep.design())
    record = sim.analysis.sweep.run_point(scenario, 0, sweep.seed_of(0), 1)
    assert record["error"] is None, record["error"]
    return record


def stub_for(record: dict[str, Any]):
    """A run_sweep_point that simulates nothing: the canned record with the point and seed."""

    def stub(sweep: Any, values: Any, point: int, seed: int, replications: int) -> dict[str, Any]:
        return {**record, "point": point, "seed": seed}

    return stub


class Clock:
    """A progress watcher that notes when the first and the last record passed."""

    def __init__(self) -> None:
        self.first = self.last = 0.0
        self.count = 0

    def __call__(self, records: Iterator[dict], done: int, total: int) -> Iterator[dict]:
        for record in records:
            if not self.count:
                self.first = time.perf_counter()
            self.count += 1
            yield record
        self.last = time.perf_counter()


def measure(sweep_file: Path, scheduler: str, folder: Path, run: int) -> tuple[float, float]:
    """(end-to-end points/s, intake points/s) of one sweep into a fresh folder."""
    sweep = load_sweep(sweep_file)
    clock = Clock()
    start = time.perf_counter()
    report = run_sweep(sweep, folder / f"out{run}", scheduler=scheduler, progress=clock)
    wall = time.perf_counter() - start
    assert report.computed == report.points and not report.failed
    intake = clock.count / (clock.last - clock.first) if clock.count > 1 else float("nan")
    return report.points / wall, intake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", action="store_true", help="workers as threads of this process")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scheduler", default=None, help="an existing cluster's scheduler")
    args = parser.parse_args()
    import pandas  # noqa: F401 - loaded once, not inside the first measurement
    import pyarrow  # noqa: F401

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        sim.analysis.sweep.run_sweep_point = stub_for(canned_record(folder))
        sweep_file = folder / "study.toml"
        sweep_file.write_text(
            SWEEP.format(base=(ROOT / "scenarios/baseline.toml").as_posix(), points=args.points),
            encoding="utf-8",
        )
        cluster = None
        if args.scheduler is None:
            from distributed import LocalCluster

            cluster = LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=not args.threads,
                dashboard_address=":0",
            )
        address = args.scheduler or cluster.scheduler_address
        where = args.scheduler or (
            f"a LocalCluster of {args.workers} {'thread' if args.threads else 'process'} workers"
        )
        print(f"{args.points} points x 1 replication (stub model) on {where}")
        try:
            for run in range(args.repeat):
                total, intake = measure(sweep_file, address, folder, run)
                print(
                    f"run {run + 1}: client throughput {total:,.0f} points/s end to end "
                    f"({args.points / total:.1f} s), intake {intake:,.0f} points/s"
                )
        finally:
            if cluster is not None:
                cluster.close()


if __name__ == "__main__":
    main()
