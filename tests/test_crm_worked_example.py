"""docs/crm-import.md's worked example runs as written (a smaller search), and the
`calibrate` and `forecast` commands refuse bad input with one line and exit code 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import documented

from sim.cli import main
from sim.scenario.loading import validate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs/crm-import.md"
# What the test adds to the documented commands so that they finish in seconds: a search
# of one small round on a shorter warm-up, and fewer forecast runs, on one core (the suite
# runs other tests on the others). Everything else is as the reader runs it.
QUICKER = {
    "committee-sim calibrate": " --search-points 12 --rounds 1 --simulated-deals 200 --quiet"
    " --set scenario.warmup_days=365 --workers 1",
    "committee-sim forecast": " -n 20 --quiet --out forecast.csv --workers 1",
}


def worked_example() -> list[str]:
    section = DOC.read_text(encoding="utf-8").split("## Calibrate and forecast", 1)[1]
    [block] = re.findall(r"^```sh\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)[:1]
    return [line for line in block.splitlines() if line.strip()]


def quicker(line: str) -> str:
    for start, extra in QUICKER.items():
        if line.startswith(start):
            return line + extra
    return line


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("acme")
    shutil.copytree(ROOT / "scripts", folder / "scripts")
    return folder, [documented(quicker(line), folder) for line in worked_example()]


def test_the_example_is_three_commands():
    lines = worked_example()
    assert [line.split()[0:2] for line in lines] == [
        ["python", "scripts/synthetic_crm.py"],
        ["committee-sim", "calibrate"],
        ["committee-sim", "forecast"],
    ]


def test_calibrate_writes_a_scenario_and_a_fit_report(example):
    folder, outputs = example
    scenario = validate(tomllib.loads((folder / "acme.toml").read_text()), source="acme.toml")
    assert scenario.scenario.name == "acme"
    assert "95% CI" in (folder / "acme.toml").read_text()
    page = (folder / "acme.html").read_text()
    assert "committee-sim fit report: acme" in page and "Hansen's J" in page
    assert "wrote acme.toml and acme.html" in outputs[1]


def test_forecast_prints_intervals_and_writes_each_deal(example):
    folder, outputs = example
    assert "80% prediction interval" in outputs[2]
    header = (folder / "forecast.csv").read_text().splitlines()[0]
    assert header.startswith("opportunity_id,stage,age_days,value,owner,p_won")


def test_calibrate_never_replaces_its_files_without_force(example):
    folder, _ = example
    before = (folder / "acme.toml").read_bytes()
    result = CliRunner().invoke(
        main,
        [
            "calibrate",
            str(folder / "acme"),
            "--format",
            "salesforce",
            "--out",
            str(folder / "acme.toml"),
        ],
    )
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output
    assert (folder / "acme.toml").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calibrate", "missing.csv", "--out", "a.toml"], "missing.csv: no such file"),
        (["calibrate", "x.csv", "--format", "sap", "--out", "a.toml"], "unknown CRM format"),
        (["calibrate", "x.csv", "--out", "a.toml", "--stage", "Demo"], "expected NAME=STAGE"),
        (["calibrate", "x.csv", "--out", "a.toml", "--stage", "Demo=demo"], "not a model stage"),
        (["forecast", "baseline", "--pipeline", "missing.csv"], "missing.csv: no such file"),
        (["calibrate", "x.csv", "--out", "a.html"], "is the --out file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    (tmp_path / "x.csv").write_text("opportunity_id\n1\n")
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


FORMATS = ("generic", "salesforce", "hubspot", "pipedrive")


@pytest.fixture(scope="module")
def every_format(tmp_path_factory) -> Path:
    """One synthetic company's export written in all four formats."""
    folder = tmp_path_factory.mktemp("formats")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/synthetic_crm.py"),
            "baseline",
            "--format",
            "all",
            "--out",
            str(folder / "crm"),
            "--years",
            "2",
            "--seed",
            "6",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return folder / "crm"


def test_every_format_reads_as_the_same_company(every_format):
    from sim.analysis.calibration import Evidence
    from sim.scenario.crm import read_export

    as_of = json.loads((every_format / "truth.json").read_text())["as_of"]
    windows = {}
    for name in FORMATS:
        evidence = Evidence.of(read_export(every_format / name, name, as_of=as_of))
        windows[name] = (evidence.window, evidence.owners, evidence.sources)
    first = windows["generic"]
    for name in FORMATS[1:]:
        window, owners, sources = windows[name]
        assert np.array_equal(window.created, first[0].created), name
        assert np.array_equal(window.closed, first[0].closed, equal_nan=True), name
        assert np.array_equal(window.outcome, first[0].outcome), name
        assert (owners, sources) == first[1:], name


@pytest.mark.slow
@pytest.mark.parametrize("name", FORMATS)
def test_both_commands_run_on_every_format(every_format, tmp_path, name):
    as_of = json.loads((every_format / "truth.json").read_text())["as_of"]
    export = str(every_format / name)
    runner = CliRunner()
    calibrated = runner.invoke(
        main,
        [
            "calibrate",
            export,
            "--format",
            name,
            "--as-of",
            as_of,
            "--out",
            str(tmp_path / "co.toml"),
            "--search-points",
            "12",
            "--rounds",
            "2",
            "--quiet",
            "--workers",
            "1",
        ],
    )
    assert calibrated.exit_code == 0, calibrated.output
    forecast = runner.invoke(
        main,
        [
            "forecast",
            str(tmp_path / "co.toml"),
            "--pipeline",
            export,
            "--format",
            name,
            "--as-of",
            as_of,
            "-n",
            "20",
            "--quiet",
            "--workers",
            "1",
        ],
    )
    assert forecast.exit_code == 0, forecast.output
    assert "80% prediction interval" in forecast.output


def test_the_command_line_searches_as_the_library_does():
    from sim.analysis.fitting import Design

    defaults = {param.name: param.default for param in main.commands["calibrate"].params}
    design = Design()
    assert (defaults["search_points"], defaults["rounds"], defaults["simulated_deals"]) == (
        design.points,
        design.rounds,
        design.simulated_deals,
    )
