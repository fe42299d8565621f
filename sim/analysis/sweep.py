"""Sweeps: every point of a sweep file with its replications, on local cores or a Dask cluster.

Nothing finished is lost: point records are saved in `OUT/points/` as they finish,
several to a file (`batch-NNNNNN.json`, written atomically) but never more than a
second after a point finished, and the tables are always assembled from those files.
A resumed run therefore computes only the missing points and ends with the same bytes
as an uninterrupted one. Each batch file records the identity of its sweep, which
includes the version of the model that computed it (`model_version`), so a resumed run
uses only points of the same sweep computed by the same code; damaged files are
computed again, stray files in `points/` are ignored. Seeds come from the point and
the replication (see `Sweep.seed_of`), never from the order in which work completes,
so the number of workers and the executor (`sim.analysis.executors`) do not change the
results. One run at a time holds a sweep folder: a second one is refused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import math
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.world import simulate_replication
from .executors import SweepStopped, connected, execute, on_dask, worker_threads
from .metrics import REGISTRY, column_metrics
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
SAVE_SECONDS = 1.0  # a finished point is on disk at most this long after it finished
# The code that computes a point, relative to the package: its fingerprint is part of
# the model's version (`model_version`), and so of every sweep's identity.
MODEL_SOURCES = (
    "model",
    "scenario",
    "vocabulary.py",
    "analysis/metrics.py",
    "analysis/money.py",
    "analysis/survival.py",
)
MODEL_LIBRARIES = ("numpy", "scipy", "simpy")  # whose versions may change the numbers too

Task = tuple["Sweep", dict[str, Any], int, int, int]  # (sweep, values, point, seed, replications)
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
    """Simulate one point's replications and return its record; a model error is recorded.

    The record names the version of the model that computed it (`model_version`), so
    that a sweep can refuse points from a Dask worker that runs another version.
    """
    rows = []
    try:
        for replication in range(replications):
            part = simulate_replication(scenario, seed, replication)
            stats = part["stats"]
            rows.append(
                {
                    "replication": replication,
                    **column_metrics(part, scenario),
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
            "model": model_version(),
        }
    return {"point": point, "seed": seed, "rows": rows, "error": None, "model": model_version()}


def run_sweep_point(
    sweep: Sweep, values: dict[str, Any], point: int, seed: int, replications: int
) -> Record:
    """`run_point` of the sweep's point with these values, its scenario made where it runs.

    What a worker is sent: the sweep (once per chunk of points) and each point's few
    values, not a whole scenario each; the client has validated every point already.
    """
    return run_point(sweep.scenario_at(values), point, seed, replications)


def _plain(value: Any) -> Any:
    """A Python number for JSON, also from a numpy scalar."""
    return value.item() if hasattr(value, "item") else value


@functools.cache
def model_version() -> str:
    """The version of what computes a point, e.g. 'committee-sim 0.1.0 (model 1a2b3c4d5e6f), ...'.

    committee-sim's version, a fingerprint of the model's source (`source_fingerprint`
    of MODEL_SOURCES, so that an edited model counts as another version even where the
    version number was not raised) and the versions of the libraries whose random
    numbers and special functions the model uses.
    """
    from importlib import metadata, resources

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"

    model = source_fingerprint(resources.files(__name__.partition(".")[0]), MODEL_SOURCES)
    ours = f"committee-sim {version('committee-sim')} (model {model})"
    return ", ".join([ours, *(f"{name} {version(name)}" for name in MODEL_LIBRARIES)])


def source_fingerprint(package: Any, names: tuple[str, ...]) -> str:
    """The first 12 hex digits of a SHA-256 of the Python files named in `package`.

    `package` is a folder (a Path, or an importlib.resources Traversable); `names` are
    files or folders in it, "/"-separated, a folder standing for every .py file in it
    and its subfolders. Each file counts with its path and its bytes.
    """
    digest = hashlib.sha256()
    for name, data in sorted(_python_files(package, names)):
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()[:12]


def _python_files(package: Any, names: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    for name in names:
        entry = package.joinpath(*name.split("/"))
        if entry.is_dir():
            inside = tuple(
                f"{name}/{child.name}"
                for child in entry.iterdir()
                if child.is_dir() or child.name.endswith(".py")
            )
            yield from _python_files(package, inside)
        elif entry.is_file() and name.endswith(".py"):
            yield name, entry.read_bytes()


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
    finish: Callable[[SweepReport], None] | None = None,
) -> SweepReport:
    """Run (or finish) a sweep into `out` and write its tables; return what was done.

    `progress`, if given, is passed the point records as they finish, the points done
    before and all points, and passes the records on (a progress bar, say). `warn`, if
    given, is passed each warning (a damaged batch file whose points are computed again,
    files in `points/` that are ignored) as soon as it is known; the report lists them
    too. `finish`, if given, is called with the report once the tables are written,
    while `out` is still held by this run (the sensitivity command writes its indices).

    Raises, before any work, ResultsExistError if another run holds `out` (a sweep or
    sensitivity command writing into it now), if `out` holds results and neither
    `resume` nor `force` is given, if `resume` finds a different sweep there (in
    `sweep.json` or in a batch file), points computed by another version of the model
    or by an earlier version of committee-sim, if `sweep.json` is damaged, or if
    `points/` holds a folder named like a batch file; SchedulerError if the scheduler
    cannot be reached; SweepStopped if a worker process dies, a Dask task fails or a
    Dask worker runs another version of the model (finished points are kept: resume).
    An exception raised while it waits, such as KeyboardInterrupt, passes through, with
    the local worker processes terminated and finished points saved.
    """
    design = sweep.design()
    for _ in sweep.each_scenario(design):  # every point valid before anything runs
        pass
    manifest = sweep_manifest(sweep, design)
    identity = sweep_identity(manifest)
    model = manifest["model"]
    with contextlib.ExitStack() as cluster:
        # Connect before touching `out`: a wrong address leaves no trace.
        client = cluster.enter_context(connected(scheduler)) if scheduler else None
        if client is not None and warn is not None and not worker_threads(client):
            warn(
                f"{scheduler}: the scheduler has no workers yet; the sweep waits until some "
                f"join (start them with: dask worker {scheduler})"
            )
        with hold(out, warn):
            saved = prepare_output(out, sweep, manifest, resume=resume, force=force)
            if warn is not None:
                for warning in saved.warnings:
                    warn(warning)
            finished = saved.finished()
            saved.records.clear()  # read again for the tables; not held meanwhile
            tasks: list[Task] = [
                (sweep, design[i], i, sweep.seed_of(i), sweep.replications)
                for i in range(len(design))
                if i not in finished
            ]
            writer = BatchWriter(out, identity, model, saved.next_batch)
            work = None
            try:
                if client is not None:
                    work = on_dask(run_sweep_point, tasks, client)
                else:
                    work = execute(run_sweep_point, tasks, workers)
                records: Iterator[Record] = work
                if progress is not None:
                    records = progress(records, len(finished), len(design))
                for record in records:
                    theirs = record.pop("model", model)
                    if theirs != model:
                        raise SweepStopped(
                            f"a worker runs another version ({theirs}) than this command "
                            f"({model}); install the same version of committee-sim everywhere"
                        )
                    writer.add({**record, "parameters": design[record["point"]]})
            finally:
                if work is not None:
                    work.close()  # if stopped early (Ctrl-C, SIGTERM): stops the workers now
                writer.close()  # saves the points held back for the next batch
                cluster.close()  # disconnects from the scheduler, if connected
            for path in saved.damaged:  # unreadable, and every point is saved elsewhere now
                path.unlink(missing_ok=True)
            failed = write_tables(out, sweep, manifest)
            report = SweepReport(
                out=out,
                points=len(design),
                computed=len(tasks),
                reused=len(finished),
                failed=failed,
                warnings=saved.warnings,
            )
            if finish is not None:
                finish(report)
    return report


def sweep_manifest(sweep: Sweep, design: list[dict[str, Any]]) -> dict[str, Any]:
    """What identifies a sweep's results: `Sweep.manifest` and the model's version.

    Written to `sweep.json`; a resumed run must match it exactly.
    """
    return {**sweep.manifest(design), "model": model_version()}


def sweep_identity(manifest: dict[str, Any]) -> str:
    """What every batch file records as the sweep it belongs to: the SHA-256 of the manifest.

    The manifest is the base scenario, the design, the seeds, the replications and the
    model's version, so two sweeps share an identity only if they would compute the
    same points.
    """
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- one run at a time


@contextlib.contextmanager
def hold(out: Path, warn: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the sweep folder `out` (made if new) for this run alone, until the block ends.

    An exclusive lock (flock) on the folder itself: nothing is written for it, and the
    operating system releases it when the process ends, however it ends, so it never
    outlives its run. Raises ResultsExistError if another run holds `out`. Where the
    file system cannot lock (some network file systems), `warn` is told and the run
    goes on unlocked.
    """
    if out.exists() and not out.is_dir():
        raise ResultsExistError(out, "exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no locks
        yield
        return
    handle = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ResultsExistError(
                out,
                "another sweep or sensitivity command is writing into this folder now",
                "wait until it ends (then {resume} finishes it if it was interrupted), "
                "or choose another folder",
            ) from None
        except OSError as exc:
            if warn is not None:
                warn(
                    f"{out}: cannot be locked ({exc.strerror or exc}); make sure no other "
                    "sweep writes into it at the same time"
                )
        yield
    finally:
        os.close(handle)  # releases the lock


# ---------------------------------------------------------------- the folder


@dataclass
class Saved:
    """What `points/` holds for a sweep: one record per point saved, and what was wrong."""

    records: dict[int, Record] = field(default_factory=dict)  # a finished one where there is one
    warnings: list[str] = field(default_factory=list)
    damaged: list[Path] = field(default_factory=list)  # batch files that could not be read
    next_batch: int = 1  # the number of the next batch file to write

    def finished(self) -> set[int]:
        """The points saved without error."""
        return {point for point, record in self.records.items() if record["error"] is None}


def prepare_output(
    out: Path, sweep: Sweep, manifest: dict[str, Any], resume: bool, force: bool
) -> Saved:
    """Make `out` ready: new, resumed (same sweep only) or, with force, emptied of the old sweep.

    Returns what is saved already (with `resume`) and the warnings to pass on.
    Everything is checked before anything in `out` changes: a refused folder is left as
    it was.
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
    unreadable = [path for path in _ours(out) if not path.is_file()]
    if unreadable:  # it could be neither read nor removed as a file
        what = "a folder" if unreadable[0].is_dir() else "a special file"
        raise ResultsExistError(
            out,
            f"{POINTS_DIR}/{unreadable[0].name} is {what}, not a file of points",
            "move it elsewhere and run again",
        )
    saved = Saved()
    if existing and force:
        remove_sweep(out)
    elif existing:
        old = _old_point_files(out)
        if old:
            more = f" and {len(old) - 1} more" if len(old) > 1 else ""
            raise ResultsExistError(
                out,
                "holds a sweep saved by an earlier version of committee-sim (one file per "
                f"point: {POINTS_DIR}/{old[0].name}{more}), which did not record the version "
                "that computed it, so it cannot be resumed",
                "pass {force} to compute the sweep again, or choose another folder",
            )
        if (out / MANIFEST).exists():
            _check_same_sweep(out, manifest)
        saved = read_saved(out, sweep, manifest)
    strays = _strays(out)
    if strays:
        listed = ", ".join(path.name for path in strays[:5]) + (", ..." if len(strays) > 5 else "")
        saved.warnings.append(
            f"{out / POINTS_DIR}: ignored {len(strays)} file(s) not named like a batch file "
            f"(batch-NNNNNN.json): {listed}"
        )
    for path in _temporary_files(out):  # left by a killed run: never results
        path.unlink(missing_ok=True)
    (out / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(out / MANIFEST, _json(manifest))
    return saved


def sweep_files(out: Path) -> list[str]:
    """The names of sweep results already in `out`."""
    names = [name for name in (*TABLES, *DERIVED) if (out / name).exists()]
    if (out / POINTS_DIR).is_dir() and any(_ours(out)):
        names.append(f"{POINTS_DIR}/")
    return names


def remove_sweep(out: Path) -> None:
    """Delete an earlier sweep's files from `out` (only those: anything else stays)."""
    for name in (MANIFEST, *TABLES, *DERIVED):
        (out / name).unlink(missing_ok=True)
    for path in (*_ours(out), *_temporary_files(out)):
        path.unlink()


MANIFEST_ADVICE = (
    "delete it to resume from the saved points (each batch file records its sweep), "
    "or pass {force} to replace the sweep"
)
AGAIN_ADVICE = "pass {force} to compute the sweep again with this version, or choose another folder"


def _check_same_sweep(out: Path, manifest: dict[str, Any]) -> None:
    path = out / MANIFEST
    if not path.is_file():
        raise ResultsExistError(out, f"{MANIFEST} is not a file", "move it elsewhere and run again")
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError):  # not JSON, not UTF-8 text, or nested too deep
        raise ResultsExistError(out, f"{MANIFEST} is damaged (not JSON)", MANIFEST_ADVICE) from None
    absent = [key for key in manifest if key not in old] if isinstance(old, dict) else []
    if absent == ["model"]:  # written before sweeps recorded the model's version
        raise ResultsExistError(
            out,
            "holds a sweep of an earlier version of committee-sim, which did not record its "
            "version, so it cannot be resumed",
            AGAIN_ADVICE,
        )
    if not isinstance(old, dict) or absent:
        what = f"lacks {', '.join(absent)}" if absent else f"holds {_kind(old)}"
        raise ResultsExistError(
            out, f"{MANIFEST} is damaged (not a sweep description: it {what})", MANIFEST_ADVICE
        )
    differs = [key for key in manifest if key != "model" and old.get(key) != manifest[key]]
    if differs:
        raise ResultsExistError(
            out,
            f"holds a different sweep (other {', '.join(differs)}), so it cannot be resumed",
            "choose another folder, or pass {force} to replace it",
        )
    if old["model"] != manifest["model"]:
        raise ResultsExistError(
            out,
            f"holds a sweep computed by another version ({_shown(old['model'])}; this is "
            f"{manifest['model']}), so it cannot be resumed: its points would not match",
            AGAIN_ADVICE,
        )


