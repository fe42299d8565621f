"""Results folders: tables and summary.json, written as one unit, never over results; read back.

A results folder is written whole into a hidden sibling and moved into place with one
rename, so a reader sees the old folder or the new one, never a mix, and an interrupt
or a full disk leaves the old one untouched. `manifest.json` lists every file with its
size and SHA-256; readers check it and refuse a damaged or mixed folder. When two
writers race for the same new folder, the rename decides: one of them gets it, the
other is refused as if the folder had existed from the start.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .replications import Results

RESULT_FILES = ("deals.csv", "replications.csv", "partners.csv", "summary.json")
MANIFEST = "manifest.json"  # every result file's size and SHA-256
FOLDER_FILES = (*RESULT_FILES, MANIFEST)  # all a results folder holds
CSV_FLOAT_FORMAT = "%.4f"
SUMMARY_DIGITS = 6  # decimals of the numbers in summary.json


class PathError(Exception):
    """A problem with a file or folder the caller named: its `path`, the `problem`, and `advice`.

    The advice names the caller's options as placeholders, {force}, {resume} and
    {writer}; `message` fills them in. Python callers read keyword arguments there
    (`force=True`); the command line names its flags instead.
    """

    WORDS = {"force": "force=True", "resume": "resume=True", "writer": "sim.write_results"}

    def __init__(self, path: Path | str, problem: str, advice: str = ""):
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(self.message())

    def message(self, subject: str | None = None, **words: str) -> str:
        """'SUBJECT: problem; advice', the subject being the path unless given."""
        text = f"{self.path if subject is None else subject}: {self.problem}"
        return text + (f"; {self.advice.format(**{**self.WORDS, **words})}" if self.advice else "")


class ResultsExistError(PathError):
    """Where results are to be written already holds results (or cannot hold them)."""


class ResultsReadError(PathError):
    """A results folder is missing or lacks a result file."""


def check_writable(out_dir: Path, force: bool) -> None:
    """Refuse, before any work is done, a place where results cannot or may not go.

    Results go into a new folder, an empty one, or (with `force`) one that holds
    nothing but earlier results; a folder with other files is never replaced.
    """
    _check_path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ResultsExistError(out_dir, "exists and is not a folder")
    if not out_dir.exists():
        return
    present = sorted(path.name for path in out_dir.iterdir())
    existing = [name for name in present if name in FOLDER_FILES]
    others = [name for name in present if name not in FOLDER_FILES]
    if others:
        listed = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise ResultsExistError(
            out_dir,
            f"holds files that are not results ({listed})",
            "choose a new or empty folder",
        )
    if existing and not force:
        raise ResultsExistError(
            out_dir,
            f"already holds results ({', '.join(existing)})",
            "choose another folder or pass {force} to replace them",
        )


def _check_path(out_dir: Path) -> None:
    """Refuse, before any computing, a folder that could not be created or written.

    What the operating system alone can tell (a name too long for the file system)
    surfaces as its own error, which the command line turns into one message.
    """
    if "\x00" in str(out_dir):
        raise ResultsExistError(out_dir, "the path contains a NUL byte")
    ancestor = out_dir
    while not ancestor.exists():
        if ancestor.is_symlink():
            raise ResultsExistError(out_dir, f"{ancestor} is a broken or looping symbolic link")
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ResultsExistError(out_dir, f"{ancestor} is a file, not a folder")
    folder = out_dir if out_dir.exists() else ancestor
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ResultsExistError(out_dir, f"{folder} cannot be written (permission or read-only)")


def write_results(
    out_dir: Path | str,
    results: Results,
    summary: dict[str, Any] | None = None,
    force: bool = False,
) -> None:
    """Write the three result tables, summary.json and the manifest as one folder.

    `summary` is `summarise(results)`, computed here unless given. The folder appears
    whole or not at all; with `force` it replaces earlier results in one rename.
    """
    from .summary import summarise

    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    contents = {
        f"{name}.csv": getattr(results, name)
        .to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
        .encode("utf-8")
        for name in ("deals", "replications", "partners")
    }
    contents["summary.json"] = summary_json(
        summary if summary is not None else summarise(results)
    ).encode("utf-8")
    contents[MANIFEST] = manifest_json(contents)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    try:
        for name, data in contents.items():
            _write_synced(staged / name, data)
        os.chmod(staged, 0o777 & ~_umask())  # mkdtemp makes folders private; results are not
        _swap_in(staged, out_dir, force)
    finally:
        shutil.rmtree(staged, ignore_errors=True)  # gone already when the swap succeeded


def manifest_json(contents: dict[str, bytes]) -> bytes:
    """The manifest: each result file's size in bytes and SHA-256, in a fixed order."""
    files = {
        name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in contents.items()
    }
    return (json.dumps({"files": files}, indent=2) + "\n").encode("utf-8")


