"""Sweeps: sweep files, identical results on any executor, resuming, failed points, and mistakes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import imported_after
from hypothesis import given
from hypothesis import strategies as st

import sim.analysis.executors
import sim.analysis.sweep
from sim.analysis.metrics import REGISTRY
from sim.analysis.statistics import t_interval
from sim.analysis.sweep import POINTS_DIR, ROW_METRICS, TABLES, run_sweep
from sim.cli import main
from sim.scenario import ScenarioError
from sim.scenario.sweep_file import Parameter, SweepSettings, load_sweep, sweep_parameter_rows
from sim.views.progress import with_progress

ROOT = Path(__file__).resolve().parent.parent
BASELINE = (ROOT / "scenarios/baseline.toml").as_posix()
GRID = f"""
[sweep]
scenario = "{BASELINE}"
method = "grid"
replications = 2
seed = 3

[parameters]
"committee.stallers" = [2, 5]
"marketing.proactive_share" = [0.2, 0.6]
"""


def write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def saved(out: Path) -> dict[int, dict]:
    """The point records saved in OUT/points/ (the last of each point), by point."""
    return {
        record["point"]: record
        for path in sorted((out / POINTS_DIR).glob("batch-*.json"))
        for record in json.loads(path.read_text(encoding="utf-8"))["points"]
    }


@pytest.fixture
def grid(tmp_path) -> Path:
    return write(tmp_path, GRID)


@pytest.fixture
def reference(grid, tmp_path) -> Path:
    """The grid sweep run once, uninterrupted, in this process."""
    out = tmp_path / "reference"
    run_sweep(load_sweep(grid), out, workers=1)
    return out


# ---------------------------------------------------------------- sweep files and designs


def test_grid_design_is_every_combination_in_order(grid):
    assert load_sweep(grid).design() == [
        {"committee.stallers": 2, "marketing.proactive_share": 0.2},
        {"committee.stallers": 2, "marketing.proactive_share": 0.6},
        {"committee.stallers": 5, "marketing.proactive_share": 0.2},
        {"committee.stallers": 5, "marketing.proactive_share": 0.6},
    ]


@pytest.mark.parametrize(
    "method, points, size", [("lhs", 10, 10), ("sobol", 16, 16), ("saltelli", 8, 8 * (2 + 2))]
)
def test_space_filling_designs_stay_in_range_and_repeat(tmp_path, method, points, size):
    path = write(
        tmp_path,
        f"""
[sweep]
scenario = "{BASELINE}"
method = "{method}"
points = {points}
seed = 4
[parameters]
committee.stallers = {{ low = 2, high = 4 }}
"marketing.proactive_share" = {{ low = 0.1, high = 0.3 }}
""",
    )
    design = load_sweep(path).design()
    assert len(design) == size and design == load_sweep(path).design()
    stallers = [point["committee.stallers"] for point in design]
    assert all(isinstance(value, int) for value in stallers) and set(stallers) == {2, 3, 4}
    assert all(0.1 <= point["marketing.proactive_share"] < 0.3 for point in design)


@given(
    low=st.integers(-50, 50),
    width=st.integers(1, 50),
    u=st.floats(0, 1, exclude_max=True),
)
def test_integer_ranges_cover_both_ends_evenly(low, width, u):
    parameter = Parameter("committee.stallers", integer=True, low=low, high=low + width)
    value = parameter.at(u)
    assert isinstance(value, int) and low <= value <= low + width
    assert value == low + int(
        u * (width + 1)
    )  # each of the width + 1 values gets an equal share of u
    assert parameter.at(0.0) == low and parameter.at(1 - 1e-12) == low + width


def test_shipped_sweeps_are_valid():
    sizes = {
        path.stem: len(load_sweep(path).design())
        for path in (ROOT / "scenarios/sweeps").glob("*.toml")
    }
    assert sizes["lhs_200"] == 200 and len(sizes) >= 3


def test_partner_parameters_can_be_swept(tmp_path):
    path = write(
        tmp_path,
        f"""
