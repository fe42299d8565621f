"""Damaged sweep folders (issue 17, item 9): what `--resume` accepts, recomputes and refuses.

Points are saved in batch files, `points/batch-NNNNNN.json`, several points each. A
batch file that cannot be read is computed again with a warning naming it (and removed
once its points are saved again); so is a record of the wrong shape in a batch. A
folder named like a batch file, a damaged sweep.json, points of another sweep and a
folder saved by an earlier version (one file per point) stop the sweep (exit 2) with
one message and leave the folder as it was; files in points/ not named like a batch
file are ignored with a warning; temporary files of a killed run are removed.

The finished sweep these tests damage is saved one point a batch file (SAVE_SECONDS
= 0): batch-000001.json holds point 0, batch-000002.json point 1, and so on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import sim.analysis.results_folder
import sim.analysis.sweep
from sim.analysis.sweep import (
    MANIFEST,
    POINTS_DIR,
    TABLES,
    model_version,
    run_sweep,
    sweep_identity,
    sweep_manifest,
)
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
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim.analysis.sweep, "SAVE_SECONDS", 0.0)  # a batch file per point
        run_sweep(load_sweep(folder / "sweep.toml"), folder / "reference", workers=1)
        run_sweep(load_sweep(folder / "other.toml"), folder / "other", workers=1)
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


def batch(out: Path, point: int) -> Path:
    """The batch file that holds `point` in the finished sweep (one point a file)."""
    return out / POINTS_DIR / f"batch-{point + 1:06d}.json"


def edited(out: Path, point: int, change) -> bytes:
    """The batch file of `point` with its one record changed."""
    content = json.loads(batch(out, point).read_text(encoding="utf-8"))
    [record] = content["points"]
    change(record)
    return json.dumps(content).encode()


def warnings_of(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("warning:")]


def assert_recomputed(result: Result, made: Path, out: Path, damaged: Path) -> None:
    """Resumed: point 1 computed again, the damage named in one warning, the tables whole."""
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    warnings = warnings_of(result)
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: {damaged}: "), warnings
    assert "1 computed now, 3 from an earlier run" in result.output
    assert tables(out) == tables(made / "reference")


def assert_refused(result: Result, before: dict[str, bytes], out: Path, *fragments: str) -> None:
    """Exit 2 with one line naming the problem and the way out; the folder left as it was."""
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and result.output.startswith(f"error: --out {out}: ")
    assert all(fragment in result.output for fragment in fragments), result.output
    assert contents(out) == before


def test_the_finished_sweep_holds_one_point_a_batch_file(made):
    reference = made / "reference"
    assert sorted(path.name for path in (reference / POINTS_DIR).iterdir()) == [
        batch(reference, point).name for point in range(4)
    ]
    for point in range(4):
        content = json.loads(batch(reference, point).read_text(encoding="utf-8"))
        assert [record["point"] for record in content["points"]] == [point]


# ---------------------------------------------------------------- 1, 4: damaged batch files

DAMAGED = {
    "empty object": (b"{}", "not a batch of points (no sweep, points)"),
    "null": (b"null", "holds JSON null, not a batch of points"),
    "array": (b"[]", "holds a JSON array, not a batch of points"),
    "number": (b"7", "holds a JSON number"),
    "not JSON": (b'{"sweep": "ab", "poi', "not JSON"),
    "not UTF-8": (b"\xff\xfe\x00", "not JSON"),
    "empty file": (b"", "not JSON"),
    "points not a list": (b'{"sweep": "ab", "points": 3}', "of the wrong type"),
}
EDITS = {
    "no rows key": (lambda record: record.pop("rows"), "no rows"),
    "no error key": (lambda record: record.pop("error"), "no error"),
    "rows not a list": (lambda record: record.update(rows={"replication": 0}), "rows of the wrong"),
    "seed is text": (lambda record: record.update(seed="3"), "seed of the wrong type"),
    "point is true": (lambda record: record.update(point=True), "point of the wrong type"),
    "point below 0": (lambda record: record.update(point=-1), "point number -1"),
    "error is a number": (lambda record: record.update(error=1), "error of the wrong type"),
    "no rows and no error": (lambda record: record.update(rows=[]), "no rows and no error"),
    "a replication missing": (lambda record: record["rows"].pop(), "replications 0 to 1"),
    "a metric missing": (lambda record: record["rows"][0].pop("win_rate"), "other columns"),
    "a metric as text": (lambda record: record["rows"][1].update(win_rate="0.3"), "not numbers"),
    "a metric true": (lambda record: record["rows"][1].update(win_rate=True), "not numbers"),
    "a record not an object": (lambda record: record.clear(), "no point"),
}


@pytest.mark.parametrize("content, problem", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_batch_file_that_is_not_a_batch_is_computed_again_and_removed(
    made, out, content, problem
):
    batch(out, 1).write_bytes(content)
    result = resume(made, out, "sweep.toml", "--resume")
    assert_recomputed(result, made, out, batch(out, 1))
    assert f"{problem}" in warnings_of(result)[0]
    assert "the points it held are computed again" in warnings_of(result)[0]
    assert not batch(out, 1).exists()  # its points are saved again: the damage is gone
    again = resume(made, out, "sweep.toml", "--resume")
    assert again.exit_code == 0 and warnings_of(again) == []


@pytest.mark.parametrize("change, problem", EDITS.values(), ids=EDITS.keys())
def test_a_point_record_of_the_wrong_shape_is_computed_again(made, out, change, problem):
    batch(out, 1).write_bytes(edited(out, 1, change))
    result = resume(made, out, "sweep.toml", "--resume")
    assert_recomputed(result, made, out, batch(out, 1))
    assert problem in warnings_of(result)[0] and "again" in warnings_of(result)[0]
    again = resume(made, out, "sweep.toml", "--resume")  # saved whole since: no more warning
    assert again.exit_code == 0 and warnings_of(again) == []


def test_a_point_with_no_rows_and_no_error_is_not_done(made, out):
    batch(out, 1).write_bytes(edited(out, 1, lambda record: record.update(rows=[])))
    report = run_sweep(load_sweep(made / "sweep.toml"), out, workers=1, resume=True)
    assert (report.computed, report.reused) == (1, 3)
    assert report.warnings == [
        f"{batch(out, 1)}: point 1 has no rows and no error; computing point 1 again"
    ]  # data for the caller to show: the analysis layer prints nothing
    assert len(pd.read_csv(out / "results.csv").query("point == 1")) == 2


def test_a_point_saved_twice_counts_once_and_a_finished_record_beats_a_failed_one(made, out):
    failed = {"error": "ZeroDivisionError: model bug", "rows": [], "traceback": "..."}
    shutil.copy(batch(out, 1), out / POINTS_DIR / "batch-000009.json")  # a copy: the same point
    batch(out, 2).write_bytes(edited(out, 2, lambda record: record.update(failed)))
    shutil.copy(batch(made / "reference", 2), out / POINTS_DIR / "batch-000000.json")  # earlier
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    assert tables(out) == tables(made / "reference")


# ---------------------------------------------------------------- 2: a folder named like a batch


@pytest.mark.parametrize("flag", ["--resume", "--force"])
@pytest.mark.parametrize("name", ["batch-000002.json", "000001.json"])
def test_a_folder_named_like_a_file_of_points_is_refused(made, out, flag, name):
    folder = out / POINTS_DIR / name
    folder.unlink(missing_ok=True)
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", flag),
        before,
        out,
        f"points/{name} is a folder, not a file of points",
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


def test_every_batch_file_records_its_sweep_and_model_version(made, out):
    sweep = load_sweep(made / "sweep.toml")
    identity = sweep_identity(sweep_manifest(sweep, sweep.design()))
    for point in range(4):
        content = json.loads(batch(out, point).read_text(encoding="utf-8"))
        assert (content["sweep"], content["model"]) == (identity, model_version())
    other = load_sweep(made / "other.toml")
    assert sweep_identity(sweep_manifest(other, other.design())) != identity


def test_without_sweep_json_another_sweep_is_refused_and_the_same_one_resumed(made, out):
    (out / MANIFEST).unlink()
    before = contents(out)
    assert_refused(
        resume(made, out, "other.toml", "--resume"),
        before,
        out,
        "points/batch-000001.json holds points that are not of this sweep: it records another "
        "sweep (nor 3 more)",
        "--force",
    )
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    assert tables(out) == tables(made / "reference")


def test_a_batch_of_another_sweep_copied_in_is_refused(made, out):
    shutil.copy(batch(made / "other", 2), out / POINTS_DIR / "batch-000007.json")
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "points/batch-000007.json holds points that are not of this sweep: it records another",
    )


REFUSED_EDITS = {
    "beyond the design": (
        lambda record: record.update(point=7),
        "point 7: this sweep has 4 points",
    ),
    "other parameters": (
        lambda record: record["parameters"].update({"committee.stallers": 3}),
        "point 1: its parameters or seed are not those of this sweep",
    ),
    "another point's number": (
        lambda record: record.update(point=2),  # point 1's values, said to be point 2's
        "point 2: its parameters or seed are not those of this sweep",
    ),
    "another seed": (
        lambda record: record.update(seed=4),
        "point 1: its parameters or seed are not those of this sweep",
    ),
}


@pytest.mark.parametrize("change, fragment", REFUSED_EDITS.values(), ids=REFUSED_EDITS.keys())
def test_a_point_the_sweep_does_not_have_is_refused(made, out, change, fragment):
    batch(out, 1).write_bytes(edited(out, 1, change))
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        f"points/batch-000002.json holds points that are not of this sweep: {fragment}",
    )


# ---------------------------------------------------------------- 6: stray files in points/

STRAYS = (
    "batch-000003 copy.json",
    "batch-0003.json",
    "batch-0000003.json",
    "batch-000003.json.bak",
    "batch-3.json",
    "0003.json",
    ".DS_Store",
)


def test_files_not_named_like_a_batch_file_are_ignored_with_a_warning(made, out):
    for name in STRAYS:
        shutil.copy(batch(out, 3), out / POINTS_DIR / name)
    result = resume(made, out, "sweep.toml", "--resume")
    assert result.exit_code == 0 and "0 computed now, 4 from an earlier run" in result.output
    [warning] = warnings_of(result)
    assert f"{out / POINTS_DIR}: ignored 7 file(s) not named like a batch file" in warning
    assert "batch-000003 copy.json" in warning
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

    monkeypatch.setattr(sim.analysis.sweep, "SAVE_SECONDS", 0.0)
    monkeypatch.setattr(sim.analysis.results_folder.os, "replace", noting)
    run_sweep(load_sweep(made / "sweep.toml"), tmp_path / "noted", workers=1)
    monkeypatch.undo()
    return made_names


def test_temporary_files_of_a_killed_run_are_removed_and_never_read(
    made, out, tmp_path, monkeypatch
):
    names = temporary_names(made, tmp_path, monkeypatch)
    assert {name.split("/")[0] for name in names} == {POINTS_DIR, "noted"}  # points and tables
    assert any(name.startswith(f"{POINTS_DIR}/.batch-000002.json.") for name in names)
    left = [out / name.replace("noted/", "") for name in names]
    for path in left:  # a valid batch in each: reading one as points would show
        path.write_bytes(batch(out, 3).read_bytes())
    batch(out, 1).unlink()  # killed before point 1 was in place
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


# ---------------------------------------------------------------- folders of earlier versions


def old_layout(out: Path) -> None:
    """Make `out` as the previous version saved a sweep: a file per point, no model version."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest.pop("model")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    identity = sweep_identity(manifest)
    for point in range(4):
        [record] = json.loads(batch(out, point).read_text(encoding="utf-8"))["points"]
        path = out / POINTS_DIR / f"{point:06d}.json"
        path.write_text(json.dumps({**record, "sweep": identity}, indent=1), encoding="utf-8")
        batch(out, point).unlink()