def _shown(value: Any) -> str:
    """A version as a message quotes it: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)[:60]


def read_saved(out: Path, sweep: Sweep, manifest: dict[str, Any]) -> Saved:
    """The points saved in `out/points/` for this sweep, and a warning for each damaged part.

    A batch file that cannot be read is noted (its points are computed again); so is a
    record of the wrong shape, unless its point is saved whole elsewhere. A point saved
    twice (a failed point tried again, a batch written again after an interrupt) counts
    once: a record without error rather than one with, else the latest. Raises
    ResultsExistError, never overwriting anything, for points of another sweep: a batch
    file that records another sweep or model version, or a record of a point this sweep
    does not have or with other parameters or seed.
    """
    identity = sweep_identity(manifest)
    design = manifest["points"]
    saved = Saved()
    foreign: list[tuple[Path, str]] = []
    bad: list[tuple[Path, Any, str]] = []  # (file, point if known, problem)
    for path in _batch_files(out):
        saved.next_batch = max(saved.next_batch, _batch_number(path.name) + 1)
        try:
            batch = json.loads(path.read_bytes())
        except (ValueError, RecursionError):  # not JSON, not UTF-8 text, or nested too deep
            batch = _NOT_JSON
        problem = _batch_problem(batch)
        if problem is not None:
            saved.warnings.append(f"{path}: {problem}; the points it held are computed again")
            saved.damaged.append(path)
            continue
        if batch["sweep"] != identity:
            if batch.get("model") != manifest["model"]:
                reason = f"it was computed by another version ({_shown(batch.get('model'))})"
            else:
                reason = "it records another sweep"
            foreign.append((path, reason))
            continue
        for record in batch["points"]:
            problem = _point_problem(record, sweep.replications)
            if problem is not None:
                bad.append(
                    (path, record.get("point") if isinstance(record, dict) else None, problem)
                )
                continue
            point = record["point"]
            if point >= len(design):
                foreign.append((path, f"point {point}: this sweep has {len(design)} points"))
            elif record["seed"] != sweep.seed_of(point) or record["parameters"] != design[point]:
                foreign.append(
                    (path, f"point {point}: its parameters or seed are not those of this sweep")
                )
            elif point not in saved.records or saved.records[point]["error"] is not None:
                saved.records[point] = record  # a finished record is kept, a failed one replaced
    if foreign:
        path, reason = foreign[0]
        others = f" (nor {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise ResultsExistError(
            out,
            f"{POINTS_DIR}/{path.name} holds points that are not of this sweep: {reason}{others}",
            "choose another folder, or pass {force} to replace that sweep",
        )
    finished = saved.finished()
    for path, point, problem in bad:  # a point saved whole elsewhere needs no word
        if isinstance(point, int) and not isinstance(point, bool) and 0 <= point < len(design):
            if point not in finished:
                saved.warnings.append(
                    f"{path}: point {point} {problem}; computing point {point} again"
                )
        elif len(finished) < len(design):  # which point it held, if any, is not known
            saved.warnings.append(f"{path}: a record {problem}; its point is computed again")
    return saved


_NOT_JSON = object()  # what `read_saved` makes of a file that is not JSON
POINT_KEYS = {"point": int, "seed": int, "rows": list, "parameters": dict}


def _batch_problem(batch: Any) -> str | None:
    """What makes a batch file's content no batch of point records, or None."""
    if batch is _NOT_JSON:
        return "not JSON"
    if not isinstance(batch, dict):
        return f"holds {_kind(batch)}, not a batch of points"
    absent = [key for key in ("sweep", "points") if key not in batch]
    if absent:
        return f"not a batch of points (no {', '.join(absent)})"
    if not isinstance(batch["sweep"], str) or not isinstance(batch["points"], list):
        return "not a batch of points (sweep or points of the wrong type)"
    return None


