"""Plots from results folders or from memory: every picture labelled, one colour per meaning."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT
from matplotlib.colors import to_hex

from sim.analysis.replications import simulate
from sim.analysis.results_folder import ResultsReadError, read_results, read_summary, write_results
from sim.cli import main
from sim.model.records import CATEGORIES
from sim.scenario import load_scenario
from sim.views import palette
from sim.views.plots import figures, load_runs
from sim.vocabulary import Outcome, Stage


def write_run(folder: Path, name: str, replications: int = 3, seed: int = 1, overrides=()) -> Path:
    """What `committee-sim run SCENARIO --out folder` writes, without the subprocess."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml", overrides)
    write_results(folder, simulate(scenario, replications=replications, seed=seed))
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("runs")
    return [
        write_run(root / "baseline", "baseline"),
        write_run(root / "overlap", "channel_overlap"),
    ]


@pytest.fixture(scope="module")
def drawn(folders):
    return figures(load_runs(folders))


def test_palette_has_a_colour_for_every_outcome_and_stage():
    assert set(palette.OUTCOME_COLOURS) == set(Outcome)
    assert set(palette.STAGE_COLOURS) == set(Stage)
    assert len(set(palette.OUTCOME_COLOURS.values())) == len(Outcome)
    assert len(set(palette.STAGE_COLOURS.values())) == len(Stage)


def test_read_results_gives_back_what_was_written(folders):
    results, summary = read_results(folders[1]), read_summary(folders[1])
    again = simulate(
        load_scenario(ROOT / "scenarios" / "channel_overlap.toml"), replications=3, seed=1
    )
    assert (results.scenario, results.seed, results.replication_count) == (again.scenario, 1, 3)
    assert list(results.deals.columns) == list(again.deals.columns)
    for name, labels in CATEGORIES.items():
        assert list(results.deals[name].cat.categories) == list(labels)
        assert results.deals[name].astype(str).tolist() == again.deals[name].astype(str).tolist()
    pd.testing.assert_series_equal(
        results.deals["cycle_days"], again.deals["cycle_days"], atol=1e-4, rtol=0
    )
    assert results.partners["partner"].tolist() == again.partners["partner"].tolist()
    assert summary["parameters"]["reps"]["drought_days"] == math.inf  # "inf" in the file
    assert summary["scenario"] == "channel_overlap"


def test_every_figure_has_a_title_labelled_axes_and_a_legend(drawn):
    assert set(drawn) == {
        "win_rate",
        "cycle_length",
        "outcomes",
        "time_use",
        "pipeline",
        "revenue_split",
        "timeline_baseline",
        "timeline_channel_overlap",
    }
    for name, figure in drawn.items():
        assert figure.get_suptitle() or all(ax.get_title() for ax in figure.axes), name
        assert figure.legends or any(ax.get_legend() for ax in figure.axes), name
        for ax in figure.axes:
            assert ax.get_xlabel() and ax.get_ylabel(), name


def test_the_same_meaning_has_the_same_colour(drawn):
    outcome_legend = drawn["outcomes"].axes[0].get_legend()
    shown = {
        text.get_text(): to_hex(handle.get_facecolor())
        for text, handle in zip(
            outcome_legend.get_texts(), outcome_legend.legend_handles, strict=True
        )
    }
    assert shown == {outcome.label: palette.OUTCOME_COLOURS[outcome] for outcome in Outcome}
    time_legend = drawn["time_use"].axes[0].get_legend()
    timeline_legend = drawn["timeline_baseline"].legends[0]
    for legend in (time_legend, timeline_legend):
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
            stage = next(stage for stage in Stage if stage.label == text.get_text())
            assert to_hex(handle.get_facecolor()) == palette.STAGE_COLOURS[stage]
    line_colours = [
        {line.get_label(): to_hex(line.get_color()) for line in drawn[name].axes[0].get_lines()}
        for name in ("cycle_length", "pipeline")
    ]
    assert line_colours[0]["baseline"] == line_colours[1]["baseline"]
    assert line_colours[0]["channel_overlap"] == line_colours[1]["channel_overlap"]


def test_revenue_split_adds_up_to_gross_revenue(drawn, folders):
    summary = read_summary(folders[1])
    bars = drawn["revenue_split"].axes[0].patches
    assert sum(bar.get_height() for bar in bars) == pytest.approx(
        summary["revenue_gross"], rel=1e-3
    )


def test_no_revenue_split_without_partners(folders):
    assert "revenue_split" not in figures(load_runs(folders[:1]), timelines=False)


def test_plot_command_writes_png_and_svg(folders, tmp_path):
    result = CliRunner().invoke(
        main, ["plot", str(folders[0]), "--out", str(tmp_path / "pictures")]
    )
    assert result.exit_code == 0, result.output
    stems = {"win_rate", "cycle_length", "outcomes", "time_use", "pipeline", "timeline_baseline"}
    assert {path.stem for path in (tmp_path / "pictures").iterdir()} == stems
    for stem in stems:
        assert (tmp_path / "pictures" / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (tmp_path / "pictures" / f"{stem}.svg").read_bytes()[:1000]


def test_plot_mistakes_exit_2_with_one_message(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "summary.json").write_text("{}")
    for folder, message in (
        (tmp_path / "absent", "no such results folder"),
        (tmp_path / "half", "missing deals.csv, replications.csv, partners.csv"),
    ):
        result = CliRunner().invoke(main, ["plot", str(folder), "--out", str(tmp_path / "p")])
        assert result.exit_code == 2
        assert result.output == f"error: {folder}: {result.output.split(': ', 2)[2]}"
        assert message in result.output and result.output.count("\n") == 1
    with pytest.raises(ResultsReadError):
        read_results(tmp_path / "absent")


def drawn_numbers(figure) -> list[float]:
    """The bars' heights and widths and the lines' points of every panel."""
    numbers: list[float] = []
    for ax in figure.axes:
        for patch in ax.patches:
            numbers += [patch.get_height(), patch.get_width()]
        for line in ax.get_lines():
            numbers += np.asarray(line.get_xydata(), dtype=float).ravel().tolist()
    return numbers


def drawn_words(figure) -> list:
    """Every title, axis label, tick label and legend entry."""
    words = [
        figure.get_suptitle(),
        [text.get_text() for legend in figure.legends for text in legend.get_texts()],
    ]
    for ax in figure.axes:
        legend = ax.get_legend()
        words += [
            ax.get_title(loc="left") + ax.get_title(),
            ax.get_xlabel(),
            ax.get_ylabel(),
            [label.get_text() for label in ax.get_xticklabels() + ax.get_yticklabels()],
            [text.get_text() for text in legend.get_texts()] if legend else [],
        ]
    return words


def test_results_in_memory_are_drawn_as_their_folder(tmp_path):
    """`figures` takes sim.simulate's results as they are, and draws what `plot` draws from the
    folder they are written to (the folder's tables are rounded to four decimals)."""
    results = simulate(load_scenario(ROOT / "scenarios/channel_overlap.toml"), 2, seed=3)
    write_results(tmp_path / "overlap", results)
    in_memory = figures([results])
    from_folder = figures(load_runs([tmp_path / "overlap"]))
    assert list(in_memory) == list(from_folder)
    assert "timeline_channel_overlap" in in_memory and "revenue_split" in in_memory
    for name, figure in in_memory.items():
        assert drawn_words(figure) == drawn_words(from_folder[name]), name
        assert drawn_numbers(figure) == pytest.approx(
            drawn_numbers(from_folder[name]), rel=1e-5, abs=1e-3
        ), name
