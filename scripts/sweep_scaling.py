"""Sweep throughput with 1 and 2 workers, and the experiment layer's overhead over model time.

Runs scenarios/sweeps/lhs_200.toml (200 points × 5 replications) with 1 worker and
with 2 worker processes and prints the throughput ratio (target ≥ 1.8 on two cores).
The overhead of the sweep layer (metrics, point files, tables) is measured within the
1-worker run, so other load on the machine affects both sides alike: the run's wall
time against the time spent inside `simulate_replication` (target < 10%). Pickling
(what a process pool adds per point) is timed separately. Each figure is the best of
--repeat runs. With --dask it also times the sweep on a LocalCluster of 2 worker
processes (one thread each), to set the Dask path against the process pool.

    python scripts/sweep_scaling.py [--sweep FILE] [--repeat 2] [--dask]
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path

import sim.analysis.sweep
from sim.analysis.sweep import run_sweep, run_sweep_point
from sim.scenario.sweep_file import Sweep, load_sweep

ROOT = Path(__file__).resolve().parent.parent


def sweep_seconds(sweep: Sweep, workers: int | None, scheduler: str | None = None) -> float:
    """Wall time of a whole sweep (into a fresh folder) with this many local workers, or on
    the Dask scheduler at `scheduler`."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_sweep(sweep, Path(folder) / "out", workers=workers, scheduler=scheduler)
        return time.perf_counter() - start


def dask_seconds(sweep: Sweep, repeat: int) -> float:
    """The best wall time of the sweep on a LocalCluster of 2 worker processes."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        return min(sweep_seconds(sweep, None, cluster.scheduler_address) for _ in range(repeat))


def overhead(sweep: Sweep) -> tuple[float, float]:
    """(wall time, model time) of a 1-worker sweep; model time is the time inside the model."""
    model = sim.analysis.sweep.simulate_replication
    spent = [0.0]

    def timed(*args):
        start = time.perf_counter()
        try:
            return model(*args)
        finally:
            spent[0] += time.perf_counter() - start

    sim.analysis.sweep.simulate_replication = timed
    try:
        wall = sweep_seconds(sweep, 1)
    finally:
        sim.analysis.sweep.simulate_replication = model
    return wall, spent[0]


def pickling_seconds(sweep: Sweep) -> float:
    """Time to pickle and unpickle every point's task and result, as a process pool does."""
    design = sweep.design()
    tasks = [
        (sweep, design[i], i, sweep.seed_of(i), sweep.replications) for i in range(len(design))
    ]
    records = [run_sweep_point(*task) for task in tasks[:10]] * (len(tasks) // 10)
    start = time.perf_counter()
    for item in [*tasks, *records]:
        pickle.loads(pickle.dumps(item))
    return time.perf_counter() - start


def warm_up() -> None:
    """Import the libraries the sweep layer loads lazily: a cost once, not per replication."""
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import scipy.stats  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=ROOT / "scenarios/sweeps/lhs_200.toml")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also on a 2-worker LocalCluster")
    args = parser.parse_args()
    warm_up()
    sweep = load_sweep(args.sweep)
    points = len(sweep.design())
    replications = points * sweep.replications
    runs = [overhead(sweep) for _ in range(args.repeat)]
    wall, model = min(runs, key=lambda run: run[0] / run[1])
    one = min(run[0] for run in runs)
    two = min(sweep_seconds(sweep, 2) for _ in range(args.repeat))
    pickling = pickling_seconds(sweep)
    print(
        f"{args.sweep.name}: {points} points, {replications} replications (best of {args.repeat})"
    )
    print(f"1 worker:  {one:6.2f} s  ({points / one:.1f} points/s)")
    print(f"2 workers: {two:6.2f} s  ({points / two:.1f} points/s)")
    print(f"speed-up with 2 workers: {one / two:.2f}x (target >= 1.8)")
    if args.dask:
        dask = dask_seconds(sweep, args.repeat)
        print(f"2 Dask workers (LocalCluster): {dask:6.2f} s  ({points / dask:.1f} points/s)")
    print(
        f"model time in the 1-worker run: {model:.2f} s "
        f"({1000 * model / replications:.1f} ms per replication)"
    )
    print(
        f"experiment-layer overhead: {100 * (wall - model) / model:.1f}% of model time "
        "(target < 10%)"
    )
    print(
        f"pickling tasks and results: {1000 * pickling / points:.2f} ms per point, "
        f"{100 * pickling / model:.2f}% of model time"
    )


if __name__ == "__main__":
    main()