def _point_problem(record: Any, replications: int) -> str | None:
    """What makes a record no whole point record, or None."""
    if not isinstance(record, dict):
        return f"is {_kind(record)}, not a point record"
    absent = [key for key in (*POINT_KEYS, "error") if key not in record]
    if absent:
        return f"is not a point record (no {', '.join(absent)})"
    wrong = [
        key
        for key, kind in POINT_KEYS.items()
        if not isinstance(record[key], kind) or isinstance(record[key], bool)
    ]
    if not isinstance(record["error"], (str, type(None))):
        wrong.append("error")
    if wrong:
        return f"is not a point record ({', '.join(wrong)} of the wrong type)"
    if record["point"] < 0:
        return f"has point number {record['point']}"
    if record["error"] is not None:
        return None  # a failed point: computed again anyway
    rows = record["rows"]
    if not rows:
        return "has no rows and no error"
    if [row.get("replication") if isinstance(row, dict) else None for row in rows] != list(
        range(replications)
    ):
        return f"does not hold replications 0 to {replications - 1}, one row each"
    for row in rows:
        if row.keys() != ROW_KEYS or not all(map(_is_number, row.values())):
            return "has rows with other columns or values that are not numbers"
    return None


ROW_KEYS = {"replication", *ROW_METRICS}
NUMBERS = {int, float, type(None)}  # a metric as JSON holds it: a number (not true or false), null


