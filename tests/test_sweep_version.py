"""A sweep's identity includes the version of the model (issue 17): versions never mix.

`model_version` names committee-sim's version, a fingerprint of the model's source and
the versions of numpy, SciPy and SimPy. It is part of `sweep.json` and of the identity
each batch file records, so resuming a sweep computed by another version is refused
with one message (exit 2), and --force computes it again; a Dask worker that runs
another version stops the sweep before any of its points is saved.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import grid_sweep

import sim.analysis.sweep
from sim.analysis.sweep import (
    MANIFEST,
    MODEL_SOURCES,
    POINTS_DIR,
    TABLES,
    model_version,
    run_sweep,
    source_fingerprint,
    sweep_identity,
    sweep_manifest,
)
from sim.cli import main
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
SWEEP = grid_sweep(
    (ROOT / "scenarios/baseline.toml").as_posix(),
    1,
    {
        "committee.stallers": [2, 5],
        "scenario.horizon_days": [100.0],
        "scenario.warmup_days": [10.0],
    },
)
OTHER = "committee-sim 0.0.9 (model 0123456789ab), numpy 1.26.0, scipy 1.15.0, simpy 4.1.1"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("versions")
    (folder / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    run_sweep(load_sweep(folder / "sweep.toml"), folder / "reference", workers=1)
    return folder


@pytest.fixture
def out(made, tmp_path) -> Path:
    return Path(shutil.copytree(made / "reference", tmp_path / "out"))


def sweep(made: Path, out: Path, *more: str) -> Result:
    return CliRunner().invoke(
        main, ["sweep", str(made / "sweep.toml"), "--out", str(out), "--workers", "1", *more]
    )


def contents(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_model_version_names_the_package_the_source_and_the_libraries():
    version = model_version()
    assert version.startswith(
        f"committee-sim {importlib.metadata.version('committee-sim')} (model "
    )
    for library in ("numpy", "scipy", "simpy"):
        assert f"{library} {importlib.metadata.version(library)}" in version
    package = Path(sim.analysis.sweep.__file__).parent.parent
    assert f"(model {source_fingerprint(package, MODEL_SOURCES)})" in version


def test_the_fingerprint_changes_with_the_models_source_only(tmp_path):
    package = tmp_path / "sim"
    shutil.copytree(
        Path(sim.analysis.sweep.__file__).parent.parent,
        package,
        ignore=shutil.ignore_patterns("*.pyc"),
    )
    before = source_fingerprint(package, MODEL_SOURCES)
    (package / "model" / "__pycache__").mkdir(exist_ok=True)
    (package / "model" / "__pycache__" / "world.cpython-311.pyc").write_bytes(b"\0")
    (package / "model" / "notes.txt").write_text("not code", encoding="utf-8")
    (package / "cli.py").write_text("# not the model\n", encoding="utf-8")
    assert source_fingerprint(package, MODEL_SOURCES) == before
    with (package / "model" / "world.py").open("a", encoding="utf-8") as stream:
        stream.write("\n# edited\n")
    assert source_fingerprint(package, MODEL_SOURCES) != before
    (package / "model" / "world.py").unlink()
    assert source_fingerprint(package, MODEL_SOURCES) != before


def test_the_sweep_identity_includes_the_model_version(made, monkeypatch):
    loaded = load_sweep(made / "sweep.toml")
    manifest = sweep_manifest(loaded, loaded.design())
    assert manifest["model"] == model_version()
    assert json.loads((made / "reference" / MANIFEST).read_text())["model"] == model_version()
    monkeypatch.setattr(sim.analysis.sweep, "model_version", lambda: OTHER)
    other = sweep_manifest(loaded, loaded.design())
    assert other == {**manifest, "model": OTHER}
    assert sweep_identity(other) != sweep_identity(manifest)


def test_resuming_a_sweep_of_another_version_is_refused_and_force_computes_it_again(
    made, out, monkeypatch
):
    monkeypatch.setattr(sim.analysis.sweep, "model_version", lambda: OTHER)  # an upgrade
    before = contents(out)
    result = sweep(made, out, "--resume")
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"error: --out {out}: holds a sweep computed by another version ({model_version()}; "
        f"this is {OTHER}), so it cannot be resumed: its points would not match; pass --force "
        "to compute the sweep again with this version, or choose another folder\n"
    )
    assert contents(out) == before
    (out / MANIFEST).unlink()  # the points alone say it too
    before = contents(out)
    result = sweep(made, out, "--resume")
    assert result.exit_code == 2 and result.output.startswith(
        f"error: --out {out}: points/batch-000001.json holds points that are not of this sweep: "
        f"it was computed by another version ({model_version()})"
    )
    assert contents(out) == before
    result = sweep(made, out, "--force")
    assert result.exit_code == 0 and "2 computed now, 0 from an earlier run" in result.output
    assert json.loads((out / MANIFEST).read_text())["model"] == OTHER


def test_a_worker_of_another_version_stops_the_sweep_before_its_points_are_saved(
    made, tmp_path, monkeypatch
):
    real = sim.analysis.sweep.run_sweep_point

    def elsewhere(*task):
        return {**real(*task), "model": OTHER}

    monkeypatch.setattr(sim.analysis.sweep, "run_sweep_point", elsewhere)
    out = tmp_path / "mixed"
    result = sweep(made, out)
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"error: a worker runs another version ({OTHER}) than this command ({model_version()}); "
        "install the same version of committee-sim everywhere; finished points are saved in "
        f"{out}; to finish, run the same command with --resume\n"
    )
    assert list((out / POINTS_DIR).iterdir()) == [] and not any(
        (out / name).exists() for name in TABLES
    )
