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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ..scenario.files import shown

if TYPE_CHECKING:
    import pandas as pd

    from .replications import Results

RESULT_FILES = ("deals.csv", "replications.csv", "partners.csv", "reps.csv", "summary.json")
MANIFEST = "manifest.json"  # every result file's size and SHA-256
FOLDER_FILES = (*RESULT_FILES, MANIFEST)  # all a results folder holds
ADDED_LATER = ("reps.csv",)  # result files that folders of earlier versions lack
MAX_MANIFEST_BYTES = 1024 * 1024  # a manifest lists six files in about 700 bytes
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
    """Write the result tables, summary.json and the manifest as one folder.

    `summary` is `summarise(results)`, computed here unless given. The folder appears
    whole or not at all; with `force` it replaces earlier results in one rename.
    """
    from .summary import summarise

    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    contents = {f"{name}.csv": table_csv(getattr(results, name)) for name in TABLES}
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
    except OSError as exc:  # a full disk, say: name the folder asked for, not the hidden one
        if exc.filename is None or str(exc.filename).startswith(str(staged)):
            raise OSError(exc.errno, exc.strerror, str(out_dir)) from None
        raise
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

    Category columns get their labels back and days and hours are float32 again (from
    the four decimals written), as `deal_table` makes them; the scenario is the
    summary's `parameters`, validated again, and the seed the summary's. A table that
    is empty, not CSV, or holds what no run writes (a word where a number belongs, an
    outcome that does not exist) is refused, as is a summary whose count of
    replications is not the table's.
    """
    import pandas as pd

    from ..model.records import CATEGORIES, DEAL_COLUMNS, FLOAT32_COLUMNS
    from ..scenario import validate
    from .replications import Results

    folder = Path(folder)
    summary = read_summary(folder)
    deals = _read_table(folder, "deals.csv", DEAL_COLUMNS, categories=CATEGORIES)
    for name, labels in CATEGORIES.items():
        deals[name] = pd.Categorical(deals[name], categories=list(labels))
    deals = deals.astype(dict.fromkeys(FLOAT32_COLUMNS, "float32"))
    replications = _read_table(folder, "replications.csv", REPLICATION_COLUMNS)
    if len(replications) != summary["replications"]:
        raise ResultsReadError(
            folder,
            f"replications.csv has {len(replications):,} row{'s' * (len(replications) != 1)} "
            f"but summary.json says {summary['replications']:,} replications (damaged, or "
            "from another run)",
            "write the results again with {writer}",
        )
    return Results(
        deals=deals,
        replications=replications,
        # Partner names are text as written: "NA" or "null" is a name, not a missing value.
        partners=_read_table(
            folder,
            "partners.csv",
            PARTNER_COLUMNS,
            text=("partner",),
            dtype={"partner": object},
            keep_default_na=False,
        ),
        scenario=validate(summary["parameters"], source=f"{folder / 'summary.json'} parameters"),
        seed=summary["seed"],
        reps=_read_table(folder, "reps.csv", REP_COLUMNS),
    )


# The columns readers use of the replications and partners tables (deals: all of DEAL_COLUMNS).
REPLICATION_COLUMNS = ("replication",)
PARTNER_COLUMNS = ("replication", "partner", "commission")
REP_COLUMNS = ("replication", "rep", "hired_day", "left_day", "days_in_window")
TABLES = ("deals", "replications", "partners", "reps")  # the result tables, written as CSV


def _read_table(
    folder: Path,
    name: str,
    columns: Iterable[str],
    categories: Mapping[str, Sequence[str]] | None = None,
    text: Sequence[str] = (),
    **options: Any,
) -> pd.DataFrame:
    """A result table, refused unless it is CSV with `columns` and a number in every cell.

    Cells of `categories` columns hold one of their labels instead, and `text` columns
    anything.
    """
    import pandas as pd

    def refuse(problem: str, advice: str = "write the results again with {writer}") -> NoReturn:
        raise ResultsReadError(folder, f"{name} {problem}", advice)

    try:
        table = pd.read_csv(folder / name, **options)
    except pd.errors.EmptyDataError:
        refuse("is empty (damaged?)")
    except (ValueError, pd.errors.ParserError) as exc:  # a UnicodeDecodeError is a ValueError
        refuse(f"is not a CSV table ({str(exc).strip().splitlines()[0][:120]})")
    except MemoryError:  # e.g. gigabytes without a line break, in a folder without a manifest
        refuse("is too large to read into memory (damaged?)")
    absent = [column for column in columns if column not in table.columns]
    if absent:
        refuse(
            f"lacks the column{'s' * (len(absent) > 1)} {', '.join(absent[:5])}"
            + (", ..." if len(absent) > 5 else "")
            + " (written by an earlier version of committee-sim?)",
            "run the scenario again with {writer}",
        )
    categories = categories or {}
    for column in table.columns:
        values = table[column]
        if column in text or not len(values):
            continue
        if column in categories:
            wrong = ~values.isin(list(categories[column]))
            allowed = f"one of {', '.join(categories[column])}"
        elif pd.api.types.is_numeric_dtype(values):
            continue
        else:
            wrong = pd.to_numeric(values, errors="coerce").isna() & values.notna()
            allowed = "a number"
        if wrong.any():
            row = int(wrong.to_numpy().argmax())
            refuse(
                f"has {column} = {shown(_cell(values.iloc[row]))} on line {row + 2}; "
                f"allowed: {allowed} (damaged?)"
            )
    return table


def _cell(value: Any) -> Any:
    """A table's cell as a message quotes it: an empty one as ''."""
    return "" if isinstance(value, float) and math.isnan(value) else value


