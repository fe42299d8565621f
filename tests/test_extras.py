"""What only some users need is an optional extra, and a command that needs one says which."""

from __future__ import annotations

import importlib.util

from click.testing import CliRunner
from conftest import ROOT

from sim.cli import main


def test_scheduler_without_distributed_names_the_extra(monkeypatch, tmp_path):
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "distributed" else found(name, *a),
    )
    sweep = ROOT / "scenarios" / "sweeps" / "stallers_grid.toml"
    result = CliRunner().invoke(
        main,
        ["sweep", str(sweep), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 2
    assert result.output == (
        "error: --scheduler needs distributed, in the optional extra 'cluster': "
        "pip install 'committee-sim[cluster]' (or, in a clone, pip install '.[cluster]')\n"
    )
    assert not (tmp_path / "o").exists()
