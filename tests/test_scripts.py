"""Smoke runs of the scripts, so they never rot."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT


def run_benchmark(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--smoke", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # a script's run: timings and studies stay out of the default suite
def test_benchmark_smoke_run_prints_the_speed_last_and_writes_json(tmp_path):
    done = run_benchmark(tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"speed \d+\.\d\d", done.stdout.splitlines()[-1])
    figures = json.loads((tmp_path / "benchmark.json").read_text())
    shipped = figures["headline"]["baseline_shipped"]
    assert figures["speed"] == pytest.approx(
        shipped["minimal_simpy"]["ms_per_replication"] / shipped["model"]["ms_per_replication"]
    )
    assert "as shipped" in figures["speed_scenario"] and "as shipped" in done.stdout
    assert shipped["warmup_days"] > 0 and shipped["horizon_days"] > shipped["warmup_days"]
    assert set(figures["headline"]) == {
        "baseline_one_year",
        "baseline_shipped",
        "channel_overlap_shipped",
    }
    for run in figures["headline"].values():
        for kind in ("model", "minimal_simpy", "bare_loop"):
            assert run[kind]["ms_per_replication"] > 0 and run[kind]["deals_per_s"] > 0
            assert len(run["seconds"][kind]) == figures["rounds"]
            assert run["events_per_replication"][kind] > 0
        # The shape is the model's run with the logic taken out: every deal arrives, starts
        # its patience timer and qualifies or waits, and some queue for marketing.
        shape = run["shape"]
        assert shape["timeouts_per_replication"] >= 3 * run["deals_per_replication"]
        assert 0 < shape["marketing_visits_per_replication"] < shape["timeouts_per_replication"]
    assert [row["factor"] for row in figures["arrival_scaling"]["rows"]] == [1, 4, 16]
    assert [row["committee"] for row in figures["committee_scaling"]["rows"]] == [4, 7, 10, 15, 20]
    # More leads mean more deals; bigger committees the same deals (common random numbers).
    deals = [row["deals"] for row in figures["arrival_scaling"]["rows"]]
    assert deals[0] < deals[1] < deals[2]
    assert len({row["deals"] for row in figures["committee_scaling"]["rows"]}) == 1
    assert figures["memory"]["deals"] >= 2_000 and figures["memory"]["peak_rss_mb"] > 0
    assert set(figures["startup_s"]) == {"help", "validate"}
    assert 0 < figures["vectorised"]["win_rate"] < 1


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow  # a script's run: timings and studies stay out of the default suite
def test_benchmark_ab_smoke_times_the_tree_against_head_and_removes_its_worktree(tmp_path):
    try:
        _git("rev-parse", "--verify", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs git and a git checkout with a commit")
    done = run_benchmark(tmp_path, "--ab", "HEAD", "--out", "ab.json")
    assert done.returncode == 0, done.stderr
    head = _git("rev-parse", "--short", "HEAD").strip()
    assert re.fullmatch(
        rf"ratio working tree / {head}: \d+\.\d\d \(median of rounds; rounds "
        r"\d+\.\d\d to \d+\.\d\d\)",
        done.stdout.splitlines()[-1],
    )
    figures = json.loads((tmp_path / "ab.json").read_text())
    assert figures["revision_commit"] == head
    for tree in ("current", "revision"):
        assert len(figures[tree]["deals_per_s"]) == figures["rounds"] == 2
        assert figures[tree]["deals_per_replication"] > 0
    assert "committee-sim-ab-" not in _git("worktree", "list")


def test_scenario_table_covers_every_shipped_scenario(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "scenarios.md"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "scenario_table.py"),
            "--replications",
            "1",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    shipped = sorted(path.stem for path in (ROOT / "scenarios").glob("*.toml"))
    page, docs = out.read_text(), (ROOT / "docs" / "scenarios.md").read_text()
    for name in shipped:
        assert f"| `{name}` |" in page and f"| `{name}` |" in docs, name
        assert f"### `{name}`" in docs, name
