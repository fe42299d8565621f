"""A full disk (issue 17): one message naming the path, nothing half-written, --resume finishes.

Each test mounts a small tmpfs (512 KiB) in its tmp_path and fills it with a file that
leaves only a few KiB free: a normal results folder of two baseline replications is
about 220 KiB, a 40-point sweep about 90 KiB. Mounting needs root (and a system that lets
root mount, which some containers do not): elsewhere the tests are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import grid_sweep, short_scenario

from sim.analysis.results_folder import read_results
from sim.analysis.sweep import MANIFEST, POINTS_DIR, TABLES
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
BASELINE = (ROOT / "scenarios" / "baseline.toml").as_posix()
DISK_KIB = 512
FULL = "No space left on device"
TINY = ["--set", "scenario.warmup_days=0", "--set", "scenario.horizon_days=60"]  # 8 KiB
SHORT = short_scenario(warmup_days=0, horizon_days=30)
SWEEP = grid_sweep(
    "short.toml",
    2,
    {
        "committee.stallers": [2, 3, 4, 5, 6, 7, 8, 9],
        "marketing.proactive_share": [0.1, 0.3, 0.5, 0.7, 0.9],
    },
)


@pytest.fixture
def disk(tmp_path) -> Iterator[Path]:
    """A tmpfs of DISK_KIB mounted at tmp_path/disk, unmounted in the end; skip where we may not."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_KIB}k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], check=False).returncode:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, free_kib: int) -> Path:
    """A file that leaves `free_kib` KiB of the disk free; delete it to free the space."""
    filler = disk / "filler"
    with filler.open("wb") as stream:
        stream.write(b"\0" * ((DISK_KIB - free_kib) * 1024))
    return filler


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [os.fspath(arg) for arg in args])


def machine_error(result: Result, path: Path) -> None:
    """Exit code 1 and one line naming `path` (or a file in it) and the full disk."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert "\n" not in message, message
    assert message.startswith(f"error: {path}") and message.endswith(FULL), message


def test_a_run_that_fills_the_disk_leaves_nothing_behind(disk):
    fill(disk, free_kib=64)
    out = disk / "out"
    machine_error(invoke("run", BASELINE, "-n", "2", "--workers", "1", "--out", out), out)
    assert sorted(path.name for path in disk.iterdir()) == ["filler"]  # no folder, no staging


def test_a_forced_run_that_fills_the_disk_keeps_the_old_results(disk):
    out = disk / "out"
    assert invoke("run", BASELINE, "-n", "1", "--workers", "1", *TINY, "--out", out).exit_code == 0
    old = {path.name: path.read_bytes() for path in out.iterdir()}
    fill(disk, free_kib=64)
    args = ["run", BASELINE, "-n", "2", "--workers", "1", "--out", out, "--force"]
    machine_error(invoke(*args), out)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == old
    assert sorted(path.name for path in disk.iterdir()) == ["filler", "out"]
    assert read_results(out).seed == 1  # whole: its manifest checks out


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    """The sweep file, and its tables computed on a disk with room (in `reference/`)."""
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "short.toml").write_text(SHORT, encoding="utf-8")
    (folder / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    done = invoke("sweep", folder / "sweep.toml", "--out", folder / "reference", "--workers", "1")
    assert done.exit_code == 0, done.output
    return folder / "sweep.toml"


@pytest.mark.parametrize(
    "free_kib",
    [
        8,  # full at the first batch of points
        24,  # full at the second batch: the first is kept
        64,  # full at the tables: every point is kept
    ],
)
def test_a_sweep_that_fills_the_disk_keeps_its_points_and_resumes(disk, sweep_file, free_kib):
    filler = fill(disk, free_kib)
    out = disk / "sweep"
    args = ["sweep", sweep_file, "--out", out, "--workers", "1", "--quiet"]
    machine_error(invoke(*args), out)
    for batch in (out / POINTS_DIR).iterdir():  # whole files only, no temporary ones
        assert batch.name.startswith("batch-"), batch.name
        assert json.loads(batch.read_bytes())["points"], batch.name
    assert json.loads((out / MANIFEST).read_bytes())["points"]
    filler.unlink()
    resumed = invoke(*args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    reference = sweep_file.parent / "reference"
    for name in TABLES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
