"""Sweeps past one machine (issue 18, item 5): points in chunks on Dask, saved in batches.

On a Dask cluster several points go in one task, sized from how long points take, and
their results come back as the tasks complete; the tables are byte for byte those of
the local process pool. Finished points are saved several to a batch file, at once when
they come slowly and at most SAVE_SECONDS late when they come quickly; whatever is held
is saved when the run ends, however it ends.
"""

from __future__ import annotations

import errno
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import grid_sweep, short_scenario

import sim.analysis.executors
import sim.analysis.sweep
from sim.analysis.executors import CHUNK_SECONDS, MAX_CHUNK, chunk_size, run_chunk
from sim.analysis.sweep import POINTS_DIR, TABLES, BatchWriter, run_sweep
from sim.cli import main
from sim.scenario.sweep_file import load_sweep

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SHORT = short_scenario(warmup_days=20, horizon_days=200)
SWEEP = grid_sweep(
    "short.toml",
    2,
    {
        "committee.stallers": [2, 3, 4, 5, 6, 7, 8, 9],
        "marketing.proactive_share": [0.1, 0.3, 0.5, 0.7, 0.9, 0.95],
    },
)
POINTS = 48
CHUNKS: list[int] = []  # the size of each chunk the cluster ran (its workers are threads here)


def counted_chunk(function, chunk):
    CHUNKS.append(len(chunk.tasks))
    return run_chunk(function, chunk)


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask")
    (folder / "short.toml").write_text(SHORT, encoding="utf-8")
    (folder / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    return folder / "sweep.toml"


@pytest.fixture(scope="module")
def pool(sweep_file) -> Path:
    """The sweep run on the local process pool: the bytes to match."""
    out = sweep_file.parent / "pool"
    run_sweep(load_sweep(sweep_file), out, workers=2)
    return out


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=8, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster


def test_eight_workers_give_the_process_pools_bytes_with_several_points_a_task(
    sweep_file, pool, cluster, tmp_path, monkeypatch
):
    monkeypatch.setattr(sim.analysis.executors, "run_chunk", counted_chunk)
    CHUNKS.clear()
    result = CliRunner().invoke(
        main,
        ["sweep", str(sweep_file), "--out", str(tmp_path / "dask"), "--quiet"]
        + ["--scheduler", cluster.scheduler_address],
    )
    assert result.exit_code == 0, result.output
    assert f"{POINTS} points: {POINTS} computed now" in result.output
    assert tables(tmp_path / "dask") == tables(pool)
    assert sum(CHUNKS) == POINTS and CHUNKS[:8] == [1] * 8  # one each, to time them
    assert max(CHUNKS) > 1 and len(CHUNKS) < POINTS  # then several points a task


def fail_at_point_30(sweep, values, point, seed, replications):
    if point == 30:
        raise RuntimeError("the worker lost its disk")
    return sim.analysis.sweep.run_point(sweep.scenario_at(values), point, seed, replications)


def test_a_failed_dask_task_stops_the_sweep_and_resume_finishes_it(
    sweep_file, pool, cluster, tmp_path, monkeypatch
):
    out = tmp_path / "stopped"
    command = ["sweep", str(sweep_file), "--out", str(out), "--quiet"]
    command += ["--scheduler", cluster.scheduler_address]
    monkeypatch.setattr(sim.analysis.sweep, "run_sweep_point", fail_at_point_30)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        "error: a Dask task failed (RuntimeError: the worker lost its disk); finished points "
        f"are saved in {out}; to finish, run the same command with --resume"
    )
    assert "Traceback" not in result.output
    monkeypatch.undo()
    result = CliRunner().invoke(main, [*command, "--resume"])
    assert result.exit_code == 0, result.output
    computed, reused = map(int, re.findall(r"(\d+) computed now, (\d+) from", result.output)[0])
    assert computed + reused == POINTS and reused >= 1  # points taken in before the failure
    assert tables(out) == tables(pool)


