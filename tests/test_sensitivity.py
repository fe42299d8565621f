"""Sobol sensitivity indices from a Saltelli sweep, and `committee-sim sensitivity`."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import short_scenario
from rich.console import Console

from sim.analysis.metrics import REGISTRY
from sim.analysis.sensitivity import OUTPUTS, sobol_indices
from sim.analysis.sweep import POINTS_DIR, SweepReport
from sim.cli import main
from sim.scenario import ScenarioError
from sim.scenario.sweep_file import load_sweep
from sim.views.console import print_indices
from sim.views.plots import sensitivity_chart

ROOT = Path(__file__).resolve().parent.parent
BASELINE = (ROOT / "scenarios/baseline.toml").as_posix()


def saltelli_file(
    tmp_path: Path, points: int, parameters: str, replications: int = 2, scenario: str = BASELINE
) -> Path:
    path = tmp_path / "sobol.toml"
    path.write_text(
        f"""
[sweep]
scenario = "{scenario}"
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


def two_levers(tmp_path, points: int):
    """A Saltelli sweep over two levers; its design and each lever's values along it."""
    sweep = load_sweep(
        saltelli_file(
            tmp_path,
            points,
            '"marketing.proactive_share" = { low = 0.0, high = 0.9 }\n'
            '"leads.disqualify_probability" = { low = 0.0, high = 0.5 }',
        )
    )
    design = sweep.design()
    share = np.array([point["marketing.proactive_share"] for point in design])
    disqualify = np.array([point["leads.disqualify_probability"] for point in design])
    return sweep, design, share, disqualify


def test_indices_of_a_known_function(tmp_path):
    """Win rate depends on one parameter only, cycle length on the other: the indices say so."""
    sweep, design, share, disqualify = two_levers(tmp_path, 256)
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


def test_the_indices_cover_the_chosen_metrics_in_the_order_given(tmp_path):
    """Any registered metric can be an output: the point summary holds each one's mean."""
    sweep, design, share, disqualify = two_levers(tmp_path, 64)
    pd.DataFrame(
        {"point": range(len(design)), "wins": 40 * share, "commission_share": disqualify}
    ).to_parquet(tmp_path / "point_summary.parquet")
    report = SweepReport(out=tmp_path, points=len(design), computed=0, reused=0)
    indices = sobol_indices(sweep, report, ("commission_share", "wins"))
    assert list(dict.fromkeys(indices["output"])) == ["commission_share", "wins"]
    table = indices.set_index(["output", "parameter"])
    assert table.loc[("commission_share", "leads.disqualify_probability"), "ST"] > 0.9
    assert table.loc[("wins", "marketing.proactive_share"), "ST"] > 0.9


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
    # The baseline over a year's warm-up and two years' window, as in test_directions: the
    # stallers' lead over proactive time (0.95 against 0.005) is the full window's.
    short = tmp_path / "short.toml"
    short.write_text(short_scenario(warmup_days=365, horizon_days=1095), encoding="utf-8")
    path = saltelli_file(
        tmp_path,
        8,
        '"committee.stallers" = { low = 1, high = 12 }\n'
        '"marketing.proactive_share" = { low = 0.1, high = 0.5 }',
        scenario=short.as_posix(),
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
    points = {path.name: path.read_bytes() for path in (out / POINTS_DIR).iterdir()}
    chosen = CliRunner().invoke(
        main,
        ["sensitivity", str(path), "--out", str(out)]
        + ["--metric", "wins", "--metric", "no_decision_rate", "--metric", "wins"],
    )
    assert chosen.exit_code == 0, chosen.output
    indices = pd.read_csv(out / "sensitivity.csv")
    assert indices["output"].tolist() == ["wins"] * 2 + ["no_decision_rate"] * 2  # each once
    assert "no-decision rate" in chosen.output and "win rate" not in chosen.output
    assert {p.name: p.read_bytes() for p in (out / POINTS_DIR).iterdir()} == points  # no point


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


def test_metric_choices_come_from_the_registry_and_a_wrong_one_is_one_line(tmp_path):
    assert tuple(REGISTRY) == OUTPUTS
    shown = " ".join(CliRunner().invoke(main, ["sensitivity", "--help"]).output.split())
    assert ", ".join(REGISTRY) in shown and "[default: win_rate, cycle_days_median]" in shown
    out = tmp_path / "out"
    path = saltelli_file(tmp_path, 8, '"committee.stallers" = { low = 1, high = 12 }')
    result = CliRunner().invoke(
        main, ["sensitivity", str(path), "--out", str(out), "--metric", "wins_rate"]
    )
    assert result.exit_code == 2
    assert result.output == (
        f"error: --metric 'wins_rate' is not allowed; allowed: {', '.join(REGISTRY)}\n"
    )
    assert not out.exists()  # refused before anything ran


def indices_of(outputs: list[str], parameters: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"output": output, "parameter": parameter, "S1": 0.123, "S1_conf": 0.045}
            | {"ST": -0.012, "ST_conf": 0.1}
            for output in outputs
            for parameter in parameters
        ]
    )


def test_the_table_shows_parameter_names_whole_at_80_columns():
    """The longest scenario parameter stands whole on one line; a longer name wraps, never cut."""
    longest = "partners." + "x" * 60 + ".coverage"
    parameters = ["channel.misrepresentation_veto_probability", "committee.stallers", longest]
    console = Console(width=80, record=True, file=io.StringIO())
    print_indices(
        indices_of(["decided_no_decision_share", "cycle_days_median_closed"], parameters), console
    )
    lines = console.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines) and "…" not in "".join(lines)
    first_column = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert first_column.count(parameters[0]) == 2 and first_column.count(parameters[1]) == 2
    assert "".join(first_column).count(longest) == 2  # wrapped onto the next line, whole
    assert "decisions to buy nothing" in first_column  # each output's label whole, once
    assert first_column.count("median cycle (closed only)") == 1


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_the_chart_has_a_panel_per_chosen_metric_two_abreast():
    two = png_size(sensitivity_chart(indices_of(["win_rate", "wins"], ["a.b", "c.d"])))
    three = png_size(sensitivity_chart(indices_of(["win_rate", "wins", "deals"], ["a.b", "c.d"])))
    assert three[0] == two[0] and three[1] > 1.8 * two[1]  # the third goes below
