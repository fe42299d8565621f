"""Replications on several processes: `run` and `compare --workers N` give the same bytes as one.

Also the order blocks are taken in, the progress they report, and the bars the commands
show on a terminal (and not with --quiet).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import assert_user_error

import sim.analysis.replications as replications_module
from sim.analysis.compare import metrics_of_each
from sim.analysis.metrics import replication_metrics
from sim.analysis.replications import DealColumns, block_size, simulate
from sim.cli import Terminated, main
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.toml")
CHANNEL = str(ROOT / "scenarios" / "channel_overlap.toml")
SHORT = ["--set", "scenario.warmup_days=60", "--set", "scenario.horizon_days=240"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def short(path: str):
    return load_scenario(path, [value for value in SHORT if value != "--set"])


@pytest.fixture
def pair(tmp_path) -> tuple[str, str]:
    """Two short scenarios for `compare` (which has no --set): the baseline and three partners."""
    paths = []
    for name, base in (("short_baseline", BASELINE), ("short_channel", CHANNEL)):
        path = tmp_path / f"{name}.toml"
        path.write_text(
            f'[scenario]\nbase = "{Path(base).as_posix()}"\nname = "{name}"\n'
            "warmup_days = 60\nhorizon_days = 240\n",
            encoding="utf-8",
        )
        paths.append(str(path))
    return paths[0], paths[1]


def test_run_writes_the_same_bytes_with_two_workers_as_with_one(tmp_path):
    folders = {}
    for workers in ("1", "2"):
        folders[workers] = tmp_path / f"workers_{workers}"
        done = invoke(
            "run", CHANNEL, "-n", "6", "--workers", workers, "--out", folders[workers], *SHORT
        )
        assert done.exit_code == 0, done.output
    one, two = (sorted(path.name for path in folders[w].iterdir()) for w in ("1", "2"))
    assert one == two and "deals.csv" in one and "manifest.json" in one
    for name in one:  # nothing records the workers or the time: every file is the same
        assert (folders["1"] / name).read_bytes() == (folders["2"] / name).read_bytes(), name


def test_compare_gives_the_same_answer_with_two_workers_as_with_one(pair):
    answers = [
        invoke("compare", *pair, "-n", "5", "--json", "--workers", w, "--quiet") for w in ("1", "2")
    ]
    assert all(answer.exit_code == 0 for answer in answers), answers[0].output
    assert answers[0].stdout == answers[1].stdout


def test_compare_measures_each_replication_as_the_deal_table_would():
    a, b = short(BASELINE), short(CHANNEL)
    measured = metrics_of_each([a, b], 3, seed=4)
    for scenario, table in zip((a, b), measured, strict=True):
        expected = replication_metrics(simulate(scenario, 3, seed=4))
        pd.testing.assert_frame_equal(table, expected, check_exact=True)


def reversed_execute(function, tasks, workers=None):
    """An executor whose tasks finish in the reverse order, as a pool's may."""
    results = [function(*task) for task in tasks]
    return (result for result in reversed(results))


def test_blocks_finishing_out_of_order_are_taken_in_replication_order(monkeypatch):
    scenario = short(CHANNEL)
    expected = simulate(scenario, 5, seed=3)
    monkeypatch.setattr(replications_module, "execute", reversed_execute)
    seen: list[int] = []
    shuffled = simulate(scenario, 5, seed=3, workers=2, progress=seen.append)
    for table in ("deals", "replications", "partners"):
        pd.testing.assert_frame_equal(
            getattr(shuffled, table), getattr(expected, table), check_exact=True
        )
    assert sum(seen) == 5 and len(seen) == 5  # one block per replication at this size


def test_progress_is_told_of_every_replication_once():
    seen: list[int] = []
    simulate(short(BASELINE), 4, seed=2, progress=seen.append)
    assert seen == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("replications", "workers", "size"),
    [(20, 1, 1), (20, 2, 2), (100, 2, 7), (200, 2, 13), (100_000, 2, 16), (3, 4, 1)],
)
def test_blocks_are_small_enough_to_share_out(replications, workers, size):
    assert block_size(replications, workers) == size