[sweep]
scenario = "{(ROOT / "scenarios/channel_overlap.toml").as_posix()}"
[parameters]
"partners.Reseller.coverage" = [0.1, 0.3]
""",
    )
    sweep = load_sweep(path)
    scenarios = sweep.scenarios(sweep.design())
    coverage = [
        {partner.name: partner.coverage for partner in scenario.partners} for scenario in scenarios
    ]
    assert [c["Reseller"] for c in coverage] == [0.1, 0.3] and [
        c["Integrator"] for c in coverage
    ] == [0.8, 0.8]


BAD = [  # (what to write in [parameters] or [sweep], fragments the message must hold)
    (
        '"committee.staler" = [1, 2]',
        ["'committee.staler'", "unknown parameter 'staler'", "did you mean 'stallers'"],
    ),
    (
        '"comittee.stallers" = [1, 2]',
        ["'comittee.stallers'", "unknown parameter", "allowed: section.key"],
    ),
    ('"committee.stallers" = []', ["'committee.stallers'", "empty list", "at least one value"]),
    (
        '"committee.stallers" = [-1, 2]',
        ["'committee.stallers': value -1 is not allowed", "allowed: integer ≥ 0 and ≤ 100"],
    ),
    (
        '"committee.stallers" = [2.5]',
        ["'committee.stallers': value 2.5 is not allowed", "allowed: integer"],
    ),
    ('"scenario.name" = ["a"]', ["name is text and cannot be swept"]),
    (
        '"partners.Nobody.coverage" = [0.1]',
        ["unknown partner 'Nobody'", "none in the base scenario"],
    ),
]
BAD_SWEEP = [  # (sweep settings, parameters, fragments)
    (
        'method = "lhs"\npoints = 8',
        '"committee.stallers" = { low = 5, high = 5 }',
        ["low = 5, high = 5 is empty", "allowed: low < high"],
    ),
    (
        'method = "lhs"\npoints = 8',
        '"committee.stallers" = [1, 2]',
        ["allowed: a range { low = ..., high = ... }"],
    ),
    (
        'method = "lhs"\npoints = 8',
        '"leads.patience_mean_days" = { low = 0, high = 10 }',
        ["value 0 is not allowed", "allowed: number > 0"],
    ),
    (
        "replications = 0",
        '"committee.stallers" = [1]',
        ["[sweep] replications = 0 is not allowed", "integer ≥ 1"],
    ),
    (
        "replications = -3",
        '"committee.stallers" = [1]',
        ["[sweep] replications = -3 is not allowed", "integer ≥ 1"],
    ),
    (
        'method = "random"',
        '"committee.stallers" = [1]',
        ["method = 'random' is not allowed", "grid, lhs, sobol, saltelli"],
    ),
    (
        'method = "sobol"\npoints = 100',
        '"committee.stallers" = { low = 1, high = 5 }',
        ["points = 100 is not allowed", "a power of two such as 128"],
    ),
    (
        'method = "lhs"',
        '"committee.stallers" = { low = 1, high = 5 }',
        ["[sweep] points is missing"],
    ),
    ("speed = 3", '"committee.stallers" = [1]', ["[sweep] unknown key 'speed'"]),
    ("sed = 3", '"committee.stallers" = [1]', ["[sweep] unknown key 'sed'", "did you mean 'seed'"]),
    (
        "points = 4",
        '"committee.stallers" = [1]',
        ['[sweep] points is not used by method = "grid"', "remove it"],
    ),
    (
        'method = "saltelli"\npoints = 12',
        '"committee.stallers" = { low = 1, high = 5 }',
        ["[sweep] points = 12 is not allowed", "a power of two such as 16"],
    ),
    (
        'method = "lhs"\npoints = 2000000',
        '"committee.stallers" = { low = 1, high = 5 }',
        ["[sweep] points = 2000000 is not allowed", "allowed: integer ≥ 1 and ≤ 1000000"],
    ),
    (
        "seed = -1",
        '"committee.stallers" = [1]',
        ["[sweep] seed = -1 is not allowed", "allowed: integer ≥ 0 and ≤ 9223372036854775807"],
    ),
    (
        "common_random_numbers = 1",
        '"committee.stallers" = [1]',
        ["[sweep] common_random_numbers = 1 is not allowed", "allowed: true or false"],
    ),
    (
        'name = ""',
        '"committee.stallers" = [1]',
        ["[sweep] name = '' is not allowed", "starting with a letter or digit"],
    ),
]


def assert_user_error(result: Result, path: Path, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert (
        message.startswith(f"error: {path}") and "\n" not in message and "Traceback" not in message
    )
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("parameters, fragments", BAD)
def test_bad_parameters_are_refused(tmp_path, parameters, fragments):
    path = write(tmp_path, f'[sweep]\nscenario = "{BASELINE}"\n[parameters]\n{parameters}\n')
    assert_user_error(invoke("sweep", path, "--out", tmp_path / "out"), path, *fragments)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("settings, parameters, fragments", BAD_SWEEP)
def test_bad_sweep_settings_are_refused(tmp_path, settings, parameters, fragments):
    path = write(
        tmp_path, f'[sweep]\nscenario = "{BASELINE}"\n{settings}\n[parameters]\n{parameters}\n'
    )
    assert_user_error(invoke("sweep", path, "--out", tmp_path / "out"), path, *fragments)


def test_missing_keys_tables_and_unknown_sections_are_refused(tmp_path):
    path = write(tmp_path, '[sweep]\nmethod = "grid"\n[parameters]\n"committee.stallers" = [1]\n')
    assert_user_error(invoke("sweep", path), path, "[sweep] scenario is missing", "allowed: ")
    path = write(tmp_path, '[sweeps]\nscenario = "baseline.toml"\n')
    assert_user_error(invoke("sweep", path), path, "unknown section 'sweeps'", "'sweep'")
    path = write(tmp_path, f'[sweep]\nscenario = "{BASELINE}"\n')
    assert_user_error(invoke("sweep", path), path, "missing [parameters] table")


def test_every_sweep_key_is_declared_once_with_its_documentation():
    rows = {row["key"]: row for row in sweep_parameter_rows()}
    assert list(rows) == [f"sweep.{key}" for key in SweepSettings.model_fields]
    for row in rows.values():
        for column in ("meaning", "unit", "default", "allowed", "source"):
            assert row[column].strip(), f"{row['key']} has no {column}"
    assert rows["sweep.scenario"]["default"] == "required"
    method = rows["sweep.method"]
    assert (method["default"], method["allowed"]) == ("'grid'", "grid, lhs, sobol, saltelli")
    assert rows["sweep.replications"]["allowed"] == "integer ≥ 1 and ≤ 1000000"
    assert rows["sweep.common_random_numbers"]["default"] == "true"


def test_left_out_settings_take_the_declared_defaults(grid):
    grid.write_text(GRID.replace("replications = 2\nseed = 3\n", ""), encoding="utf-8")
    sweep = load_sweep(grid)
    fields = SweepSettings.model_fields
    assert (sweep.replications, sweep.seed, sweep.common_random_numbers) == (
        fields["replications"].default,
        fields["seed"].default,
        fields["common_random_numbers"].default,
    )
    assert (sweep.name, sweep.points) == (grid.stem, 0)


def test_malformed_and_missing_files_are_refused(tmp_path):
    path = write(tmp_path, "[sweep\nscenario = 1")
    assert_user_error(invoke("sweep", path), path, "not valid TOML")
    assert_user_error(
        invoke("sweep", tmp_path / "none.toml"), tmp_path / "none.toml", "no such sweep file"
    )
    path = write(
        tmp_path, '[sweep]\nscenario = "missing.toml"\n[parameters]\n"committee.stallers" = [1]\n'
    )
    result = invoke("sweep", path)
    assert result.exit_code == 2 and "missing.toml: no such scenario file" in result.output


def test_a_combination_the_schema_forbids_names_the_point(tmp_path):
    path = write(
        tmp_path,
        f"""
