"""Sweeps: every point of a sweep file with its replications, on local cores or a Dask cluster.

Nothing finished is lost: each point is written to `OUT/points/` (atomically) as soon
as it completes, and the tables are always assembled from those files. A resumed
run therefore computes only the missing points and ends with the same bytes as an
uninterrupted one. Seeds come from the point and the replication (see
`Sweep.seed_of`), never from the order in which work completes, so the number of
workers and the executor (`sim.analysis.executors`) do not change the results.
"""

from __future__ import annotations

import io
import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.world import simulate_replication
from .executors import connect, execute, on_dask
from .metrics import METRICS, REGISTRY, Window, column_metrics
from .results_folder import ResultsExistError, write_atomic
from .statistics import half_width

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario
    from ..scenario.sweep_file import Sweep

POINTS_DIR = "points"
MANIFEST = "sweep.json"
TABLES = ("results.parquet", "results.csv", "point_summary.parquet", "point_summary.csv")
DERIVED = ("sensitivity.csv", "sensitivity.png")  # written by `committee-sim sensitivity`
REPLICATION_STATS = ("marketing_utilisation", "reactive_share", "rep_departures")
ROW_METRICS = (*REGISTRY, *REPLICATION_STATS)  # order of column_metrics, then stats

Task = tuple["Scenario", int, int, int]  # (scenario, point, seed, replications)
Record = dict[str, Any]  # one point's result, as saved in OUT/points/
Watch = Callable[[Iterator[Record], int, int], Iterator[Record]]  # (records, done, total)


@dataclass
class SweepReport:
    """What a run of a sweep did."""

    out: Path
    points: int
    computed: int  # in this run
    reused: int  # finished by an earlier, interrupted run
    failed: dict[int, str] = field(default_factory=dict)  # point -> error


# ---------------------------------------------------------------- one point


def run_point(scenario: Scenario, point: int, seed: int, replications: int) -> Record:
    """Simulate one point's replications and return its record; a model error is recorded."""
    rows = []
    window = Window.of(scenario)
    try:
        for replication in range(replications):
            part = simulate_replication(scenario, seed, replication)
            stats = part["stats"]
            rows.append(
                {
                    "replication": replication,
                    **column_metrics(part["deals"], window),
                    **{name: _plain(stats[name]) for name in REPLICATION_STATS},
                }
            )
    except Exception as exc:  # noqa: BLE001 - any model failure: record it, let the sweep go on
        return {
            "point": point,
            "seed": seed,
            "rows": [],
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    return {"point": point, "seed": seed, "rows": rows, "error": None}


def _plain(value: Any) -> Any:
    """A Python number for JSON, also from a numpy scalar."""
    return value.item() if hasattr(value, "item") else value


# ---------------------------------------------------------------- the run


def run_sweep(
    sweep: Sweep,
    out: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Watch | None = None,
) -> SweepReport:
    """Run (or finish) a sweep into `out` and write its tables; return what was done.

    `progress`, if given, is passed the point records as they finish, the points done
    before and all points, and passes the records on (a progress bar, say).

    Raises, before any work, ResultsExistError if `out` holds results and neither
    `resume` nor `force` is given, or if `resume` finds a different sweep there, and
    SchedulerError if the scheduler cannot be reached; SweepStopped if a worker
    process dies (finished points are kept: resume).
    """
    design = sweep.design()
    scenarios = sweep.scenarios(design)
    # Connect before touching `out`: a wrong address leaves no trace.
    client = connect(scheduler) if scheduler else None
    try:
        prepare_output(out, sweep.manifest(design), resume=resume, force=force)
        finished = finished_points(out)
        tasks = [
            (scenarios[i], i, sweep.seed_of(i), sweep.replications)
            for i in range(len(design))
            if i not in finished
        ]
        records = (
            on_dask(run_point, tasks, client) if client else execute(run_point, tasks, workers)
        )
        if progress is not None:
            records = progress(records, len(finished), len(design))
        for record in records:
            save_point(out, record, design[record["point"]])
    finally:
        if client:
            client.close()
    failed = write_tables(out, sweep)
    return SweepReport(
        out=out, points=len(design), computed=len(tasks), reused=len(finished), failed=failed
    )


def prepare_output(out: Path, manifest: dict[str, Any], resume: bool, force: bool) -> None:
    """Make `out` ready: new, resumed (same sweep only) or, with force, emptied of the old sweep."""
    if out.exists() and not out.is_dir():
        raise ResultsExistError(out, "exists and is not a folder")
    existing = sweep_files(out)
    if existing and not (resume or force):
        raise ResultsExistError(
            out,
            f"already holds sweep results ({', '.join(existing)})",
            "pass {resume} to finish that sweep, or {force} to replace it, "
            "or choose another folder",
        )
    if existing and force:
        remove_sweep(out)
    elif existing and (out / MANIFEST).exists():
        _check_same_sweep(out, manifest)
    (out / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(out / MANIFEST, _json(manifest))


def sweep_files(out: Path) -> list[str]:
    """The names of sweep results already in `out`."""
    names = [name for name in (*TABLES, *DERIVED) if (out / name).exists()]
    if (out / POINTS_DIR).is_dir() and any(_point_files(out)):
        names.append(f"{POINTS_DIR}/")
    return names


def remove_sweep(out: Path) -> None:
    """Delete an earlier sweep's files from `out` (only those: anything else stays)."""
    for name in (MANIFEST, *TABLES, *DERIVED):
        (out / name).unlink(missing_ok=True)
    for path in _point_files(out):
        path.unlink()


def _check_same_sweep(out: Path, manifest: dict[str, Any]) -> None:
    old = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    differs = [key for key in manifest if old.get(key) != manifest[key]]
    if differs:
        raise ResultsExistError(
            out,
            f"holds a different sweep (other {', '.join(differs)}), so it cannot be resumed",
            "choose another folder, or pass {force} to replace it",
        )


def finished_points(out: Path) -> set[int]:
    """Points already saved without error; failed points, and unreadable files, are done again."""
    done = set()
    for path in _point_files(out):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue  # damaged outside the sweep (its own writes are atomic): recompute it
        if record["error"] is None:
            done.add(record["point"])
    return done


def save_point(out: Path, record: dict[str, Any], parameters: dict[str, Any]) -> None:
    """Write one point's record to OUT/points/NNNNNN.json, whole or not at all."""
    write_atomic(
        out / POINTS_DIR / f"{record['point']:06d}.json",
        _json({**record, "parameters": parameters}),
    )


def _point_files(out: Path) -> list[Path]:
    return sorted((out / POINTS_DIR).glob("[0-9]*.json"))  # skips half-written temporary files


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1) + "\n").encode()


