"""The command line: run and validate, result files, reproducibility, and user mistakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import assert_user_error

from sim.cli import main
from sim.vocabulary import Outcome

OUTCOMES = Outcome.keys()

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "scenarios/baseline.toml"
DEAL_COLUMNS = [
    "replication",
    "deal_id",
    "source",
    "created_day",
    "closed_day",
    "outcome",
    "cycle_days",
    "value",
]
SUMMARY_KEYS = [
    "scenario",
    "seed",
    "replications",
    "window",
    "deals",
    "win_rate",
    "win_rate_ci",
    "no_decision_rate",
    "cycle_days_median",
    "cycle_days_median_closed",
    "funnel_per_year",
    "outcomes",
    "no_decision_reasons",
    "revenue_gross_per_year",
    "commissions_per_year",
    "revenue_net_per_year",
    "parameters",
]
RESULT_FILES = [  # sorted
    "deals.csv",
    "manifest.json",
    "partners.csv",
    "replications.csv",
    "reps.csv",
    "summary.json",
]


@pytest.fixture(autouse=True)
def in_repo_root(monkeypatch):
    """Scenario paths on the command line are relative to the repository root, as in the README."""
    monkeypatch.chdir(ROOT)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def run_into(out: Path, *args: str, seed: int = 1, replications: int = 2) -> Result:
    result = invoke(
        "run", BASELINE, "-n", str(replications), "--seed", str(seed), "--out", str(out), *args
    )
    assert result.exit_code == 0, result.output
    return result


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in RESULT_FILES}


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- running


def test_run_prints_the_summary():
    result = invoke("run", BASELINE, "--replications", "3")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "baseline: 3 simulated runs, seed 1" in result.stdout
    assert "A simulated run is one history of the company" in result.stdout
    assert "win rate" in result.stdout
    assert "%" in result.stdout
    assert "How the counted deals ended" in result.stdout
    for outcome in Outcome:
        assert f"│ {outcome.label} " in result.stdout


def test_run_writes_deals_and_summary(tmp_path):
    out = tmp_path / "nested" / "results"
    result = run_into(out, replications=3, seed=7)
    for name in RESULT_FILES:
        assert name in result.stdout
    assert sorted(os.listdir(out)) == RESULT_FILES  # no temporary files left

    deals = pd.read_csv(out / "deals.csv")
    assert set(DEAL_COLUMNS) <= set(deals.columns)
    assert set(deals["replication"]) == {0, 1, 2}
    assert set(deals["outcome"]) <= set(OUTCOMES)

    summary = summary_of(out)
    assert set(SUMMARY_KEYS) <= set(summary)
    assert (summary["scenario"], summary["seed"], summary["replications"]) == ("baseline", 7, 3)
    assert summary["deals"] == deals["counted"].sum() > 0
    low, high = summary["win_rate_ci"]
    assert all(isinstance(x, float) for x in (low, high))
    assert 0 <= low <= summary["win_rate"] <= high <= 1
    assert summary["cycle_days_median_ci"][0] <= summary["cycle_days_median"]
    assert set(summary["outcomes"]) == set(OUTCOMES)
    assert sum(summary["outcomes"].values()) == summary["deals"]
    counted = deals[deals["counted"]]
    assert summary["outcomes"] == {o: int((counted["outcome"] == o).sum()) for o in OUTCOMES}
    assert summary["parameters"]["committee"]["stallers"] == 3
    assert summary["parameters"]["reps"]["drought_days"] == "inf"  # JSON has no infinity

    replications = pd.read_csv(out / "replications.csv")
    assert list(replications["replication"]) == [0, 1, 2]
    years = summary["window"]["years"]
    assert summary["rep_departures_per_year"] == pytest.approx(
        replications["rep_departures"].mean() / years
    )
    partners = pd.read_csv(out / "partners.csv")
    assert len(partners) == 0  # the baseline has no channel partners


def test_same_seed_gives_byte_identical_files(tmp_path):
    run_into(tmp_path / "a", seed=11)
    run_into(tmp_path / "b", seed=11)
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_different_seed_gives_different_files(tmp_path):
    run_into(tmp_path / "a", seed=11)
    run_into(tmp_path / "b", seed=12)
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert first["deals.csv"] != second["deals.csv"]
    assert first["summary.json"] != second["summary.json"]
    assert summary_of(tmp_path / "b")["seed"] == 12


def test_existing_results_are_kept_without_force(tmp_path):
    out = tmp_path / "out"
    run_into(out, seed=1)
    before = files(out)
    stamps = {name: (out / name).stat().st_mtime_ns for name in before}
    result = invoke("run", BASELINE, "-n", "2", "--seed", "2", "--out", str(out))
    assert_user_error(result, "already holds results", "--force")
    assert files(out) == before
    assert {name: (out / name).stat().st_mtime_ns for name in before} == stamps
    assert sorted(os.listdir(out)) == RESULT_FILES


def test_a_single_existing_result_file_is_also_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("mine\n", encoding="utf-8")
    result = invoke("run", BASELINE, "-n", "1", "--out", str(out))
    assert_user_error(result, "summary.json", "--force")
    assert (out / "summary.json").read_text(encoding="utf-8") == "mine\n"
    assert sorted(os.listdir(out)) == ["summary.json"]


def test_force_replaces_existing_results(tmp_path):
    run_into(tmp_path / "out", seed=1)
    old = files(tmp_path / "out")
    run_into(tmp_path / "out", "--force", seed=2)
    run_into(tmp_path / "fresh", seed=2)
    assert files(tmp_path / "out") != old
    assert files(tmp_path / "out") == files(tmp_path / "fresh")


def test_set_changes_the_result_and_is_recorded(tmp_path):
    run_into(tmp_path / "plain", seed=3)
    run_into(tmp_path / "four", "--set", "committee.stallers=4", seed=3)
    assert files(tmp_path / "plain")["deals.csv"] != files(tmp_path / "four")["deals.csv"]
    assert summary_of(tmp_path / "plain")["parameters"]["committee"]["stallers"] == 3
    assert summary_of(tmp_path / "four")["parameters"]["committee"]["stallers"] == 4
    deals = pd.read_csv(tmp_path / "four" / "deals.csv")
    assert (deals["stallers"] == 4).all()


def test_run_of_an_inherited_scenario_records_the_merged_parameters(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", "scenarios/proactive_stallers.toml", "-n", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    parameters = summary_of(out)["parameters"]
    assert parameters["marketing"]["proactive_share"] == 0.6
    assert parameters["marketing"]["staller_kit"] == 0.6
    assert parameters["committee"]["stallers"] == 3  # from baseline.toml


# ---------------------------------------------------------------- user mistakes


@pytest.fixture
def bad_files(tmp_path) -> dict[str, Path]:
    texts = {
        "unknown_key": "[committee]\nstalers = 4\n",
        "invalid_toml": "[committee\nstallers = 4\n",
        "bad_value": "[marketing]\nproactive_share = 1.5\n",
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.toml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_unknown_key_in_file(bad_files):
    result = invoke("run", bad_files["unknown_key"], "-n", "1")
    assert_user_error(result, "stalers", "did you mean 'stallers'")


def test_invalid_toml(bad_files):
    path = bad_files["invalid_toml"]
    assert_user_error(invoke("run", path, "-n", "1"), str(path), "not valid TOML")


def test_missing_scenario_file():
    result = invoke("run", "scenarios/no_such.toml", "-n", "1")
    assert_user_error(result, "no_such.toml", "no such scenario file")


@pytest.mark.parametrize(
    ("override", "fragments"),
    [
        ("committee.stallers=-3", ("stallers = -3", "allowed: integer ≥ 0 and ≤ 100")),
        ("committee.stalers=4", ("stalers", "did you mean 'stallers'")),
        ("comittee.stallers=4", ("comittee", "did you mean 'committee'")),
        ("committee.stallers", ("expected section.key=value",)),
        ("stallers=4", ("expected section.key=value",)),
        ("scenario.base=other.toml", ("base scenario can only be named in the file",)),
        ("committee.staller_meeting_days=0", ("staller_meeting_days = 0", "number > 0")),
    ],
)
def test_bad_set(override, fragments):
    assert_user_error(invoke("run", BASELINE, "-n", "1", "--set", override), *fragments)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--replications", "0"), "replications"),
        (("-n", "many"), "replications"),
        (("--seed", "-1"), "seed"),
    ],
)
def test_bad_option_values_are_usage_errors(args, fragment):
    assert_user_error(invoke("run", BASELINE, *args), fragment)


def test_out_that_is_a_file(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    assert_user_error(invoke("run", BASELINE, "-n", "1", "--out", target), "--out", "taken")
    assert target.read_text(encoding="utf-8") == "x"


def test_validate_good_file():
    result = invoke("validate", BASELINE)
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout and "baseline" in result.stdout


def test_validate_good_file_with_set():
    assert invoke("validate", BASELINE, "--set", "committee.stallers=4").exit_code == 0


def test_validate_bad_file_names_the_key(bad_files):
    path = bad_files["bad_value"]
    assert_user_error(invoke("validate", path), str(path), "proactive_share = 1.5", "allowed")


def test_validate_bad_set_names_the_key():
    assert_user_error(invoke("validate", BASELINE, "--set", "reps.count=0"), "count = 0", "allowed")


# ---------------------------------------------------------------- a real process


def run_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_subprocess_run_matches_in_process_run_byte_for_byte(tmp_path):
    done = run_process("run", BASELINE, "-n", "2", "--seed", "5", "--out", str(tmp_path / "proc"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "win rate" in done.stdout and "no decision" in done.stdout
    run_into(tmp_path / "here", seed=5)
    assert files(tmp_path / "proc") == files(tmp_path / "here")


def test_subprocess_user_error_is_one_line_and_exit_code_2(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text("[committee]\nstalers = 4\n", encoding="utf-8")
    done = run_process("run", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "did you mean 'stallers'" in done.stderr


def test_text_values_may_look_like_numbers(tmp_path):
    result = invoke(
        "run", BASELINE, "-n", "1", "--set", "scenario.name=2024", "--out", str(tmp_path / "r")
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["scenario"] == "2024"


def test_result_files_follow_the_umask_not_private(tmp_path):
    assert invoke("run", BASELINE, "-n", "1", "--out", str(tmp_path / "r")).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    for name in RESULT_FILES:
        assert (tmp_path / "r" / name).stat().st_mode & 0o777 == 0o666 & ~mask
