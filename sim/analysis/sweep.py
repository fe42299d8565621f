"""Sweeps: every point of a sweep file with its replications, on local cores or a Dask cluster.

Nothing finished is lost: each point is written to `OUT/points/` (atomically) as soon
as it completes, and the tables are always assembled from those files. A resumed
run therefore computes only the missing points and ends with the same bytes as an
uninterrupted one. Each point file records the identity of its sweep, so a resumed run
uses only points of the same sweep; damaged ones are computed again, stray files in
`points/` are ignored. Seeds come from the point and the replication (see
`Sweep.seed_of`), never from the order in which work completes, so the number of
workers and the executor (`sim.analysis.executors`) do not change the results.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
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
    warnings: list[str] = field(default_factory=list)  # damaged or ignored files, one line each


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
    warn: Callable[[str], None] | None = None,
) -> SweepReport:
    """Run (or finish) a sweep into `out` and write its tables; return what was done.

    `progress`, if given, is passed the point records as they finish, the points done
    before and all points, and passes the records on (a progress bar, say). `warn`, if
    given, is passed each warning (a damaged point file computed again, files in
    `points/` that are ignored) as soon as it is known; the report lists them too.

    Raises, before any work, ResultsExistError if `out` holds results and neither
    `resume` nor `force` is given, if `resume` finds a different sweep there (in
    `sweep.json` or in a point file), if `sweep.json` is damaged, or if `points/`
    holds a folder named like a point file; SchedulerError if the scheduler cannot be
    reached; SweepStopped if a worker process dies (finished points are kept: resume).
    An exception raised while it waits, such as KeyboardInterrupt, passes through, with
    the local worker processes terminated and finished points kept.
    """
    design = sweep.design()
    scenarios = sweep.scenarios(design)
    manifest = sweep.manifest(design)
    identity = sweep_identity(manifest)
    # Connect before touching `out`: a wrong address leaves no trace.
    client = connect(scheduler) if scheduler else None
    work = None
    try:
        finished, warnings = prepare_output(out, sweep, manifest, resume=resume, force=force)
        if warn is not None:
            for warning in warnings:
                warn(warning)
        tasks = [
            (scenarios[i], i, sweep.seed_of(i), sweep.replications)
            for i in range(len(design))
            if i not in finished
        ]
        work = on_dask(run_point, tasks, client) if client else execute(run_point, tasks, workers)
        records: Iterator[Record] = work
        if progress is not None:
            records = progress(records, len(finished), len(design))
        for record in records:
            save_point(out, record, design[record["point"]], identity)
    finally:
        if work is not None:
            work.close()  # if stopped early (Ctrl-C, SIGTERM): stops the workers now
        if client:
            client.close()
    failed = write_tables(out, sweep, len(design))
    return SweepReport(
        out=out,
        points=len(design),
        computed=len(tasks),
        reused=len(finished),
        failed=failed,
        warnings=warnings,
    )


def sweep_identity(manifest: dict[str, Any]) -> str:
    """What every point file records as the sweep it belongs to: the SHA-256 of the manifest.

    The manifest is the base scenario, the design, the seeds and the replications, so
    two sweeps share an identity only if they would compute the same points.
    """
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def prepare_output(
    out: Path, sweep: Sweep, manifest: dict[str, Any], resume: bool, force: bool
) -> tuple[set[int], list[str]]:
    """Make `out` ready: new, resumed (same sweep only) or, with force, emptied of the old sweep.

    Returns the points already finished and the warnings to pass on. Everything is
    checked before anything in `out` changes: a refused folder is left as it was.
    """
    if out.exists() and not out.is_dir():
        raise ResultsExistError(out, "exists and is not a folder")
    if (out / POINTS_DIR).exists() and not (out / POINTS_DIR).is_dir():
        raise ResultsExistError(
            out, f"{POINTS_DIR} is a file, not a folder", "move it elsewhere and run again"
        )
    existing = sweep_files(out)
    if existing and not (resume or force):
        raise ResultsExistError(
            out,
            f"already holds sweep results ({', '.join(existing)})",
            "pass {resume} to finish that sweep, or {force} to replace it, "
            "or choose another folder",
        )
    unreadable = [path for path in _point_files(out) if not path.is_file()]
    if unreadable:  # it could be neither read nor replaced by the point
        what = "a folder" if unreadable[0].is_dir() else "a special file"
        raise ResultsExistError(
            out,
            f"{POINTS_DIR}/{unreadable[0].name} is {what}, not a point file",
            "move it elsewhere and run again",
        )
    finished: set[int] = set()
    warnings: list[str] = []
    if existing and force:
        remove_sweep(out)
    elif existing:
        vouched = (out / MANIFEST).exists()
        if vouched:
            _check_same_sweep(out, manifest)
        finished, warnings = _saved_points(out, sweep, manifest, vouched)
    strays = _strays(out)
    if strays:
        listed = ", ".join(path.name for path in strays[:5]) + (", ..." if len(strays) > 5 else "")
        warnings.append(
            f"{out / POINTS_DIR}: ignored {len(strays)} file(s) not named like a point file "
            f"(NNNNNN.json): {listed}"
        )
    for path in _temporary_files(out):  # left by a killed run: never results
        path.unlink(missing_ok=True)
    (out / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(out / MANIFEST, _json(manifest))
    return finished, warnings


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
    for path in (*_point_files(out), *_temporary_files(out)):
        path.unlink()


MANIFEST_ADVICE = (
    "delete it to resume from the saved points (each records its sweep), "
    "or pass {force} to replace the sweep"
)


def _check_same_sweep(out: Path, manifest: dict[str, Any]) -> None:
    path = out / MANIFEST
    if not path.is_file():
        raise ResultsExistError(out, f"{MANIFEST} is not a file", "move it elsewhere and run again")
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # not JSON, or not UTF-8 text
        raise ResultsExistError(out, f"{MANIFEST} is damaged (not JSON)", MANIFEST_ADVICE) from None
    absent = [key for key in manifest if key not in old] if isinstance(old, dict) else []
    if not isinstance(old, dict) or absent:
        what = f"lacks {', '.join(absent)}" if absent else f"holds {_kind(old)}"
        raise ResultsExistError(
            out, f"{MANIFEST} is damaged (not a sweep description: it {what})", MANIFEST_ADVICE
        )
    differs = [key for key in manifest if old.get(key) != manifest[key]]
    if differs:
        raise ResultsExistError(
            out,
            f"holds a different sweep (other {', '.join(differs)}), so it cannot be resumed",
            "choose another folder, or pass {force} to replace it",
        )


def _saved_points(
    out: Path, sweep: Sweep, manifest: dict[str, Any], vouched: bool
) -> tuple[set[int], list[str]]:
    """The points saved without error, and a warning for each damaged file (computed again).

    A point file that belongs to another sweep is refused, never overwritten: it
    records the identity of its sweep, or, if written before point files did, is
    vouched for only by a matching `sweep.json` (`vouched`).
    """
    identity = sweep_identity(manifest)
    done: set[int] = set()
    warnings: list[str] = []
    foreign: list[tuple[Path, str]] = []
    for path in _point_files(out):
        point = int(path.name.removesuffix(".json"))
        if point >= len(manifest["points"]):
            foreign.append((path, f"this sweep has {len(manifest['points'])} points"))
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:  # not JSON, or not UTF-8 text
            record = _NOT_JSON
        problem = _point_problem(record, point, sweep.replications)
        if problem is not None:
            warnings.append(f"{path}: {problem}; computing point {point} again")
            continue
        recorded = record.get("sweep")
        if recorded is None and not vouched:
            foreign.append(
                (path, f"it does not record its sweep (an earlier version?) and {MANIFEST} is gone")
            )
        elif recorded is not None and recorded != identity:
            foreign.append((path, "it records another sweep"))
        elif (
            record["seed"] != sweep.seed_of(point)
            or record["parameters"] != manifest["points"][point]
        ):
            foreign.append((path, f"its parameters or seed are not those of point {point}"))
        elif record["error"] is None:
            done.add(point)
    if foreign:
        path, reason = foreign[0]
        others = f" (nor are {len(foreign) - 1} other point files)" if len(foreign) > 1 else ""
        raise ResultsExistError(
            out,
            f"{POINTS_DIR}/{path.name} is not a point of this sweep: {reason}{others}",
            "choose another folder, or pass {force} to replace that sweep",
        )
    return done, warnings


_NOT_JSON = object()  # what `_saved_points` makes of a file that is not JSON
POINT_KEYS = {"point": int, "seed": int, "rows": list, "parameters": dict}


def _point_problem(record: Any, point: int, replications: int) -> str | None:
    """What makes a point file's content no whole point record of `point`, or None."""
    if record is _NOT_JSON:
        return "not JSON"
    if not isinstance(record, dict):
        return f"holds {_kind(record)}, not a point record"
    absent = [key for key in (*POINT_KEYS, "error") if key not in record]
    if absent:
        return f"not a point record (no {', '.join(absent)})"
    wrong = [
        key
        for key, kind in POINT_KEYS.items()
        if not isinstance(record[key], kind) or isinstance(record[key], bool)
    ]
    if not isinstance(record["error"], (str, type(None))):
        wrong.append("error")
    if not isinstance(record.get("sweep", ""), str):
        wrong.append("sweep")
    if wrong:
        return f"not a point record ({', '.join(wrong)} of the wrong type)"
    if record["point"] != point:
        return f"records point {record['point']}, not {point}"
    if record["error"] is not None:
        return None  # a failed point: computed again anyway
    rows = record["rows"]
    if not rows:
        return "has no rows and no error"
    if [row.get("replication") if isinstance(row, dict) else None for row in rows] != list(
        range(replications)
    ):
        return f"does not hold replications 0 to {replications - 1}, one row each"
    if any(set(row) != ROW_KEYS or not all(map(_is_number, row.values())) for row in rows):
        return "has rows with other columns or values that are not numbers"
    return None


