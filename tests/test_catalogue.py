"""Shipped scenarios by bare name, `scenarios`, `params`, `init`, and `compare --set`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT, grid_sweep, short_scenario

from sim.cli import main
from sim.scenario import load_scenario, parameter_rows, validate
from sim.scenario.catalogue import resolve, shipped_folder, shipped_names
from sim.scenario.reference import starting_file
from sim.scenario.sweep_file import load_sweep


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


# ---------------------------------------------------------------- shipped scenarios


def test_every_file_of_the_scenarios_folder_is_shipped_with_the_package():
    """The package's folder is the project's `scenarios/` (a link in a clone): nothing left out."""
    assert shipped_folder().resolve() == (ROOT / "scenarios").resolve()
    assert shipped_names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert shipped_names("sweep") == sorted(
        p.stem for p in (ROOT / "scenarios" / "sweeps").glob("*.toml")
    )
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-data"]["sim.scenario"] == ["shipped/*.toml", "shipped/sweeps/*.toml"]


def test_a_bare_name_is_a_shipped_scenario_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_scenario("baseline").scenario.name == "baseline"
    assert load_sweep("stallers_grid").scenario_at({}).scenario.name == "baseline"


def test_a_users_own_file_is_never_shadowed_by_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("baseline").write_text(short_scenario(10, 20))  # a file named like a shipped one
    assert resolve("baseline") == Path("baseline")
    assert load_scenario("baseline").scenario.name == "short"
    assert resolve("scenarios/baseline.toml") == Path("scenarios/baseline.toml")
    assert resolve("baseline.toml") == Path("baseline.toml")  # a suffix: a path, as typed


def test_an_unknown_bare_name_lists_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "baselin")
    assert result.exit_code == 2
    assert "baselin: no such scenario file and no shipped scenario of that name" in result.output
    assert (
        "shipped: baseline, calendar, channel_overlap" in result.output
        and "committee-sim scenarios" in result.output
    )
    typed_path = invoke("validate", "my/baselin.toml")  # a path: no list of names
    assert typed_path.exit_code == 2 and "shipped" not in typed_path.output


def test_scenarios_lists_each_shipped_scenario_with_its_description():
    result = invoke("scenarios")
    assert result.exit_code == 0
    for name in shipped_names():
        assert f"\n{name}\n" in f"\n{result.output}"
    assert "three reps" in result.output  # baseline's description
    assert max(map(len, result.output.splitlines()[:-1])) <= 80
    sweeps = invoke("scenarios", "--sweeps")
    assert "Latin hypercube" in sweeps.output and "committee-sim sweep lhs_200" in sweeps.output


# ---------------------------------------------------------------- params and init


def test_params_shows_every_parameter_of_a_section_with_its_source():
    result = invoke("params", "committee")
    assert result.exit_code == 0
    committee = [row for row in parameter_rows() if row["key"].startswith("committee.")]
    for row in committee:
        assert (
            f"{row['key']} = {row['default']}  ({row['unit']}; {row['allowed']})" in result.output
        )
    assert "leads." not in result.output and "5.4 people" in result.output
    assert invoke("params").output.count(" = ") >= len(parameter_rows())
    assert invoke("params", "nosuch").exit_code == 2


def test_init_writes_the_default_scenario_with_every_key_ready_to_uncomment(tmp_path):
    target = tmp_path / "my_company.toml"
    assert invoke("init", target).exit_code == 0
    written = load_scenario(target)
    assert written.scenario.name == "my_company"
    defaults = validate({"scenario": {"name": "my_company"}})
    assert written.to_dict() == defaults.to_dict()
    uncommented = "\n".join(
        line[2:]
        if line.startswith(("# [[", "# ")) and " = " in line[:40] or line.startswith("# [[")
        else line
        for line in target.read_text().splitlines()
    )
    every_key = validate(tomllib.loads(uncommented))  # all keys set: still valid, one partner
    assert len(every_key.partners) == 1 and every_key.committee == defaults.committee


def test_init_never_overwrites_a_file_without_force(tmp_path):
    target = tmp_path / "mine.toml"
    target.write_text("# my notes\n")
    refused = invoke("init", target)
    assert refused.exit_code == 2 and "exists; add --force" in refused.output
    assert target.read_text() == "# my notes\n"
    assert invoke("init", target, "--force").exit_code == 0
    assert target.read_text() == starting_file("mine")
    missing = invoke("init", tmp_path / "no" / "such.toml")
    assert missing.exit_code == 2 and str(tmp_path / "no" / "such.toml") in missing.output


# ---------------------------------------------------------------- compare --set


@pytest.fixture(scope="module")
def short(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "short.toml"
    path.write_text(short_scenario(60, 240))
    return path


def test_compare_without_b_compares_a_with_a_changed_by_set(short):
    result = invoke("compare", short, "--set", "committee.stallers=6", "-n", 3, "--json")
    assert result.exit_code == 0, result.output
    both = json.loads(result.output)
    assert (
        both["a"]["scenario"] == "short" and both["b"]["scenario"] == "short + committee.stallers=6"
    )
    same = json.loads(
        invoke("compare", short, short, "--set", "committee.stallers=6", "-n", 3, "--json").output
    )
    assert same["diff"] == both["diff"]  # --set applies to B whether B is named or not
    assert both["diff"]["win_rate"]["estimate"] < 0  # six stallers win less: the value reached B


def test_compare_set_a_changes_a_only_and_mistakes_name_their_option(short):
    swapped = json.loads(
        invoke(
            "compare",
            short,
            "--set-a",
            "committee.stallers=6",
            "--set",
            "committee.stallers=3",
            "-n",
            3,
            "--json",
        ).output
    )
    assert swapped["diff"]["win_rate"]["estimate"] > 0
    bad_a = invoke("compare", short, "--set-a", "committee.stallers=-1", "--set", "reps.count=4")
    assert bad_a.exit_code == 2 and bad_a.output.startswith(
        "error: --set-a 'committee.stallers=-1'"
    )
    bad_b = invoke("compare", short, "--set", "committee.stallers=-1")
    assert bad_b.exit_code == 2 and bad_b.output.startswith("error: --set 'committee.stallers=-1'")
    alone = invoke("compare", short)
    assert alone.exit_code == 2 and "needs a scenario B, or --set" in alone.output


def test_a_file_named_in_a_file_is_a_path_never_a_shipped_name(tmp_path, monkeypatch):
    """A sweep's `scenario = "baseline"` names a file beside it: no list of shipped names
    (it said "no shipped scenario of that name; shipped: baseline, ...")."""
    monkeypatch.chdir(tmp_path)
    Path("s.toml").write_text(grid_sweep("baseline", 2, {"committee.stallers": [2, 3]}))
    result = invoke("sweep", "s.toml", "--out", "o")
    assert result.exit_code == 2
    assert "baseline: no such scenario file (named by [sweep] scenario in s.toml)" in result.output
    assert "shipped" not in result.output
