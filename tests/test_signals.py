"""Stopping a sweep from outside: SIGTERM stops it as Ctrl-C does, and no process outlives it.

The sweeps run as real commands in a session of their own, so that every process they
start (the forkserver, the resource tracker, the workers) can be found in /proc by its
session id, and killed in the end whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import alive_in_session, grid_sweep, short_scenario

import sim.analysis.sweep
from sim.analysis.sweep import POINTS_DIR, TABLES, run_sweep
from sim.cli import main
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
# The baseline over a short window (about 30 ms a replication): 40 points, a few seconds.
SHORT = short_scenario(warmup_days=200, horizon_days=565)
SWEEP = grid_sweep(
    "short.toml",
    2,
    {
        "committee.stallers": [2, 3, 4, 5, 6, 7, 8, 9],
        "marketing.proactive_share": [0.1, 0.3, 0.5, 0.7, 0.9],
    },
)
POINTS = 40
GONE_WITHIN = 5.0  # seconds

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


@pytest.fixture
def sweep_file(tmp_path) -> Path:
    (tmp_path / "short.toml").write_text(SHORT, encoding="utf-8")
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP, encoding="utf-8")
    return path


def gone_within(session: int, seconds: float) -> list[str]:
    """Wait up to `seconds` for the session to be empty; what is still alive then."""
    deadline = time.monotonic() + seconds
    while (alive := alive_in_session(session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def records_saved(out: Path) -> list[dict]:
    """The point records saved in OUT/points/ (several to a batch file), in point order."""
    records = [
        record
        for path in (out / POINTS_DIR).glob("batch-*.json")
        for record in json.loads(path.read_text(encoding="utf-8"))["points"]
    ]
    return sorted(records, key=lambda record: record["point"])


def points_saved(out: Path) -> list[int]:
    return [record["point"] for record in records_saved(out)]


def start_sweep(sweep_file: Path, out: Path, stderr) -> subprocess.Popen:
    command = [sys.executable, "-m", "sim", "sweep", str(sweep_file), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=stderr,  # a file, not a pipe: a surviving process would hold a pipe open
        start_new_session=True,
        cwd=sweep_file.parent,
    )


def wait_for_points(process: subprocess.Popen, out: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(points_saved(out)) < count and process.poll() is None:
        assert time.monotonic() < deadline, "the sweep saved no points in 60 s"
        time.sleep(0.005)
    assert process.poll() is None, "the sweep ended before it could be interrupted"


def end_session(process: subprocess.Popen) -> None:
    """Whatever happened: kill what is left of the sweep's session, and reap the sweep."""
    with contextlib.suppress(ProcessLookupError):  # the session is empty already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_sigterm_stops_the_sweep_like_ctrl_c_and_leaves_no_process(sweep_file, tmp_path):
    out = tmp_path / "stopped"
    with open(tmp_path / "stderr.txt", "w+", encoding="utf-8") as stderr:
        process = start_sweep(sweep_file, out, stderr)
        try:
            wait_for_points(process, out, 1)  # the first is saved at once, the next within 1 s
            assert len(alive_in_session(process.pid)) >= 4  # the sweep, server, tracker, a worker
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
            left = gone_within(process.pid, GONE_WITHIN)
        finally:
            end_session(process)
        stderr.seek(0)
        message = stderr.read()
    assert code == 143, message
    assert message == (
        f"interrupted: finished points are saved in {out}; "
        "to finish, run the same command with --resume\n"
    )
    assert left == []
    saved = points_saved(out)
    assert 1 <= len(saved) < POINTS, "the signal came too late to interrupt the sweep"
    assert len(set(saved)) == len(saved)  # each point once
    names = [path.name for path in (out / POINTS_DIR).iterdir()]
    assert all(re.fullmatch(r"batch-[0-9]{6}\.json", name) for name in names), names
    for record in records_saved(out):  # whole point records, no half-written files
        assert record["error"] is None and len(record["rows"]) == 2

    result = CliRunner().invoke(
        main, ["sweep", str(sweep_file), "--out", str(out), "--resume", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert f"{POINTS - len(saved)} computed now, {len(saved)} from an earlier run" in result.output
    whole = tmp_path / "whole"
    run_sweep(load_sweep(sweep_file), whole, workers=1)
    assert {name: (out / name).read_bytes() for name in TABLES} == {
        name: (whole / name).read_bytes() for name in TABLES
    }


def test_workers_end_with_a_sweep_killed_with_sigkill(sweep_file, tmp_path):
    out = tmp_path / "killed"
    process = start_sweep(sweep_file, out, subprocess.DEVNULL)
    try:
        wait_for_points(process, out, 1)
        assert len(alive_in_session(process.pid)) >= 4
        process.kill()  # the sweep only: it can do nothing about it
        process.wait(timeout=30)
        assert gone_within(process.pid, GONE_WITHIN) == []
    finally:
        end_session(process)


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers are set in the main thread only",
)
def test_sigterm_in_a_single_process_sweep_keeps_finished_points(sweep_file, tmp_path, monkeypatch):
    real = sim.analysis.sweep.run_point

    def terminated_at_point_2(scenario, point, seed, replications):
        if point == 2:
            signal.raise_signal(signal.SIGTERM)
        return real(scenario, point, seed, replications)

    def not_handled(signum, frame):  # if the command set no handler: fail, do not end pytest
        raise AssertionError("SIGTERM reached the handler that was set before the command")

    monkeypatch.setattr(sim.analysis.sweep, "run_point", terminated_at_point_2)
    before = signal.signal(signal.SIGTERM, not_handled)
    try:
        out = tmp_path / "stopped"
        result = CliRunner().invoke(
            main, ["sweep", str(sweep_file), "--out", str(out), "--workers", "1"]
        )
        assert signal.getsignal(signal.SIGTERM) is not_handled  # put back as it was
    finally:
        signal.signal(signal.SIGTERM, before)
    assert result.exit_code == 143, result.output
    assert result.output.startswith("interrupted: ") and "--resume" in result.output
    assert points_saved(out) == [0, 1]  # saved on the signal, not held back for a batch