[sweep]
scenario = "{BASELINE}"
[parameters]
"committee.objection_probability" = [0.5, 0.9]
"committee.veto_probability" = [0.2]
""",
    )
    assert_user_error(
        invoke("sweep", path, "--out", tmp_path / "out"),
        path,
        "point 1 (committee.objection_probability = 0.9, committee.veto_probability = 0.2)",
    )


# ---------------------------------------------------------------- results


def test_tidy_table_and_point_summary(reference):
    results = pd.read_parquet(reference / "results.parquet")
    assert list(results.columns[:5]) == [
        "point",
        "replication",
        "seed",
        "committee.stallers",
        "marketing.proactive_share",
    ]
    assert list(results.columns[5:]) == list(ROW_METRICS)  # every registered metric, then stats
    assert {"wins", "commission_share", "no_decision_rate", "cycle_days_median"} <= set(REGISTRY)
    assert (results["wins"] <= results["opportunities"]).all()
    assert (results["commission_share"] == 0).all()  # the baseline has no partners
    assert len(results) == 4 * 2 and list(results["replication"]) == [0, 1] * 4
    pd.testing.assert_frame_equal(
        results, pd.read_csv(reference / "results.csv"), check_dtype=False
    )
    summary = pd.read_parquet(reference / "point_summary.parquet")
    intervals = [f"{name}{end}" for name in REGISTRY for end in ("", "_ci_low", "_ci_high")]
    assert list(summary.columns) == [
        *results.columns[[0, 3, 4]],
        "replications",
        *intervals,
        "error",
    ]
    wins = results.groupby("point")["wins"].mean()
    assert summary["wins"].to_numpy() == pytest.approx(wins.to_numpy())  # a count's mean too
    assert len(summary) == 4 and (summary["win_rate_ci_low"] <= summary["win_rate"]).all()
    assert (summary["error"] == "").all()
    means = results.groupby("point")["cycle_days_median"].mean()
    assert summary["cycle_days_median"].to_numpy() == pytest.approx(means.to_numpy())
    revenue = results.loc[results["point"] == 3, "revenue_net_per_year"].to_numpy()
    columns = ["revenue_net_per_year_ci_low", "revenue_net_per_year_ci_high"]
    assert summary.loc[3, columns].tolist() == pytest.approx(list(t_interval(revenue)))


def test_common_random_numbers_across_points(reference):
    """Every point's replication r uses the same streams: the same seed whatever the stallers."""
    results = pd.read_parquet(reference / "results.parquet")
    assert results.groupby("replication")["seed"].nunique().eq(1).all()


