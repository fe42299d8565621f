"""One sweep at a time in a folder (issue 17): a second writer is refused, no lock outlives its run.

A sweep or sensitivity command holds its --out folder with an exclusive lock (flock) on
the folder itself, for as long as it runs. A second command into the same folder ends
with exit code 2 and one line naming the folder, and changes nothing in it; the
operating system releases the lock when the first one ends, however it ends, so a
later --resume is never blocked by a stale lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import grid_sweep, short_scenario

from sim.analysis.results_folder import ResultsExistError
from sim.analysis.sweep import MANIFEST, hold
from sim.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")

ROOT = Path(__file__).resolve().parent.parent
SHORT = short_scenario(warmup_days=20, horizon_days=200)
GRID = grid_sweep(
    "short.toml",
    1,
    {
        "committee.stallers": [2, 3, 4, 5, 6, 7, 8, 9],
        "marketing.proactive_share": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
    },
)
SALTELLI = """
[sweep]
scenario = "short.toml"
method = "saltelli"
points = 2
replications = 1

[parameters]
"committee.stallers" = { low = 2, high = 6 }
"marketing.proactive_share" = { low = 0.1, high = 0.9 }
"""
REFUSAL = (
    "another sweep or sensitivity command is writing into this folder now; wait until it "
    "ends (then --resume finishes it if it was interrupted), or choose another folder\n"
)


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "short.toml").write_text(SHORT, encoding="utf-8")
    (tmp_path / "grid.toml").write_text(GRID, encoding="utf-8")
    (tmp_path / "saltelli.toml").write_text(SALTELLI, encoding="utf-8")
    return tmp_path


def contents(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_second_sweep_into_a_folder_in_use_is_refused_and_the_first_leaves_no_lock(folder):
    out = folder / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(folder / "grid.toml"), "--out", str(out)]
        + ["--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / MANIFEST).exists():  # written once the first holds the folder
            assert first.poll() is None and time.monotonic() < deadline, "the sweep never started"
            time.sleep(0.01)
        before = contents(out)
        for command in (
            ["sweep", str(folder / "grid.toml"), "--resume"],
            ["sweep", str(folder / "grid.toml"), "--force"],
            ["sensitivity", str(folder / "saltelli.toml")],
        ):
            result = CliRunner().invoke(main, [*command, "--out", str(out), "--workers", "1"])
            assert result.exit_code == 2, result.output
            assert result.output == f"error: --out {out}: {REFUSAL}"
        assert first.poll() is None, "the first sweep ended before the others were refused"
        after = contents(out)  # nothing the first wrote was changed (but its temporary files)
        assert all(after[name] == data for name, data in before.items() if "/." not in name)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # killed: it cannot release anything itself
        first.wait()
    result = CliRunner().invoke(
        main, ["sweep", str(folder / "grid.toml"), "--out", str(out), "--resume", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "80 points: " in result.output


def test_a_held_folder_is_refused_within_one_process_too_and_free_after(folder):
    out = folder / "new" / "out"
    with hold(out):
        assert out.is_dir() and contents(out) == {}  # made, and no lock file in it
        with pytest.raises(ResultsExistError) as refused, hold(out):
            pass
        assert refused.value.path == out
    with hold(out):  # released when the block ended
        pass
    assert list(out.iterdir()) == []


def test_a_file_where_the_folder_should_be_is_refused(folder):
    (folder / "taken").write_text("mine", encoding="utf-8")
    with (
        pytest.raises(ResultsExistError, match="exists and is not a folder"),
        hold(folder / "taken"),
    ):
        pass
    assert (folder / "taken").read_text(encoding="utf-8") == "mine"
