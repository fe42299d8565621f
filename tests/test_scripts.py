"""Smoke runs of the scripts, so they never rot."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT


def test_benchmark_smoke_run_prints_the_ratio_last_and_writes_json(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--smoke"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"ratio \d+\.\d\d", done.stdout.splitlines()[-1])
    figures = json.loads((tmp_path / "benchmark.json").read_text())
    assert figures["ratio"] == pytest.approx(
        figures["baseline"]["events_per_s"] / figures["bare_simpy"]["deal_loop_events_per_s"]
    )
    for name in ("baseline", "channel_overlap"):
        assert figures[name]["events_per_s"] > 0 and figures[name]["deals_per_s"] > 0
    assert [row["factor"] for row in figures["arrival_scaling"]["rows"]] == [1, 4, 16]
    assert [row["committee"] for row in figures["committee_scaling"]["rows"]] == [4, 7, 10, 15, 20]
    # More leads mean more deals; bigger committees the same deals (common random numbers).
    deals = [row["deals"] for row in figures["arrival_scaling"]["rows"]]
    assert deals[0] < deals[1] < deals[2]
    assert len({row["deals"] for row in figures["committee_scaling"]["rows"]}) == 1
    assert figures["memory"]["deals"] >= 2_000 and figures["memory"]["peak_rss_mb"] > 0
    assert set(figures["startup_s"]) == {"help", "validate"}
    assert 0 < figures["vectorised"]["win_rate"] < 1


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