ROW_KEYS = {"replication", *ROW_METRICS}


def _is_number(value: Any) -> bool:
    """A metric as JSON holds it: a number, or null."""
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _kind(value: Any) -> str:
    """What a parsed JSON value is: "JSON null", "a JSON array", ..."""
    names = {
        dict: "a JSON object",
        list: "a JSON array",
        str: "a JSON string",
        bool: "JSON true or false",
        type(None): "JSON null",
    }
    return names.get(type(value), "a JSON number")


def save_point(
    out: Path, record: dict[str, Any], parameters: dict[str, Any], identity: str
) -> None:
    """Write one point's record to OUT/points/NNNNNN.json, whole or not at all.

    Besides the record, the file holds the point's parameters and the identity of its
    sweep (`sweep_identity`), which a resumed run checks.
    """
    write_atomic(
        _point_path(out, record["point"]),
        _json({**record, "parameters": parameters, "sweep": identity}),
    )


def _point_path(out: Path, point: int) -> Path:
    return out / POINTS_DIR / f"{point:06d}.json"


# The names the sweep writes: points/NNNNNN.json (six digits, more only past 999999), and
# write_atomic's temporary files, .NAME.XXXXXXXX.tmp, left behind only by a killed run.
POINT_NAME = re.compile(r"[0-9]{6,}\.json")
TEMPORARY_NAME = re.compile(r"\.(.+)\.\w+\.tmp")


