"""Every command in docs/experiments.md runs, in order, in a fresh folder, and does what it says."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs/experiments.md"
DOC_ADDRESS = "tcp://127.0.0.1:8786"


def blocks(language: str) -> list[str]:
    return re.findall(
        rf"^```{language}\n(.*?)^```",
        DOC.read_text(encoding="utf-8"),
        flags=re.MULTILINE | re.DOTALL,
    )


def shell(script: str, cwd: Path) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def folder(tmp_path) -> Path:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    return tmp_path


def test_every_example_runs(folder):
    """The sh blocks in order (an interruption simulated before --resume), the Python blocks,
    then the documented --scheduler command, pointed at a LocalCluster: it gives the local
    run's tables."""
    from distributed import LocalCluster

    points = folder / "results/my_sweep/points"
    for script in blocks("sh"):
        if (
            "--resume" in script
        ):  # as if Ctrl-C had stopped the sweep: drop half the finished points
            for path in points.glob("batch-*.json"):
                batch = json.loads(path.read_text(encoding="utf-8"))
                batch["points"] = [record for record in batch["points"] if record["point"] % 2]
                path.write_text(json.dumps(batch), encoding="utf-8")
        output = shell(script, folder)
        if "--resume" in script:
            assert "32 points: 16 computed now, 16 from an earlier run" in output
    comparison = json.loads((folder / "comparison.json").read_text())
    assert {"a", "b", "diff"} <= set(comparison)
    assert (folder / "results/my_sweep/sensitivity.png").exists()
    code = "\n".join(blocks("python"))  # one session, as a reader would type them
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{code}\n{done.stderr}"
    assert "0 32 {}" in done.stdout  # the Python API finds the finished sweep
    [dask] = [block for block in blocks("console") if "--scheduler" in block]
    [command] = [line for line in dask.splitlines() if line.startswith("committee-sim")]
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        shell(command.replace(DOC_ADDRESS, cluster.scheduler_address), folder)
    for name in ("results.parquet", "point_summary.csv"):
        assert (folder / "results/my_sweep_dask" / name).read_bytes() == (
            folder / "results/my_sweep" / name
        ).read_bytes()
