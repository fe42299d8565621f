"""docs/teaching.md stays true: every command in it runs, every picture it names appears,
and the lessons' headline claims hold for the runs it makes."""

from __future__ import annotations

import json
import re
import shlex

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from sim.cli import main

GUIDE = ROOT / "docs" / "teaching.md"
INSTALL = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -q . "
    "&& committee-sim run scenarios/baseline.toml"
)


def guide_commands() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [
        line
        for block in re.findall(r"```sh\n(.*?)\n```", text, flags=re.DOTALL)
        for line in block.splitlines()
    ]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A class folder where every command of the guide has been run, in order."""
    room = tmp_path_factory.mktemp("classroom")
    (room / "scenarios").symlink_to(ROOT / "scenarios")
    runner = CliRunner()
    outputs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(room)
        for command in guide_commands():
            if command == INSTALL:  # the README's quick start, tested in test_docs
                continue
            program, *args = shlex.split(command)
            assert program == "committee-sim", f"the guide may only run committee-sim: {command}"
            result = runner.invoke(main, args)
            assert result.exit_code == 0, f"{command}\n{result.output}"
            outputs[command] = result.output
    return room, outputs


def summary(room, name: str) -> dict:
    return json.loads((room / "class" / name / "summary.json").read_text())


def first_win_day(room, name: str) -> float:
    """The day of the first win, averaged over replications."""
    deals = pd.read_csv(room / "class" / name / "deals.csv")
    return deals[deals["outcome"] == "won"].groupby("replication")["closed_day"].min().mean()


def test_guide_has_five_exercises_and_is_linked_from_the_readme():
    text = GUIDE.read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d\. ", text, flags=re.MULTILINE)) == 5
    assert text.count("**Predict:**") == text.count("**Look at**") == text.count("**Lesson:**") == 5
    assert "docs/teaching.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_picture_the_guide_names_is_made(classroom):
    room, _ = classroom
    named = re.findall(r"`(class/[^`]+\.(?:png|html))`", GUIDE.read_text(encoding="utf-8"))
    assert len(named) >= 5
    for path in named:
        assert (room / path).is_file(), f"the guide names {path}, but no command made it"


def test_the_lessons_hold(classroom):
    room, outputs = classroom
    base, twelve = summary(room, "stallers8"), summary(room, "stallers12")
    assert twelve["cycle_days_km_median"] > base["cycle_days_km_median"] + 30  # exercise 1
    assert twelve["win_rate"] < base["win_rate"]
    kit = summary(room, "kit")
    assert kit["cycle_days_km_median"] < base["cycle_days_km_median"]  # exercise 2
    assert kit["reactive_share"] < base["reactive_share"]
    assert summary(room, "overlap_all")["commission_share"] == pytest.approx(0.6)  # exercise 3
    assert 0.3 < summary(room, "overlap")["commission_share"] < 0.6
    new_vp = summary(room, "new_vp")  # exercise 4
    assert new_vp["outcomes"]["no_decision"] > 1.5 * base["outcomes"]["no_decision"]
    assert first_win_day(room, "new_vp") > first_win_day(room, "stallers8") + 30
    assert base["outcomes"]["no_decision"] > 2 * base["outcomes"]["lost_competitor"]  # exercise 5
    traced = [output for command, output in outputs.items() if " trace " in f" {command} "]
    assert any("staller kit has a ready answer" in output for output in traced)
    assert any("Outcome: no decision" in output for output in traced)