def test_a_folder_of_an_earlier_version_is_refused_until_replaced(made, out):
    old_layout(out)
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "holds a sweep saved by an earlier version of committee-sim (one file per point: "
        "points/000000.json and 3 more), which did not record the version that computed it, "
        "so it cannot be resumed; pass --force to compute the sweep again",
    )
    result = resume(made, out, "sweep.toml")
    assert result.exit_code == 2 and "already holds sweep results (" in result.output
    assert contents(out) == before
    result = resume(made, out, "sweep.toml", "--force")
    assert result.exit_code == 0 and "4 computed now" in result.output
    assert tables(out) == tables(made / "reference")
    names = sorted(path.name for path in (out / POINTS_DIR).iterdir())
    assert names[0] == "batch-000001.json" and all(name.startswith("batch-") for name in names)


def test_a_sweep_json_of_an_earlier_version_is_refused(made, out):
    old_layout(out)
    for path in (out / POINTS_DIR).iterdir():
        path.unlink()
    shutil.copy(made / "reference" / "results.csv", out / "results.csv")
    before = contents(out)
    assert_refused(
        resume(made, out, "sweep.toml", "--resume"),
        before,
        out,
        "holds a sweep of an earlier version of committee-sim, which did not record its "
        "version, so it cannot be resumed; pass --force",
    )