def _is_number(value: Any) -> bool:
    """Whether a row's value is a number the tables can hold (an integer within 64 bits)."""
    return type(value) in NUMBERS and (type(value) is not int or -(2**63) <= value < 2**63)


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


# ---------------------------------------------------------------- saving points


class BatchWriter:
    """Saves point records in `OUT/points/batch-NNNNNN.json`, several to a file.

    A record is written at once if no batch was written in the last SAVE_SECONDS;
    otherwise it is held for the next batch, written at most SAVE_SECONDS after the
    last one (by a timer thread if no other record comes first). So slow points are
    saved one by one as they finish, and quick ones a file a second, not one a point.
    Each file is written whole or not at all (a temporary file, one fsync, a rename),
    with the sweep's identity and model version. `close` writes what is held: call it
    however the run ends. An error of a write on the timer thread (a full disk) is
    raised by the next `add` or `close`.
    """

    def __init__(self, out: Path, identity: str, model: str, number: int):
        self.folder = out / POINTS_DIR
        self.identity = identity
        self.model = model
        self.number = number  # of the next batch file
        self._held: list[Record] = []
        self._last = -math.inf  # when the last batch was written (time.monotonic)
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._error: Exception | None = None

    def add(self, record: Record) -> None:
        with self._lock:
            if self._error is not None:
                raise self._error
            self._held.append(record)
            wait = self._last + SAVE_SECONDS - time.monotonic()
            if wait <= 0:
                self._write()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self._on_time)
                self._timer.daemon = True
                self._timer.start()

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._held:
                self._write()
            self._error = None  # what it could not write then is written now

    def _on_time(self) -> None:
        with self._lock:
            self._timer = None
            if self._held and self._error is None:
                try:
                    self._write()
                except Exception as exc:  # noqa: BLE001 - raised in the sweep's thread instead
                    self._error = exc

    def _write(self) -> None:
        head = json.dumps({"sweep": self.identity, "model": self.model})[:-1]
        lines = ",\n".join(map(COMPACT.encode, self._held))  # a point a line
        write_atomic(
            self.folder / f"batch-{self.number:06d}.json",
            f'{head}, "points": [\n{lines}\n]}}\n'.encode(),
        )
        self.number += 1
        self._held = []
        self._last = time.monotonic()