# ---------------------------------------------------------------- tables


def write_tables(out: Path, sweep: Sweep) -> dict[int, str]:
    """Write the tidy results table and the point summary (Parquet, CSV); return failed points."""
    records = [json.loads(path.read_text(encoding="utf-8")) for path in _point_files(out)]
    results = results_table(records, [p.key for p in sweep.parameters])
    summary = point_summary(records, [p.key for p in sweep.parameters], results)
    for name, table in (("results", results), ("point_summary", summary)):
        write_atomic(out / f"{name}.csv", table.to_csv(index=False, lineterminator="\n").encode())
        write_atomic(out / f"{name}.parquet", _parquet(table))
    return {record["point"]: record["error"] for record in records if record["error"] is not None}


def results_table(records: list[dict[str, Any]], keys: list[str]) -> pd.DataFrame:
    """One row per point and replication: point, replication, seed, swept values, then metrics."""
    import pandas as pd

    rows = [
        {
            "point": record["point"],
            "replication": row["replication"],
            "seed": record["seed"],
            **{key: record["parameters"][key] for key in keys},
            **{name: value for name, value in row.items() if name != "replication"},
        }
        for record in records
        for row in record["rows"]
    ]
    return pd.DataFrame(rows, columns=["point", "replication", "seed", *keys, *ROW_METRICS])


def point_summary(
    records: list[dict[str, Any]], keys: list[str], results: pd.DataFrame
) -> pd.DataFrame:
    """One row per point: swept values, replications, each metric's mean and 95% CI, any error.

    The interval is Student's t over the point's replications (NaN values left out),
    the win rate's clipped to [0, 1]; with fewer than two values it is NaN.
    """
    import pandas as pd

    summary = pd.DataFrame(
        {
            "point": [record["point"] for record in records],
            **{key: [record["parameters"][key] for record in records] for key in keys},
            "replications": [len(record["rows"]) for record in records],
        }
    )
    groups = results.groupby("point")
    for metric in METRICS:
        mean, spread, count = (
            getattr(groups[metric], name)().reindex(summary["point"]).to_numpy()
            for name in ("mean", "std", "count")
        )
        half = half_width(spread, count)  # NaN for points with fewer than two values
        low, high = REGISTRY[metric].clip(mean - half, mean + half)  # a rate's stays in [0, 1]
        summary[metric], summary[f"{metric}_ci_low"], summary[f"{metric}_ci_high"] = mean, low, high
    summary["error"] = [record["error"] or "" for record in records]
    return summary


def _parquet(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()
