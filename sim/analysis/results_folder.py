"""Results folders: tables and summary.json, written atomically, never over results; read back."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .replications import Results

RESULT_FILES = ("deals.csv", "replications.csv", "partners.csv", "summary.json")
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
    """Refuse, before any work is done, to overwrite results unless forced."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ResultsExistError(out_dir, "exists and is not a folder")
    existing = [name for name in RESULT_FILES if (out_dir / name).exists()]
    if existing and not force:
        raise ResultsExistError(
            out_dir,
            f"already holds results ({', '.join(existing)})",
            "choose another folder or pass {force} to replace them",
        )


def write_results(
    out_dir: Path | str,
    results: Results,
    summary: dict[str, Any] | None = None,
    force: bool = False,
) -> None:
    """Write the three result tables and summary.json; each file appears whole or not at all.

    `summary` is `summarise(results)`, computed here unless given.
    """
    from .summary import summarise

    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("deals", "replications", "partners"):
        table = getattr(results, name)
        write_atomic(
            out_dir / f"{name}.csv",
            table.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n"),
        )
    write_atomic(
        out_dir / "summary.json",
        summary_json(summary if summary is not None else summarise(results)),
    )


TEXT_KEYS = frozenset({"scenario", "name", "description", "base"})  # summary values that stay text


def read_results(folder: Path | str) -> Results:
    """Read a folder written by `write_results` back into Results.

    Category columns get their labels back, as `deal_table` makes them; the scenario
    is the summary's `parameters`, validated again, and the seed the summary's.
    """
    import pandas as pd

    from ..model.records import CATEGORIES
    from ..scenario import validate
    from .replications import Results

    folder = Path(folder)
    summary = read_summary(folder)
    deals = pd.read_csv(folder / "deals.csv")
    for name, labels in CATEGORIES.items():
        deals[name] = pd.Categorical(deals[name], categories=list(labels))
    return Results(
        deals=deals,
        replications=pd.read_csv(folder / "replications.csv"),
        partners=pd.read_csv(folder / "partners.csv", dtype={"partner": object}),
        scenario=validate(summary["parameters"], source=f"{folder / 'summary.json'} parameters"),
        seed=int(summary["seed"]),
    )


def read_summary(folder: Path | str) -> dict[str, Any]:
    """The summary of a results folder as it was written: null back to NaN, "inf" to infinity."""
    folder = Path(folder)
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
    return _restore(json.loads((folder / "summary.json").read_text(encoding="utf-8")))


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