def test_chunks_hold_about_a_second_of_work_and_share_the_tail():
    assert chunk_size(None, 1000, 8) == 1  # not timed yet
    assert chunk_size(CHUNK_SECONDS * 2, 1000, 8) == 1  # slow points: one a task
    assert chunk_size(CHUNK_SECONDS / 10, 1000, 8) == 10
    assert chunk_size(1e-6, 100_000, 8) == MAX_CHUNK
    assert chunk_size(0.0, 100_000, 8) == MAX_CHUNK
    assert chunk_size(1e-6, 40, 8) == 5  # the last 40 over 8 workers
    assert chunk_size(1e-6, 3, 8) == 1


# ---------------------------------------------------------------- batches


def batches(folder: Path) -> list[list[int]]:
    """The points of each batch file in `folder/points/`, in the order they were written."""
    return [
        [record["point"] for record in json.loads(path.read_text(encoding="utf-8"))["points"]]
        for path in sorted((folder / POINTS_DIR).glob("batch-*.json"))
    ]


def record(point: int) -> dict:
    return {"point": point, "seed": 1, "rows": [], "error": "x", "parameters": {}}


@pytest.fixture
def writer(tmp_path, monkeypatch) -> BatchWriter:
    monkeypatch.setattr(sim.analysis.sweep, "SAVE_SECONDS", 0.3)
    (tmp_path / POINTS_DIR).mkdir()
    writer = BatchWriter(tmp_path, "identity", "model", 1)
    yield writer
    writer.close()


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.01)


def test_slow_points_are_saved_at_once_and_quick_ones_a_batch_at_most_save_seconds_late(
    writer, tmp_path
):
    writer.add(record(0))
    assert batches(tmp_path) == [[0]]  # the first: at once
    started = time.monotonic()
    writer.add(record(1))
    writer.add(record(2))
    assert batches(tmp_path) == [[0]]  # held: a batch was written just now
    wait_for(lambda: len(batches(tmp_path)) == 2)  # by the timer, with no other point
    assert time.monotonic() - started >= 0.25
    assert batches(tmp_path) == [[0], [1, 2]]
    time.sleep(0.35)  # a point after a quiet spell: at once
    writer.add(record(3))
    assert batches(tmp_path) == [[0], [1, 2], [3]]
    content = json.loads((tmp_path / POINTS_DIR / "batch-000002.json").read_text())
    assert (content["sweep"], content["model"]) == ("identity", "model")
    lines = (tmp_path / POINTS_DIR / "batch-000002.json").read_text().splitlines()
    assert len(lines) == 4  # the head, a point a line, the end


def test_close_saves_what_is_held(writer, tmp_path):
    writer.add(record(0))
    writer.add(record(1))
    writer.close()
    assert batches(tmp_path) == [[0], [1]]
    time.sleep(0.4)  # no timer left to write anything
    assert batches(tmp_path) == [[0], [1]]


def test_a_write_that_fails_on_the_timer_is_raised_by_the_next_add(writer, tmp_path, monkeypatch):
    real = sim.analysis.sweep.write_atomic

    def full(path, content):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    writer.add(record(0))
    monkeypatch.setattr(sim.analysis.sweep, "write_atomic", full)
    writer.add(record(1))
    wait_for(lambda: writer._error is not None)
    with pytest.raises(OSError, match="No space left"):
        writer.add(record(2))
    monkeypatch.setattr(sim.analysis.sweep, "write_atomic", real)  # space was made
    writer.close()
    assert batches(tmp_path) == [[0], [1]]  # nothing held was lost


@pytest.mark.slow  # a script's run: timings and studies stay out of the default suite
def test_throughput_script_smoke_run():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/dask_throughput.py")]
        + ["--points", "300", "--repeat", "1", "--threads"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "300 points x 1 replication (stub model) on a LocalCluster of 2 thread workers" in (
        done.stdout
    )
    assert re.search(r"run 1: client throughput [\d,]+ points/s end to end", done.stdout)