def _swap_in(staged: Path, out_dir: Path, force: bool) -> None:
    """Move the staged folder into place; the rename itself decides any race with a writer."""
    try:
        os.rename(staged, out_dir)  # takes a new or empty folder in one step
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if not force:  # another writer got there first
        raise ResultsExistError(
            out_dir,
            "already holds results (written while this run was computing)",
            "choose another folder or pass {force} to replace them",
        )
    check_writable(out_dir, force)  # still nothing but results: safe to replace
    old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".old"))
    os.rename(out_dir, old / "results")  # kept until the new folder is in place
    try:
        os.rename(staged, out_dir)
    except BaseException:
        os.rename(old / "results", out_dir)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o666 & ~_umask())


TEXT_KEYS = frozenset({"scenario", "name", "description", "base"})  # summary values that stay text


def read_results(folder: Path | str) -> Results:
    """Read a folder written by `write_results` back into Results.

    Category columns get their labels back, as `deal_table` makes them; the scenario
    is the summary's `parameters`, validated again, and the seed the summary's.
    """
    import pandas as pd

    from ..model.records import CATEGORIES, DEAL_COLUMNS
    from ..scenario import validate
    from .replications import Results

    folder = Path(folder)
    summary = read_summary(folder)
    deals = pd.read_csv(folder / "deals.csv")
    absent = [name for name in DEAL_COLUMNS if name not in deals.columns]
    if absent:
        raise ResultsReadError(
            folder,
            f"deals.csv lacks the columns {', '.join(absent[:5])}"
            + (", ..." if len(absent) > 5 else "")
            + " (written by an earlier version of committee-sim?)",
            "run the scenario again with {writer}",
        )
    for name, labels in CATEGORIES.items():
        deals[name] = pd.Categorical(deals[name], categories=list(labels))
    return Results(
        deals=deals,
        replications=pd.read_csv(folder / "replications.csv"),
        # Partner names are text as written: "NA" or "null" is a name, not a missing value.
        partners=pd.read_csv(
            folder / "partners.csv", dtype={"partner": object}, keep_default_na=False
        ),
        scenario=validate(summary["parameters"], source=f"{folder / 'summary.json'} parameters"),
        seed=int(summary["seed"]),
    )


def read_summary(folder: Path | str) -> dict[str, Any]:
    """The summary of a results folder as it was written: null back to NaN, "inf" to infinity.

    The folder is checked first: every result file present and, where the folder has a
    manifest, each file the one that was written with the others.
    """
    folder = Path(folder)
    check_folder(folder)
    return _restore(json.loads((folder / "summary.json").read_text(encoding="utf-8")))


def check_folder(folder: Path) -> None:
    """Refuse a folder that is missing, incomplete, damaged or mixed from several runs."""
    if not folder.is_dir():
        raise ResultsReadError(
            folder, "no such results folder", "give a folder written by {writer}"
        )
    missing = [name for name in RESULT_FILES if not (folder / name).is_file()]
    if missing:
        raise ResultsReadError(
            folder,
            f"not a complete results folder, missing {', '.join(missing)}",
            "give a folder written by {writer}",
        )
    if not (folder / MANIFEST).is_file():
        return  # written before manifests existed: nothing to check against
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        raise ResultsReadError(
            folder, f"{MANIFEST} is damaged", "write the results again with {writer}"
        ) from None
    for name in RESULT_FILES:
        data = (folder / name).read_bytes()
        entry = listed.get(name) if isinstance(listed, dict) else None
        if entry != {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}:
            raise ResultsReadError(
                folder,
                f"{name} is not the file written with the others (damaged, or from another run)",
                "write the results again with {writer}",
            )


def _restore(value: Any, key: str = "") -> Any:
    """Undo `json_values`: null to NaN, "inf" to infinity (leaving names and descriptions alone)."""
    if isinstance(value, dict):
        return {name: _restore(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, key) for item in value]
    if value is None:
        return math.nan
    if key not in TEXT_KEYS and value in ("inf", "-inf"):
        return float(value)
    return value


def summary_json(summary: dict[str, Any]) -> str:
    """Stable JSON text: rounded floats, NaN as null, infinity as "inf", fixed key order."""
    return json.dumps(json_values(summary, SUMMARY_DIGITS), indent=2, allow_nan=False) + "\n"


def json_values(value: Any, digits: int | None = None) -> Any:
    """`value` made of what JSON holds: NaN as None, infinity as "inf" (which TOML reads back).

    Floats are rounded to `digits` decimals if given; tuples become lists.
    """
    if isinstance(value, dict):
        return {key: json_values(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_values(item, digits) for item in value]
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return None
        return value if digits is None else round(value, digits)
    return value


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file whole or not at all: a crash or Ctrl-C never leaves half a result file.

    Text is written as UTF-8 exactly as given (no newline translation).
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes files private; results are not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
