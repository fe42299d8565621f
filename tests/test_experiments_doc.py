"""Every command in docs/experiments.md runs, in order, in a fresh folder, and does what it says."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import documented, shell

from sim.analysis.sweep import TABLES
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs/experiments.md"
DOC_ADDRESS = "tcp://127.0.0.1:8786"
QUICK_WINDOW = "\n[scenario]\nwarmup_days = 365\nhorizon_days = 730\n"


def blocks(language: str) -> list[str]:
    return re.findall(
        rf"^```{language}\n(.*?)^```",
        DOC.read_text(encoding="utf-8"),
        flags=re.MULTILINE | re.DOTALL,
    )


@pytest.fixture
def folder(tmp_path) -> Path:
    """A fresh folder with the shipped scenarios, the baseline (and so every scenario built
    on it) over a year's warm-up and a year's window: the commands do the same with any
    window, in a fraction of the time."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    baseline = tmp_path / "scenarios" / "baseline.toml"
    text = baseline.read_text(encoding="utf-8")
    assert text.count("\n[scenario]\n") == 1  # (a window it set too would be a duplicate key)
    baseline.write_text(text.replace("\n[scenario]\n", QUICK_WINDOW), encoding="utf-8")
    return tmp_path


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def cluster_command() -> str:
    """The documented `sweep --scheduler` command (shown, not run, by the doc: it needs a
    cluster)."""
    [dask] = [block for block in blocks("console") if "--scheduler" in block]
    [command] = [line for line in dask.splitlines() if line.startswith("committee-sim")]
    return command


def test_every_example_runs(folder):
    """The sh blocks in order (an interruption simulated before --resume: the resumed
    tables are the uninterrupted run's, byte for byte), then the Python blocks."""
    out = folder / "results/my_sweep"
    uninterrupted: dict[str, bytes] = {}
    for script in blocks("sh"):
        if "--resume" in script:  # as if Ctrl-C had stopped the sweep: drop half the points
            uninterrupted = tables(out)
            for path in (out / "points").glob("batch-*.json"):
                batch = json.loads(path.read_text(encoding="utf-8"))
                batch["points"] = [record for record in batch["points"] if record["point"] % 2]
                path.write_text(json.dumps(batch), encoding="utf-8")
        output = documented(script, folder)
        if "--resume" in script:
            assert "32 points: 16 computed now, 16 from an earlier run" in output
            changed = [name for name, data in tables(out).items() if data != uninterrupted[name]]
            assert not changed, f"--resume wrote other {changed} than the uninterrupted run"
    comparison = json.loads((folder / "comparison.json").read_text())
    assert {"a", "b", "diff"} <= set(comparison)
    assert (out / "sensitivity.png").exists()
    code = "\n".join(blocks("python"))  # one session, as a reader would type them
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{code}\n{done.stderr}"
    assert "0 32 {}" in done.stdout  # the Python API finds the finished sweep


def test_the_cluster_command_is_a_sweep_command_with_these_options():
    """What the slow test below runs, parsed: tests/test_sweep.py checks that a sweep on a
    LocalCluster gives the local run's tables."""
    program, name, *args = shlex.split(cluster_command())
    assert program == "committee-sim" and name == "sweep"
    command = main.get_command(click.Context(main), name)
    assert command is not None
    with command.make_context(name, args) as context:
        assert context.params["scheduler"] == DOC_ADDRESS
        assert context.params["sweep_file"] == Path("my_sweep.toml")


@pytest.mark.slow
def test_the_cluster_command_gives_the_local_tables(folder):
    """The documented --scheduler command, pointed at a LocalCluster, after the local sweep
    of the same file: the same tables."""
    from distributed import LocalCluster

    for script in blocks("sh"):
        if "my_sweep" in script and "sensitivity" not in script and "--resume" not in script:
            shell(script, folder)  # the sweep file, then the local sweep
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        shell(cluster_command().replace(DOC_ADDRESS, cluster.scheduler_address), folder)
    for name in ("results.parquet", "point_summary.csv"):
        assert (folder / "results/my_sweep_dask" / name).read_bytes() == (
            folder / "results/my_sweep" / name
        ).read_bytes()
