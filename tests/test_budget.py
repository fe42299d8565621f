"""Runs that cannot finish are refused before they run (issue 17, item 5)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import assert_user_error

from sim.analysis.budget import (
    DEFAULT_MAX_MEMORY,
    check,
    estimate,
    parse_size,
)
from sim.analysis.replications import simulate
from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.toml")
CHANNEL = str(ROOT / "scenarios" / "channel_overlap.toml")
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))

# The cases: each would take hours or hold tens of gigabytes.
TOO_BIG = {
    "a million replications": ["run", BASELINE, "-n", "1000000"],
    "a partner with 100,000 staff at the top lead rate": [
        "run",
        CHANNEL,
        "-n",
        "1",
        "--set",
        "partners.Integrator.staff=100000",
        "--set",
        "channel.leads_per_staff_month=100",
    ],
    "a partner with 100,000 staff over 100 years": [
        "run",
        CHANNEL,
        "-n",
        "1",
        "--set",
        "partners.Integrator.staff=100000",
        "--set",
        "scenario.horizon_days=36500",
    ],
    "maximum arrivals with 100 stallers": [
        "run",
        BASELINE,
        "-n",
        "1",
        "--set",
        "leads.arrivals_per_month=10000",
        "--set",
        "committee.stallers=100",
    ],
    "maximum arrivals over 100 years": [
        "run",
        BASELINE,
        "-n",
        "1",
        "--set",
        "leads.arrivals_per_month=10000",
        "--set",
        "scenario.horizon_days=36500",
    ],
    "compare with a million replications": [
        "compare",
        BASELINE,
        str(ROOT / "scenarios" / "founder_led.toml"),
        "-n",
        "1000000",
    ],
    "run to a precision with a million replications at most": [
        "run",
        BASELINE,
        "--precision",
        "0.0001",
        "--max-replications",
        "1000000",
    ],
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.mark.parametrize("args", TOO_BIG.values(), ids=TOO_BIG.keys())
def test_runs_that_cannot_finish_are_refused_at_once(tmp_path, args):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if args[0] == "run" else []
    start = time.perf_counter()
    result = invoke(*args, *extra)
    assert time.perf_counter() - start < 2.0
    message = assert_user_error(result, "would hold about", "allowed: up to 4 GiB", "--max-memory")
    assert message.startswith("error: this run")
    assert not out.exists()  # nothing simulated, nothing written


def test_a_sweep_of_a_million_points_of_a_million_replications_is_refused(tmp_path):
    sweep = tmp_path / "huge.toml"
    sweep.write_text(
        f'[sweep]\nscenario = "{Path(BASELINE).as_posix()}"\nmethod = "lhs"\n'
        "points = 1000000\nreplications = 1000000\n\n"
        '[parameters]\n"committee.stallers" = { low = 2, high = 11 }\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    start = time.perf_counter()
    result = invoke("sweep", sweep, "--out", out, "--quiet")
    assert time.perf_counter() - start < 2.0
    assert_user_error(result, "1,000,000,000,000 simulated runs", "--max-memory")
    assert not out.exists()


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_shipped_scenarios_fit_the_default_budget(path):
    scenario = load_scenario(path)
    check(estimate(scenario, 20), DEFAULT_MAX_MEMORY)  # run's default -n
    check(estimate(scenario, 1000), DEFAULT_MAX_MEMORY)  # --precision's default ceiling


@pytest.mark.parametrize("path", SWEEPS, ids=[path.stem for path in SWEEPS])
def test_shipped_sweeps_fit_the_default_budget(path):
    sweep = load_sweep(path)
    runs = len(sweep.design()) * sweep.replications
    check(estimate(sweep.scenario_at({}), runs, keep_deals=False), DEFAULT_MAX_MEMORY)


def test_max_memory_sets_the_budget(tmp_path):
    small = invoke("run", BASELINE, "-n", "2", "--max-memory", "1MiB", "--out", tmp_path / "a")
    assert_user_error(small, "allowed: up to 1 MiB", "raise it with --max-memory")
    assert not (tmp_path / "a").exists()
    generous = invoke("run", BASELINE, "-n", "2", "--max-memory", "8GiB", "--out", tmp_path / "b")
    assert generous.exit_code == 0, generous.output
    assert (tmp_path / "b" / "summary.json").exists()
    founder = str(ROOT / "scenarios" / "founder_led.toml")
    assert_user_error(invoke("compare", BASELINE, founder, "-n", "2", "--max-memory", "1MiB"))
    grid = str(ROOT / "scenarios" / "sweeps" / "stallers_grid.toml")
    swept = invoke("sweep", grid, "--out", tmp_path / "c", "--max-memory", "1KiB", "--quiet")
    assert_user_error(swept, "allowed: up to 1 KiB")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("size", ["8x", "", "-1GiB", "GiB", "0", "1.5 parsecs"])
def test_a_bad_size_is_a_usage_error(size):
    result = invoke("run", BASELINE, "--max-memory", size)
    assert_user_error(result, "--max-memory")


@pytest.mark.parametrize(
    ("text", "size"),
    [("512MiB", 512 * 2**20), ("8GiB", 8 * 2**30), ("8GB", 8 * 10**9), ("8 gb", 8 * 10**9)],
)
def test_sizes(text, size):
    assert parse_size(text) == size


def test_the_estimate_is_within_a_factor_of_two_of_the_deals():
    scenario = load_scenario(BASELINE)
    deals = len(simulate(scenario, replications=2, seed=1).deals) / 2
    expected = estimate(scenario, 2).deals
    assert deals / 2 <= expected <= deals * 2, (deals, expected)