COMPACT = json.JSONEncoder(separators=(",", ":"))

# The names in points/: batch-NNNNNN.json (six digits, more only past 999999); NNNNNN.json,
# one point's file, as earlier versions saved points; and write_atomic's temporary
# files, .NAME.XXXXXXXX.tmp, left behind only by a killed run.
BATCH_NAME = re.compile(r"batch-([0-9]{6,})\.json")
OLD_POINT_NAME = re.compile(r"([0-9]{6,})\.json")
TEMPORARY_NAME = re.compile(r"\.(.+)\.\w+\.tmp")


def _is_batch_name(name: str) -> bool:
    return _canonical(BATCH_NAME, name, "batch-{:06d}.json")


def _is_old_point_name(name: str) -> bool:
    return _canonical(OLD_POINT_NAME, name, "{:06d}.json")


def _is_ours(name: str) -> bool:
    return _is_batch_name(name) or _is_old_point_name(name)


def _canonical(pattern: re.Pattern[str], name: str, form: str) -> bool:
    match = pattern.fullmatch(name)
    return match is not None and name == form.format(int(match.group(1)))


def _batch_number(name: str) -> int:
    return int(name.removeprefix("batch-").removesuffix(".json"))


def _batch_files(out: Path) -> list[Path]:
    """The batch files in `out/points/`, in the order they were written."""
    return sorted(
        (path for path in _points_folder(out) if _is_batch_name(path.name)),
        key=lambda path: _batch_number(path.name),
    )


