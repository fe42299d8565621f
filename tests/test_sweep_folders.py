"""Damaged sweep folders (issue 17, item 9): what `--resume` accepts, recomputes and refuses.

A damaged point file is computed again with a warning naming it; a folder named like a
point file, a damaged sweep.json and points of another sweep stop the sweep (exit 2)
with one message and leave the folder as it was; files in points/ not named like a
point are ignored with a warning; temporary files of a killed run are removed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import sim.analysis.results_folder
from sim.analysis.sweep import MANIFEST, POINTS_DIR, TABLES, run_sweep, sweep_identity
from sim.cli import main
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
GRID = """
[sweep]
scenario = "base.toml"
method = "grid"
replications = 2
seed = 3

[parameters]
"committee.stallers" = [2, 5]
"marketing.proactive_share" = [0.2, 0.6]
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A short baseline, two grid sweeps of it (seeds 3 and 4) and the first one's results."""
    folder = tmp_path_factory.mktemp("sweeps")
    base = (ROOT / "scenarios/baseline.toml").read_text(encoding="utf-8")
    short = 'name = "baseline"\nhorizon_days = 200\nwarmup_days = 20\n'
    (folder / "base.toml").write_text(base.replace('name = "baseline"\n', short, 1), "utf-8")
    (folder / "sweep.toml").write_text(GRID, encoding="utf-8")
    (folder / "other.toml").write_text(GRID.replace("seed = 3", "seed = 4"), encoding="utf-8")
    run_sweep(load_sweep(folder / "sweep.toml"), folder / "reference", workers=1)
    return folder


@pytest.fixture
def out(made, tmp_path) -> Path:
    """A copy of the finished sweep, to damage."""
    return Path(shutil.copytree(made / "reference", tmp_path / "out"))


def resume(made: Path, out: Path, sweep: str = "sweep.toml", *more: str) -> Result:
    return CliRunner().invoke(
        main, ["sweep", str(made / sweep), "--out", str(out), "--workers", "1", *more]
    )


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path: to see that a refusal changed nothing."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def point(out: Path, index: int) -> Path:
    return out / POINTS_DIR / f"{index:06d}.json"


def edited(out: Path, index: int, change) -> bytes:
    record = json.loads(point(out, index).read_text(encoding="utf-8"))
    change(record)
    return json.dumps(record).encode()


def assert_recomputed(result: Result, made: Path, out: Path, damaged: Path) -> None:
    """Resumed: the damaged point computed again, named in one warning, the tables whole."""
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: {damaged}: ")
    assert "computing point 1 again" in warnings[0]
    assert "1 computed now, 3 from an earlier run" in result.output
    assert tables(out) == tables(made / "reference")


def assert_refused(result: Result, before: dict[str, bytes], out: Path, *fragments: str) -> None:
    """Exit 2 with one line naming the problem and the way out; the folder left as it was."""
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and result.output.startswith(f"error: --out {out}: ")
    assert all(fragment in result.output for fragment in fragments), result.output
    assert contents(out) == before


# ---------------------------------------------------------------- 1, 4: damaged point files

DAMAGED = {
    "empty object": b"{}",
    "null": b"null",
    "array": b"[]",
    "number": b"7",
    "not JSON": b'{"point": 1, "ro',
    "not UTF-8": b"\xff\xfe\x00",
    "empty file": b"",
}
EDITS = {
    "no rows key": lambda record: record.pop("rows"),
    "no error key": lambda record: record.pop("error"),
    "rows not a list": lambda record: record.update(rows={"replication": 0}),
    "seed is text": lambda record: record.update(seed="3"),
    "point is true": lambda record: record.update(point=True),
    "error is a number": lambda record: record.update(error=1),
    "no rows and no error": lambda record: record.update(rows=[]),
    "a replication missing": lambda record: record["rows"].pop(),
    "a metric missing": lambda record: record["rows"][0].pop("win_rate"),
    "a metric as text": lambda record: record["rows"][1].update(win_rate="0.3"),
    "another point's number": lambda record: record.update(point=2),
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_point_file_that_is_not_a_point_record_is_computed_again(made, out, content):
    point(out, 1).write_bytes(content)
    assert_recomputed(resume(made, out, "sweep.toml", "--resume"), made, out, point(out, 1))


@pytest.mark.parametrize("change", EDITS.values(), ids=EDITS.keys())
def test_a_point_record_of_the_wrong_shape_is_computed_again(made, out, change):
    point(out, 1).write_bytes(edited(out, 1, change))
    assert_recomputed(resume(made, out, "sweep.toml", "--resume"), made, out, point(out, 1))


def test_a_point_with_no_rows_and_no_error_is_not_done(made, out):
    point(out, 1).write_bytes(edited(out, 1, lambda record: record.update(rows=[])))
    report = run_sweep(load_sweep(made / "sweep.toml"), out, workers=1, resume=True)
    assert (report.computed, report.reused) == (1, 3)
    assert report.warnings == [
        f"{point(out, 1)}: has no rows and no error; computing point 1 again"
    ]  # data for the caller to show: the analysis layer prints nothing
    assert len(pd.read_csv(out / "results.csv").query("point == 1")) == 2


# ---------------------------------------------------------------- 2: a folder named like a point


@pytest.mark.parametrize("flag", ["--resume", "--force"])
def test_a_folder_named_like_a_point_file_is_refused(made, out, flag):
    point(out, 1).unlink()
    point(out, 1).mkdir()
    (point(out, 1) / "notes.txt").write_text("mine", encoding="utf-8")
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", flag),
        before,
        out,
        "points/000001.json is a folder, not a point file",
        "move it elsewhere",
    )


