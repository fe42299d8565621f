"""Docs and shipped files stay true: the parameter table, the scenarios, the quick start."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, script

from sim.analysis.metrics import metric_table
from sim.analysis.replications import simulate
from sim.analysis.summary import summarise
from sim.cli import main
from sim.model import records
from sim.model.records import DEAL_COLUMNS, deal_column_table
from sim.scenario import LISTS, SECTIONS, load_scenario

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def test_generated_tables_in_docs_match_their_declarations():
    """Parameters (model.md), deal columns and metrics (results.md) are generated, never edited."""
    module = script("update_docs")
    for name, tables in module.TABLES.items():
        text = (module.DOCS / name).read_text(encoding="utf-8")
        assert module.render(text, tables) == text, f"docs/{name} is stale: run update_docs.py"
    results = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    assert metric_table() in results and deal_column_table() in results


def test_the_deal_table_has_exactly_the_declared_columns_in_order(monkeypatch):
    deals = simulate(ROOT / "scenarios" / "channel_overlap.toml", replications=1, seed=1).deals
    assert list(deals.columns) == list(DEAL_COLUMNS)
    assert list(deals.columns[:3]) == ["replication", "deal_id", "source"]  # as documented
    # A column the model computes but nobody declared (so nobody documented) is refused.
    undeclared = {name: meaning for name, meaning in DEAL_COLUMNS.items() if name != "stalls"}
    monkeypatch.setattr(records, "DEAL_COLUMNS", undeclared)
    with pytest.raises(AssertionError, match="every column is declared"):
        simulate(ROOT / "scenarios" / "baseline.toml", replications=1, seed=1)


def test_every_parameter_is_explained_in_the_model_docs():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    prose = text.split("<!-- parameters:start -->")[0]
    for section, model in SECTIONS.items():
        for key in model.model_fields:
            if section != "scenario":
                assert key in prose, f"{section}.{key} has no explanation in docs/model.md"
    for (
        section,
        model,
    ) in LISTS.items():  # [[partners]]; a partner's name, like the scenario's, needs none
        for key in model.model_fields:
            if key != "name":
                assert key in prose, f"{section}[].{key} has no explanation in docs/model.md"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenario_validates_runs_and_describes_itself(path):
    scenario = load_scenario(path)
    assert scenario.scenario.name == path.stem
    assert len(scenario.scenario.description) > 40
    summary = summarise(simulate(scenario, replications=2, seed=1))
    assert summary["deals"] > 0 and summary["scenario"] == path.stem


def test_readme_quick_start_runs_the_baseline(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    assert commands[0].endswith("committee-sim run baseline")
    assert commands[1].endswith("python -m pytest")
    assert (ROOT / ".ci" / "run").read_text().strip().endswith(commands[1])
    entry = shutil.which("committee-sim")
    program = [entry] if entry else [sys.executable, "-m", "sim"]
    done = subprocess.run(
        [*program, "run", "baseline"],
        cwd=tmp_path,  # a shipped scenario by its bare name, from any folder
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "win rate" in done.stdout and "no decision" in done.stdout


def test_readme_trace_example_is_what_the_command_prints(monkeypatch):
    """The README shows `trace`'s output as it is: regenerate the block when the story changes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```text\n\$ (committee-sim trace [^\n]+)\n(.*?)\n```", readme, flags=re.S)
    assert example, "the README's trace section shows a command and its output"
    command, shown = example.groups()
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n") == shown