def test_independent_seeds_per_point_when_asked(tmp_path):
    sweep = load_sweep(
        write(tmp_path, GRID.replace("seed = 3", "seed = 3\ncommon_random_numbers = false"))
    )
    seeds = [sweep.seed_of(point) for point in range(4)]
    assert len(set(seeds)) == 4 and seeds == [sweep.seed_of(point) for point in range(4)]
    assert all(0 <= seed < 2**63 for seed in seeds)


def test_same_tables_with_two_workers_and_on_a_dask_cluster(grid, reference, tmp_path):
    from distributed import LocalCluster

    run_sweep(load_sweep(grid), tmp_path / "two", workers=2)
    assert tables(tmp_path / "two") == tables(reference)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        result = invoke(
            "sweep", grid, "--out", tmp_path / "dask", "--scheduler", cluster.scheduler_address
        )
    assert result.exit_code == 0, result.output
    assert tables(tmp_path / "dask") == tables(reference)


def test_workers_and_scheduler_exclude_each_other(grid, tmp_path):
    result = invoke("sweep", grid, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "--workers is for local runs" in result.output


def test_unreachable_scheduler_is_a_clear_error(grid, tmp_path, monkeypatch):
    monkeypatch.setattr(sim.analysis.executors, "CONNECT_TIMEOUT", "0.3s")
    result = invoke("sweep", grid, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1")
    assert (
        result.exit_code == 2
        and "error: --scheduler tcp://127.0.0.1:1: cannot connect" in result.output
    )
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- nothing finished is lost


def test_existing_results_are_never_overwritten(grid, reference):
    before = tables(reference)
    result = invoke("sweep", grid, "--out", reference)
    assert (
        result.exit_code == 2
        and "already holds sweep results" in result.output
        and "--resume" in result.output
    )
    assert tables(reference) == before
    other = write(grid.parent, GRID.replace("seed = 3", "seed = 4"), "other.toml")
    result = invoke("sweep", other, "--out", reference, "--resume")
    assert result.exit_code == 2 and "holds a different sweep (other seed)" in result.output
    assert invoke("sweep", other, "--out", reference, "--force").exit_code == 0
    assert tables(reference) != before


def test_resume_computes_only_missing_points_and_ends_identical(
    grid, reference, tmp_path, monkeypatch
):
    monkeypatch.setattr(sim.analysis.sweep, "SAVE_SECONDS", 0.0)  # a batch file per point
    out = tmp_path / "resumed"
    run_sweep(load_sweep(grid), out, workers=1)
    batch = {point: out / POINTS_DIR / f"batch-{point + 1:06d}.json" for point in range(4)}
    for point, path in batch.items():
        assert [record["point"] for record in json.loads(path.read_text())["points"]] == [point]
    for point in (1, 3):  # as if the run had stopped before these finished
        batch[point].unlink()
    batch[2].write_text('{"sweep": "', encoding="utf-8")  # and this one was damaged
    for name in TABLES:
        (out / name).unlink()
    report = run_sweep(load_sweep(grid), out, workers=2, resume=True)
    assert (report.computed, report.reused) == (3, 1)
    assert tables(out) == tables(reference)


def test_ctrl_c_keeps_finished_points(grid, reference, tmp_path, monkeypatch):
    real = sim.analysis.sweep.run_point

    def interrupted_at_point_2(scenario, point, seed, replications):
        if point == 2:
            raise KeyboardInterrupt
        return real(scenario, point, seed, replications)

    monkeypatch.setattr(sim.analysis.sweep, "run_point", interrupted_at_point_2)
    out = tmp_path / "stopped"
    result = invoke("sweep", grid, "--out", out, "--workers", "1")
    assert result.exit_code == 130 and "--resume" in result.output
    assert sorted(saved(out)) == [0, 1]  # saved on the interrupt, not held back for a batch
    monkeypatch.setattr(sim.analysis.sweep, "run_point", real)
    result = invoke("sweep", grid, "--out", out, "--resume")
    assert result.exit_code == 0 and "2 computed now, 2 from an earlier run" in result.output
    assert tables(out) == tables(reference)


def test_killed_process_resumes_to_the_same_table(tmp_path):
    """SIGKILL a real sweep part-way, then resume it: the table equals an uninterrupted run's."""
    path = write(
        tmp_path,
        GRID.replace("[2, 5]", "[2, 3, 4, 5, 6, 7, 8, 9]").replace("[0.2, 0.6]", "[0.2, 0.6, 0.8]"),
    )
    out = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while len(saved(out)) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = len(saved(out))
    assert 3 <= done < 24, "the kill came too late to interrupt the sweep"
    report = run_sweep(load_sweep(path), out, workers=1, resume=True)
    assert report.reused == done and report.computed == 24 - done
    run_sweep(load_sweep(path), tmp_path / "whole", workers=1)
    assert tables(out) == tables(tmp_path / "whole")


def test_a_dead_worker_stops_the_sweep_with_a_way_to_resume(grid, tmp_path, monkeypatch):
    def first_point_then_a_dead_worker(function, tasks, workers=None):
        yield function(*tasks[0])
        raise sim.analysis.executors.SweepStopped("a worker process died (killed)")

    monkeypatch.setattr(sim.analysis.sweep, "execute", first_point_then_a_dead_worker)
    out = tmp_path / "stopped"
    result = invoke("sweep", grid, "--out", out)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: a worker process died (killed); finished points are saved in {out}; "
        "to finish, run the same command with --resume"
    )
    assert list(saved(out)) == [0]


def test_a_failing_point_is_recorded_and_the_sweep_goes_on(grid, reference, tmp_path, monkeypatch):
    real = sim.analysis.sweep.simulate_replication

    def fails_with_five_stallers(scenario, seed, replication):
        if scenario.committee.stallers == 5:
            raise ZeroDivisionError("model bug")
        return real(scenario, seed, replication)

    monkeypatch.setattr(sim.analysis.sweep, "simulate_replication", fails_with_five_stallers)
    out = tmp_path / "failing"
    result = invoke("sweep", grid, "--out", out, "--workers", "1")
    assert result.exit_code == 1
    assert (
        "2 points failed" in result.output
        and "point 2: ZeroDivisionError: model bug" in result.output
    )
    summary = pd.read_csv(out / "point_summary.csv", keep_default_na=False)
    assert list(summary["error"]) == [
        "",
        "",
        "ZeroDivisionError: model bug",
        "ZeroDivisionError: model bug",
    ]
    assert set(pd.read_parquet(out / "results.parquet")["point"]) == {0, 1}
    assert "Traceback" in saved(out)[2]["traceback"]
    monkeypatch.setattr(
        sim.analysis.sweep, "simulate_replication", real
    )  # the bug is fixed: resume retries the failures
    assert invoke("sweep", grid, "--out", out, "--resume").exit_code == 0
    assert tables(out) == tables(reference)


# ---------------------------------------------------------------- progress and start-up


def test_progress_passes_every_record_through(grid, tmp_path):
    records = [{"point": i} for i in range(5)]
    assert list(with_progress(iter(records), done=2, total=7, name="test")) == records
    seen = []

    def watch(records, done, total):
        for record in records:
            seen.append((record["point"], done, total))
            yield record

    run_sweep(load_sweep(grid), tmp_path / "watched", workers=1, progress=watch)
    assert seen == [(point, 0, 4) for point in range(4)]


def test_command_line_starts_without_heavy_libraries():
    heavy = ("pandas", "scipy", "dask", "distributed", "SALib", "pyarrow", "matplotlib")
    assert imported_after("import sim.cli", heavy) == []


def test_scenario_errors_are_the_cli_kind():
    with pytest.raises(ScenarioError):
        load_sweep(ROOT / "no-such-sweep.toml")


@pytest.mark.slow  # a script's run: timings and studies stay out of the default suite
def test_scaling_script_smoke_run(grid):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/sweep_scaling.py"),
            "--sweep",
            str(grid),
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"speed-up with 2 workers: \d+\.\d\dx", done.stdout)
    assert re.search(r"experiment-layer overhead: -?\d+\.\d% of model time", done.stdout)


@pytest.mark.parametrize("name", ["../../elsewhere", "/tmp/abs", "a/b", "..", ".hidden", ""])
def test_a_sweep_name_cannot_lead_the_results_folder_out_of_results(tmp_path, name):
    path = write(tmp_path, GRID.replace("[sweep]", f"[sweep]\nname = {name!r}"))
    done = invoke("sweep", path, "--quiet")
    assert done.exit_code == 2 and "[sweep] name" in done.output
    assert not (tmp_path / "elsewhere").exists() and not Path("results", name).exists()


def test_a_plain_sweep_name_or_file_name_is_accepted_and_an_unusable_file_name_refused(tmp_path):
    assert load_sweep(write(tmp_path, GRID.replace("[sweep]", '[sweep]\nname = "Étude 1"'))).name
    assert load_sweep(write(tmp_path, GRID, "my sweep.toml")).name == "my sweep"
    done = invoke("sweep", write(tmp_path, GRID, "..toml"), "--quiet")
    assert done.exit_code == 2 and "cannot name the results folder" in done.output