def test_deal_columns_grow_when_replications_are_larger_than_the_first():
    rng = np.random.default_rng(0)
    parts = [
        {"replication": np.full(size, r, dtype=np.int32), "created_day": rng.random(size)}
        for r, size in enumerate([3, 0, 50, 7, 400, 1])
    ]
    columns = DealColumns(2)  # room for about 2 x 3 rows: it must grow, several times
    for part in parts:
        columns.add(part)
    table = columns.table()
    for name in ("replication", "created_day"):
        assert np.array_equal(table[name].to_numpy(), np.concatenate([p[name] for p in parts]))
    assert table["replication"].dtype == np.int32


def test_the_library_refuses_no_workers():
    with pytest.raises(ValueError, match="workers must be at least 1"):
        simulate(short(BASELINE), 2, workers=0)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_workers_must_be_at_least_one(command):
    scenarios = [BASELINE] if command == "run" else [BASELINE, CHANNEL]
    assert_user_error(invoke(command, *scenarios, "--workers", "0"), "--workers")


class FakeBar:
    """Stands in for the terminal's progress bar: what it was asked to show."""

    def __init__(self):
        self.shown: list[tuple[int, str, str]] = []
        self.advanced = 0

    @contextlib.contextmanager
    def __call__(self, total, name, unit, done=0, transient=False):
        self.shown.append((total, name, unit))

        def advance(count):
            self.advanced += count

        yield advance


@pytest.fixture
def terminal(monkeypatch):
    """As if stdout were a terminal; the bar shown is recorded, not drawn."""
    import sim.views.progress as progress

    bar = FakeBar()
    monkeypatch.setattr(progress, "is_terminal", lambda: True)
    monkeypatch.setattr(progress, "progress_bar", bar)
    return bar


def test_run_and_compare_show_a_bar_on_a_terminal(terminal, pair):
    assert invoke("run", BASELINE, "-n", "3", *SHORT).exit_code == 0
    assert terminal.shown == [(3, "baseline", "simulated runs")] and terminal.advanced == 3
    done = invoke("compare", *pair, "-n", "2", "--workers", "1")
    assert done.exit_code == 0, done.output
    assert terminal.shown[-1] == (4, "short_baseline vs short_channel", "simulated runs")
    assert terminal.advanced == 3 + 4


def test_quiet_shows_no_bar(terminal, pair):
    assert invoke("run", BASELINE, "-n", "2", "--quiet", *SHORT).exit_code == 0
    assert invoke("compare", *pair, "-n", "2", "--quiet", "--workers", "1").exit_code == 0
    assert terminal.shown == []


def test_trace_shows_that_it_is_working_on_a_terminal(terminal, monkeypatch):
    import sim.views.progress as progress

    told: list[tuple[str, bool]] = []

    @contextlib.contextmanager
    def working(what, shown=True):
        told.append((what, shown))
        yield

    monkeypatch.setattr(progress, "working", working)
    assert invoke("trace", BASELINE, *SHORT).exit_code == 0
    assert invoke("trace", BASELINE, "--quiet", *SHORT).exit_code == 0
    assert told == [
        ("simulating run 0 of baseline", True),
        ("simulating run 0 of baseline", False),
    ]


@pytest.mark.parametrize(("stop", "code"), [(KeyboardInterrupt, 130), (Terminated, 143)])
def test_an_interrupted_run_stops_with_one_line(monkeypatch, tmp_path, stop, code):
    """Ctrl-C, or SIGTERM (raised as Terminated while the run goes on), ends `run` cleanly."""

    def interrupted(*args, **kwargs):
        raise stop

    monkeypatch.setattr(replications_module, "simulate", interrupted)
    done = invoke("run", BASELINE, "-n", "2", "--out", tmp_path / "out")
    assert done.exit_code == code
    assert done.stderr == "interrupted: nothing was written\n" and not (tmp_path / "out").exists()


def test_a_short_run_stays_in_this_process_unless_workers_are_asked_for(monkeypatch):
    """A pool takes about half a second to start: by default only a longer run is worth it."""
    asked: list[int | None] = []
    real_execute = replications_module.execute

    def recording(function, tasks, workers=None):
        asked.append(workers)
        return real_execute(function, tasks, 1)  # the same results, here

    monkeypatch.setattr(replications_module, "execute", recording)
    simulate(short(BASELINE), 4, seed=1, workers=None)
    simulate(short(BASELINE), 4, seed=1, workers=2)
    monkeypatch.setattr(replications_module, "POOL_PAYS_AFTER_SECONDS", 0.0)
    simulate(short(BASELINE), 4, seed=1, workers=None)
    assert asked == [1, 2, None]