def _old_point_files(out: Path) -> list[Path]:
    """The files in `out/points/` named as earlier versions named one point's file."""
    return sorted(path for path in _points_folder(out) if _is_old_point_name(path.name))


def _ours(out: Path) -> list[Path]:
    """What in `out/points/` is named like a file of points (a folder too: refused)."""
    return sorted(path for path in _points_folder(out) if _is_ours(path.name))


def _strays(out: Path) -> list[Path]:
    """What in `out/points/` is neither a file of points nor a temporary one: never read."""
    return sorted(
        path
        for path in _points_folder(out)
        if not _is_ours(path.name) and not _is_temporary(path.name, _is_ours)
    )


def _temporary_files(out: Path) -> list[Path]:
    """The temporary files a killed run of the sweep left in `out` and `out/points/`."""
    ours = {MANIFEST, *TABLES, *DERIVED}
    found = [
        path
        for path in (out.iterdir() if out.is_dir() else ())
        if _is_temporary(path.name, ours.__contains__)
    ]
    found += [path for path in _points_folder(out) if _is_temporary(path.name, _is_ours)]
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


def write_tables(out: Path, sweep: Sweep, manifest: dict[str, Any]) -> dict[int, str]:
    """Write the tidy results table and the point summary (Parquet, CSV); return failed points.

    They are made of the records saved in `points/` for this sweep (`read_saved`), one
    per point, never of other files.
    """
    saved = read_saved(out, sweep, manifest).records
    missing = [point for point in range(len(manifest["points"])) if point not in saved]
    if missing:
        listed = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
        raise ResultsExistError(
            out,
            f"{POINTS_DIR}/ lacks point(s) {listed} (removed while the sweep ran?)",
            "run the sweep again with {resume}",
        )
    records = [saved[point] for point in range(len(manifest["points"]))]
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

    Every registered metric (`metrics.REGISTRY`, in its order), a count's too: the mean
    of its per-replication values. The interval is Student's t over the point's
    replications (NaN values left out), a rate's clipped to [0, 1]; with fewer than two
    values it is NaN.
    """
    import pandas as pd

    points = [record["point"] for record in records]
    columns: dict[str, Any] = {
        "point": points,
        **{key: [record["parameters"][key] for record in records] for key in keys},
        "replications": [len(record["rows"]) for record in records],
    }
    groups = results.groupby("point")
    for name, metric in REGISTRY.items():
        mean, spread, count = (
            getattr(groups[name], statistic)().reindex(points).to_numpy(dtype=float)
            for statistic in ("mean", "std", "count")
        )
        half = half_width(spread, count)  # NaN for points with fewer than two values
        low, high = metric.clip(mean - half, mean + half)  # a rate's stays in [0, 1]
        columns.update({name: mean, f"{name}_ci_low": low, f"{name}_ci_high": high})
    columns["error"] = [record["error"] or "" for record in records]
    return pd.DataFrame(columns)


def _parquet(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()