def read_summary(folder: Path | str) -> dict[str, Any]:
    """The summary of a results folder as it was written: null back to NaN, "inf" to infinity.

    The folder is checked first: every result file present and, where the folder has a
    manifest, each file the one that was written with the others. Then the summary itself:
    JSON holding each figure a run writes (`sim.analysis.summary.summary_shape`), so that a
    damaged file is refused here with one message rather than failing in a picture.
    """
    from .summary import summary_problem

    folder = Path(folder)
    check_folder(folder)
    advice = "write the results again with {writer}"
    try:
        text = (folder / "summary.json").read_text(encoding="utf-8")
        if not text.strip():
            raise ResultsReadError(folder, "summary.json is empty (damaged?)", advice)
        summary = json.loads(text)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, or nested too deep
        reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)[:120]
        raise ResultsReadError(folder, f"summary.json is not JSON ({reason})", advice) from None
    except MemoryError:  # gigabytes, in a folder without a manifest
        too_large = "summary.json is too large to read into memory (damaged?)"
        raise ResultsReadError(folder, too_large, advice) from None
    problem = summary_problem(summary)
    if problem:
        raise ResultsReadError(folder, f"summary.json: {problem}", advice)
    return _restore(summary)


def check_folder(folder: Path) -> None:
    """Refuse a folder that is missing, incomplete, damaged or mixed from several runs."""
    if not folder.is_dir():
        raise ResultsReadError(
            folder, "no such results folder", "give a folder written by {writer}"
        )
    missing = [name for name in RESULT_FILES if not (folder / name).is_file()]
    if missing and set(missing) <= set(ADDED_LATER):
        raise ResultsReadError(
            folder,
            f"has no {', '.join(missing)} (written by an earlier version of committee-sim?)",
            "run the scenario again with {writer}",
        )
    if missing:
        raise ResultsReadError(
            folder,
            f"not a complete results folder, missing {', '.join(missing)}",
            "give a folder written by {writer}",
        )
    manifest = folder / MANIFEST
    if not manifest.exists() and not manifest.is_symlink():
        return  # written before manifests existed: nothing to check against
    try:  # a folder, a link to nowhere or a file far larger than any manifest is damaged too
        if not manifest.is_file() or manifest.stat().st_size > MAX_MANIFEST_BYTES:
            raise ValueError
        listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise ResultsReadError(
            folder, f"{MANIFEST} is damaged", "write the results again with {writer}"
        ) from None
    for name in RESULT_FILES:
        entry = listed.get(name) if isinstance(listed, dict) else None
        size = (folder / name).stat().st_size  # compared first: a file of gigabytes is not read
        if (
            not isinstance(entry, dict)
            or entry.get("bytes") != size
            or entry != {"bytes": size, "sha256": _sha256(folder / name)}
        ):
            raise ResultsReadError(
                folder,
                f"{name} is not the file written with the others (damaged, or from another run)",
                "write the results again with {writer}",
            )


def _sha256(path: Path) -> str:
    """A file's SHA-256, read a block at a time."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


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


def table_csv(table: pd.DataFrame) -> bytes:
    """A result table's CSV file, as `write_results` writes it: the same bytes everywhere."""
    return table.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n").encode()


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file whole or not at all: a crash or Ctrl-C never leaves half a result file.

    Text is written as UTF-8 exactly as given (no newline translation).
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:  # no such folder, no permission: name the file meant
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes files private; results are not
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename in (None, temporary):  # a full disk, say
            raise OSError(exc.errno, exc.strerror, str(path)) from None  # name the file meant
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
