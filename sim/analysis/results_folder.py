"""Writing results: the result tables and summary.json, atomically, never over existing results."""

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


class ResultsExistError(Exception):
    """The output folder already holds results and --force was not given."""


def check_writable(out_dir: Path, force: bool) -> None:
    """Refuse, before any work is done, to overwrite results unless forced."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ResultsExistError(f"--out {out_dir}: exists and is not a folder")
    existing = [name for name in RESULT_FILES if (out_dir / name).exists()]
    if existing and not force:
        raise ResultsExistError(
            f"--out {out_dir}: already holds results ({', '.join(existing)}); "
            "choose another folder or pass --force to replace them"
        )


def write_results(
    out_dir: Path, results: Results, summary: dict[str, Any], force: bool = False
) -> None:
    """Write the three result tables and summary.json; each file appears whole or not at all."""
    check_writable(out_dir, force)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("deals", "replications", "partners"):
        table = getattr(results, name)
        write_atomic(
            out_dir / f"{name}.csv",
            table.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n"),
        )
    write_atomic(out_dir / "summary.json", summary_json(summary))


class ResultsReadError(Exception):
    """A results folder is missing or lacks a result file."""


TEXT_KEYS = frozenset({"scenario", "name", "description", "base"})  # summary values that stay text


def read_results(folder: Path) -> tuple[Results, dict[str, Any]]:
    """Read a folder written by `write_results` back: its tables and its summary.

    Category columns get their labels back, as `deal_table` makes them; in the
    summary, null becomes NaN and "inf" infinity again, as they were before writing.
    """
    import pandas as pd

    from ..model.records import CATEGORIES
    from .replications import Results

    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsReadError(
            f"{folder}: no such results folder; give a folder written by committee-sim run --out"
        )
    missing = [name for name in RESULT_FILES if not (folder / name).is_file()]
    if missing:
        raise ResultsReadError(
            f"{folder}: not a complete results folder, missing {', '.join(missing)}; "
            "give a folder written by committee-sim run --out"
        )
    deals = pd.read_csv(folder / "deals.csv")
    for name, labels in CATEGORIES.items():
        deals[name] = pd.Categorical(deals[name], categories=list(labels))
    tables = Results(
        deals=deals,
        replications=pd.read_csv(folder / "replications.csv"),
        partners=pd.read_csv(folder / "partners.csv", dtype={"partner": object}),
    )
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return tables, _restore(summary)


def _restore(value: Any, key: str = "") -> Any:
    """Undo `_clean`: null to NaN, "inf" to infinity (leaving names and descriptions alone)."""
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
    return json.dumps(_clean(summary), indent=2, allow_nan=False) + "\n"


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"  # JSON has no infinity; TOML reads `inf` back
        return None if math.isnan(value) else round(value, 6)
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