# ---------------------------------------------------------------- 3: a damaged sweep.json

MANIFESTS = {
    "empty": (b"", "not JSON"),
    "garbage": (b"garbage\n", "not JSON"),
    "not UTF-8": (b"\xff\xfe", "not JSON"),
    "array": (b"[1, 2]", "it holds a JSON array"),
    "null": (b"null", "it holds JSON null"),
    "empty object": (b"{}", "it lacks base, method, parameters"),
}


@pytest.mark.parametrize("content, what", MANIFESTS.values(), ids=MANIFESTS.keys())
def test_a_damaged_sweep_json_stops_the_sweep_with_a_way_out(made, out, content, what):
    (out / MANIFEST).write_bytes(content)
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "sweep.json is damaged",
        what,
        "delete it to resume from the saved points",
        "--force",
    )
    (out / MANIFEST).unlink()  # the way out the message gives: the points still count
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    assert tables(out) == tables(made / "reference")


# ---------------------------------------------------------------- 5: points of another sweep


def test_every_point_records_its_sweep(made, out):
    sweep = load_sweep(made / "sweep.toml")
    identity = sweep_identity(sweep.manifest(sweep.design()))
    assert all(json.loads(point(out, index).read_text())["sweep"] == identity for index in range(4))
    other = load_sweep(made / "other.toml")
    assert sweep_identity(other.manifest(other.design())) != identity


def test_without_sweep_json_another_sweep_is_refused_and_the_same_one_resumed(made, out):
    (out / MANIFEST).unlink()
    before = contents(out)
    assert_refused(
        resume(made, out, "other.toml", "--resume"),
        before,
        out,
        "points/000000.json is not a point of this sweep: it records another sweep",
        "nor are 3 other point files",
        "--force",
    )
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    assert tables(out) == tables(made / "reference")


def test_a_point_of_another_sweep_copied_in_is_refused(made, out, tmp_path):
    run_sweep(load_sweep(made / "other.toml"), tmp_path / "other", workers=1)
    shutil.copy(point(tmp_path / "other", 2), point(out, 2))
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "points/000002.json is not a point of this sweep: it records another sweep",
    )


def test_a_point_beyond_the_design_or_with_other_parameters_is_refused(made, out):
    shutil.copy(point(out, 3), point(out, 7))
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "points/000007.json is not a point of this sweep: this sweep has 4 points",
    )
    point(out, 7).unlink()
    point(out, 2).write_bytes(edited(out, 2, lambda r: r["parameters"].update({"x.y": 1})))
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "points/000002.json is not a point of this sweep: its parameters or seed",
    )


def test_a_point_from_before_identities_counts_only_where_sweep_json_vouches_for_it(made, out):
    point(out, 1).write_bytes(edited(out, 1, lambda record: record.pop("sweep")))
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    (out / MANIFEST).unlink()
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "points/000001.json is not a point of this sweep: it does not record its sweep",
    )


# ---------------------------------------------------------------- 6: stray files in points/

STRAYS = ("000003 copy.json", "0003.json", "0000003.json", "000003.json.bak", "3.json", ".DS_Store")


def test_files_not_named_like_a_point_are_ignored_with_a_warning(made, out):
    for name in STRAYS:
        shutil.copy(point(out, 3), out / POINTS_DIR / name)
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and f"{out / POINTS_DIR}: ignored 6 file(s)" in warnings[0]
    assert "000003 copy.json" in warnings[0]
    assert tables(out) == tables(made / "reference")  # point 3's rows counted once
    assert all((out / POINTS_DIR / name).exists() for name in STRAYS)  # not ours to delete


# ---------------------------------------------------------------- 7: temporary files


def temporary_names(made: Path, tmp_path: Path, monkeypatch) -> list[str]:
    """The temporary files the sweep's writer really makes (as a SIGKILL would leave them)."""
    made_names = []
    replace = sim.analysis.results_folder.os.replace

    def noting(source, target):
        made_names.append(Path(target).parent.name + "/" + Path(source).name)
        replace(source, target)

    monkeypatch.setattr(sim.analysis.results_folder.os, "replace", noting)
    run_sweep(load_sweep(made / "sweep.toml"), tmp_path / "noted", workers=1)
    monkeypatch.undo()
    return made_names


def test_temporary_files_of_a_killed_run_are_removed_and_never_read(
    made, out, tmp_path, monkeypatch
):
    names = temporary_names(made, tmp_path, monkeypatch)
    assert {name.split("/")[0] for name in names} == {POINTS_DIR, "noted"}  # points and tables
    left = [out / name.replace("noted/", "") for name in names]
    for path in left:  # a valid record in each: reading one as a point would show
        path.write_bytes(point(out, 3).read_bytes())
    point(out, 1).unlink()  # killed before point 1 was in place
    mine = out / ".notes.tmp"
    mine.write_text("mine", encoding="utf-8")
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "1 computed now, 3 from an earlier run" in result.output
    assert "warning" not in result.output
    assert not any(path.exists() for path in left) and mine.exists()
    assert tables(out) == tables(made / "reference")
    for path in left[:3]:
        path.write_bytes(b"")
    assert resume(made, out, "other.toml", "--force").exit_code == 0
    assert not any(path.exists() for path in left)