def _is_point_name(name: str) -> bool:
    return bool(POINT_NAME.fullmatch(name)) and name == f"{int(name[:-5]):06d}.json"


def _point_files(out: Path) -> list[Path]:
    """What in `out/points/` is named exactly like a point file (a folder too: refused)."""
    return sorted(path for path in _points_folder(out) if _is_point_name(path.name))


def _strays(out: Path) -> list[Path]:
    """What in `out/points/` is neither a point file nor a temporary one: never read."""
    return sorted(
        path
        for path in _points_folder(out)
        if not _is_point_name(path.name) and not _is_temporary(path.name, _is_point_name)
    )


def _temporary_files(out: Path) -> list[Path]:
    """The temporary files a killed run of the sweep left in `out` and `out/points/`."""
    ours = {MANIFEST, *TABLES, *DERIVED}
    found = [
        path
        for path in (out.iterdir() if out.is_dir() else ())
        if _is_temporary(path.name, ours.__contains__)
    ]
    found += [path for path in _points_folder(out) if _is_temporary(path.name, _is_point_name)]
    return sorted(path for path in found if path.is_file() and not path.is_symlink())


def _is_temporary(name: str, of: Callable[[str], bool]) -> bool:
    match = TEMPORARY_NAME.fullmatch(name)
    return match is not None and of(match.group(1))


def _points_folder(out: Path) -> list[Path]:
    folder = out / POINTS_DIR
    return list(folder.iterdir()) if folder.is_dir() else []


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1) + "\n").encode()


# ---------------------------------------------------------------- tables


def write_tables(out: Path, sweep: Sweep, points: int) -> dict[int, str]:
    """Write the tidy results table and the point summary (Parquet, CSV); return failed points.

    They are made of the files of points 0 to `points` - 1 only, never of other files.
    """
    records = [
        json.loads(_point_path(out, point).read_text(encoding="utf-8")) for point in range(points)
    ]
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
