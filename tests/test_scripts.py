"""Smoke runs of the scripts, so they never rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT


def test_benchmark_runs_and_writes_json(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--replications", "2"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "benchmark.json").read_text())
    assert {row["scenario"] for row in rows} == {"baseline", "proactive_stallers", "channel_overlap"}
    assert all(row["ms_per_replication"] > 0 for row in rows)


def test_scenario_table_covers_every_shipped_scenario(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "scenarios.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "scenario_table.py"), "--replications", "1", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    shipped = sorted(path.stem for path in (ROOT / "scenarios").glob("*.toml"))
    page, docs = out.read_text(), (ROOT / "docs" / "scenarios.md").read_text()
    for name in shipped:
        assert f"| `{name}` |" in page and f"| `{name}` |" in docs, name
        assert f"### `{name}`" in docs, name
