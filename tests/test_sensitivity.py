"""Sobol sensitivity indices from a Saltelli sweep, and `committee-sim sensitivity`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.sensitivity import sobol_indices
from sim.analysis.sweep import SweepReport
from sim.cli import main
from sim.scenario import ScenarioError
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
BASELINE = (ROOT / "scenarios/baseline.toml").as_posix()


def saltelli_file(tmp_path: Path, points: int, parameters: str, replications: int = 2) -> Path:
    path = tmp_path / "sobol.toml"
    path.write_text(
        f"""
[sweep]
scenario = "{BASELINE}"
method = "saltelli"
points = {points}
replications = {replications}
seed = 2

[parameters]
{parameters}
""",
        encoding="utf-8",
    )
    return path


def test_indices_of_a_known_function(tmp_path):
    """Win rate depends on one parameter only, cycle length on the other: the indices say so."""
    sweep = load_sweep(
        saltelli_file(
            tmp_path,
            256,
            '"marketing.proactive_share" = { low = 0.0, high = 0.9 }\n'
            '"leads.disqualify_probability" = { low = 0.0, high = 0.5 }',
        )
    )
    design = sweep.design()
    share = np.array([point["marketing.proactive_share"] for point in design])
    disqualify = np.array([point["leads.disqualify_probability"] for point in design])
    pd.DataFrame(
        {"point": range(len(design)), "win_rate": share, "cycle_days_median": 100 + disqualify**2}
    ).to_parquet(tmp_path / "point_summary.parquet")
    indices = sobol_indices(
        sweep, SweepReport(out=tmp_path, points=len(design), computed=0, reused=0)
    )
    table = indices.set_index(["output", "parameter"])
    assert table.loc[("win_rate", "marketing.proactive_share"), "S1"] == pytest.approx(1.0, abs=0.1)
    assert table.loc[("win_rate", "leads.disqualify_probability"), "ST"] == pytest.approx(
        0.0, abs=0.05
    )
    assert table.loc[("cycle_days_median", "leads.disqualify_probability"), "ST"] == pytest.approx(
        1.0, abs=0.1
    )
    assert table.loc[("cycle_days_median", "marketing.proactive_share"), "S1"] == pytest.approx(
        0.0, abs=0.05
    )


def test_missing_values_are_a_clear_error(tmp_path):
    sweep = load_sweep(
        saltelli_file(tmp_path, 4, '"marketing.proactive_share" = { low = 0.0, high = 0.9 }')
    )
    values = np.arange(12.0)
    values[5] = np.nan
    pd.DataFrame({"point": range(12), "win_rate": values, "cycle_days_median": values}).to_parquet(
        tmp_path / "point_summary.parquet"
    )
    with pytest.raises(ScenarioError, match="no win rate at point.s. 5 "):
        sobol_indices(sweep, SweepReport(out=tmp_path, points=12, computed=0, reused=0))


def test_sensitivity_command_runs_the_sweep_then_writes_indices_and_chart(tmp_path):
    path = saltelli_file(
        tmp_path,
        8,
        '"committee.stallers" = { low = 1, high = 12 }\n'
        '"marketing.proactive_share" = { low = 0.1, high = 0.5 }',
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["sensitivity", str(path), "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Sobol indices" in result.output
    indices = pd.read_csv(out / "sensitivity.csv").set_index(["output", "parameter"])
    assert len(indices) == 4 and list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    # More stallers make cycles longer: they matter far more than marketing's proactive time here.
    assert (
        indices.loc[("cycle_days_median", "committee.stallers"), "ST"]
        > 3 * indices.loc[("cycle_days_median", "marketing.proactive_share"), "ST"]
    )
    assert (out / "sensitivity.png").read_bytes().startswith(b"\x89PNG")
    assert len(pd.read_parquet(out / "results.parquet")) == 8 * (2 + 2) * 2
    before = (out / "sensitivity.csv").read_bytes()
    again = CliRunner().invoke(main, ["sensitivity", str(path), "--out", str(out)])
    assert (
        again.exit_code == 0 and (out / "sensitivity.csv").read_bytes() == before
    )  # reuses the finished sweep


def test_sensitivity_needs_a_saltelli_sweep(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(
        f'[sweep]\nscenario = "{BASELINE}"\n[parameters]\n"committee.stallers" = [1, 2]\n'
    )
    result = CliRunner().invoke(main, ["sensitivity", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.startswith(
        f"error: {path}: [sweep] method = 'grid' cannot give Sobol indices"
    )
    assert 'allowed: method = "saltelli"' in result.output
