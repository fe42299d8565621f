"""A results folder is one unit: written whole or not at all, checked when read, never mixed."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

import sim.analysis.results_folder as folder_module
from sim.analysis.replications import simulate
from sim.analysis.results_folder import (
    FOLDER_FILES,
    ResultsExistError,
    ResultsReadError,
    read_results,
    write_results,
)
from sim.cli import main
from sim.scenario import load_scenario

QUICK = ["scenario.warmup_days=100", "scenario.horizon_days=300"]


def run(seed: int):
    return simulate(load_scenario(ROOT / "scenarios/baseline.toml", QUICK), 2, seed)


def snapshot(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_folder_is_written_whole_with_a_manifest_and_nothing_else(tmp_path):
    write_results(tmp_path / "out", run(1))
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(FOLDER_FILES)
    assert [path.name for path in tmp_path.iterdir()] == ["out"]  # no staging left behind
    assert read_results(tmp_path / "out").seed == 1


@pytest.mark.parametrize("failing_write", range(len(FOLDER_FILES)))
def test_an_interrupt_at_any_write_leaves_the_old_results_as_they_were(
    tmp_path, monkeypatch, failing_write
):
    out = tmp_path / "out"
    write_results(out, run(1))
    before = snapshot(out)
    calls = []
    real = folder_module._write_synced

    def interrupted(path, data):
        calls.append(path)
        if len(calls) > failing_write:
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(folder_module, "_write_synced", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(out, run(2), force=True)
    assert snapshot(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_a_failed_swap_puts_the_old_results_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_results(out, run(1))
    before = snapshot(out)
    real = folder_module.os.rename

    def full_disk(source, target):
        if str(source).endswith(".tmp") and target == out:
            raise OSError(28, "No space left on device")
        real(source, target)

    monkeypatch.setattr(folder_module.os, "rename", full_disk)
    with pytest.raises(OSError):
        write_results(out, run(2), force=True)
    assert snapshot(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_a_writer_that_finishes_first_wins_and_the_other_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = folder_module.manifest_json
    raced = []

    def racing(contents):  # another run writes the same folder while this one is staging
        if not raced:
            raced.append(True)
            write_results(out, run(2))
        return real(contents)

    monkeypatch.setattr(folder_module, "manifest_json", racing)
    with pytest.raises(ResultsExistError, match="written while this run was computing"):
        write_results(out, run(1))
    assert read_results(out).seed == 2  # the winner's results, whole
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_two_commands_writing_one_folder_at_once_one_succeeds_one_exits_2(tmp_path):
    command = [
        sys.executable,
        *("-m", "sim", "run", str(ROOT / "scenarios/baseline.toml"), "-n", "2"),
        *("--set", QUICK[0], "--set", QUICK[1], "--out", str(tmp_path / "out")),
    ]
    runs = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [process.communicate(timeout=120)[1] for process in runs]
    codes = sorted(process.returncode for process in runs)
    assert codes == [0, 2], errors
    assert "Traceback" not in "".join(errors)
    read_results(tmp_path / "out")  # whole and consistent


def test_a_mixed_or_damaged_folder_is_refused(tmp_path):
    write_results(tmp_path / "a", run(1))
    write_results(tmp_path / "b", run(2))
    shutil.copy(tmp_path / "b" / "deals.csv", tmp_path / "a" / "deals.csv")
    with pytest.raises(ResultsReadError, match="deals.csv is not the file written with the"):
        read_results(tmp_path / "a")
    done = CliRunner().invoke(main, ["plot", str(tmp_path / "a"), "--out", str(tmp_path / "p")])
    assert done.exit_code == 2 and "from another run" in done.output
    (tmp_path / "b" / "manifest.json").write_text("{not json")
    with pytest.raises(ResultsReadError, match="manifest.json is damaged"):
        read_results(tmp_path / "b")


def test_files_that_are_not_results_are_never_replaced(tmp_path):
    out = tmp_path / "out"
    write_results(out, run(1))
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ResultsExistError, match="holds files that are not results"):
        write_results(out, run(2), force=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_results_of_an_earlier_version_are_refused_with_a_message(tmp_path):
    out = tmp_path / "old"
    write_results(out, run(1))
    deals = pd.read_csv(out / "deals.csv").drop(columns=["counted", "reason"])
    deals.to_csv(out / "deals.csv", index=False)
    (out / "manifest.json").unlink()  # as before manifests existed
    with pytest.raises(ResultsReadError, match="lacks the columns counted, reason"):
        read_results(out)


# ---------------------------------------------------------------- where results cannot go


def refuse_to_simulate(monkeypatch):
    """Any simulation fails the test: the output location must be refused first."""

    def simulate(*_args, **_kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr("sim.analysis.replications.simulate", simulate)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda tmp: tmp / "afile" / "sub", "afile is a file, not a folder"),
        (lambda tmp: tmp / ("x" * 300), "File name too long"),
        (lambda tmp: tmp / "loop" / "out", "broken or looping symbolic link"),
    ],
)
def test_an_unusable_out_folder_is_refused_before_any_simulation(
    tmp_path, monkeypatch, make, problem
):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    refuse_to_simulate(monkeypatch)
    args = ["run", str(ROOT / "scenarios/baseline.toml"), "--out", str(make(tmp_path))]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 2, done.output
    assert problem in done.output and "Traceback" not in done.output


def test_a_nul_byte_in_the_folder_is_refused_by_the_library_too(tmp_path):
    # A command line cannot carry a NUL byte; a Python caller can.
    with pytest.raises(ResultsExistError, match="NUL byte"):
        write_results(f"{tmp_path}/nul\x00byte", run(1))


def test_operating_system_errors_are_one_message_user_2_machine_1(tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("x")
    folder = tmp_path / "r"
    write_results(folder, run(1))
    plot = ["plot", str(folder), "--out", str(tmp_path / "afile" / "pictures")]
    done = CliRunner().invoke(main, plot)
    assert done.exit_code == 2 and "afile" in done.output  # the user's path: exit 2
    assert done.output.count("\n") == 1 and "Traceback" not in done.output

    def full_disk(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(folder_module, "_write_synced", full_disk)
    args = ["run", str(ROOT / "scenarios/baseline.toml"), "-n", "1", "--out", str(tmp_path / "o")]
    done = CliRunner().invoke(main, [*args, "--set", QUICK[0], "--set", QUICK[1]])
    assert done.exit_code == 1 and "No space left on device" in done.output  # the machine's
    assert not (tmp_path / "o").exists()


def test_names_are_read_back_and_drawn_as_written(tmp_path):
    """A partner called "NA" stays "NA"; a `$` in a scenario's name is not mathematics."""
    scenario = load_scenario(
        ROOT / "scenarios/channel_single_partner.toml",
        [*QUICK, "scenario.name=budget $\\frac{$ 5", "partners.Integrator.name=NA"],
    )
    write_results(tmp_path / "r", simulate(scenario, 2, 1))
    results = read_results(tmp_path / "r")
    assert set(results.partners["partner"]) == {"NA"}
    done = CliRunner().invoke(main, ["plot", str(tmp_path / "r"), "--out", str(tmp_path / "p")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "p" / "revenue_split.png").exists()
