"""Plots from results folders or from memory: every picture labelled, one colour per meaning.

Every figure but the pipeline counts what summary.json counts: the deals that arrived in
the window after the warm-up. The runs here are short, with a warm-up, to keep tests fast
and to make counting visible.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer

from sim.analysis.metrics import OPEN, outcome_codes
from sim.analysis.replications import simulate
from sim.analysis.results_folder import ResultsReadError, read_results, read_summary, write_results
from sim.cli import main
from sim.model.records import CATEGORIES
from sim.scenario import load_scenario
from sim.views import palette, plots
from sim.views.plots import WARMUP, figures, load_runs
from sim.vocabulary import NO_DECISION_REASONS, Outcome, Stage, Step

# A short run with a warm-up: fast, and deals that arrive before day 100 are not counted.
WARMUP_DAYS = 100
WINDOW = ("scenario.horizon_days=400", f"scenario.warmup_days={WARMUP_DAYS}")

# The figures of every run; a channel run adds `revenue_split`, each run its own timeline.
EVERY_RUN = (
    "win_rate",
    "funnel",
    "cycle_length",
    "outcomes",
    "no_decision",
    "time_use",
    "pipeline",
    "timeline_baseline",
)


def short(name: str, overrides=()):
    """A shipped scenario, run over the short window."""
    return load_scenario(ROOT / "scenarios" / f"{name}.toml", [*WINDOW, *overrides])


def write_run(folder: Path, name: str, replications: int = 3, seed: int = 1, overrides=()) -> Path:
    """What `committee-sim run SCENARIO --out folder` writes, without the subprocess (short)."""
    write_results(folder, simulate(short(name, overrides), replications=replications, seed=seed))
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


def test_palette_has_a_colour_for_every_outcome_stage_reason_and_funnel_step():
    for colours, meanings in (
        (palette.OUTCOME_COLOURS, tuple(Outcome)),
        (palette.STAGE_COLOURS, tuple(Stage)),
        (palette.REASON_COLOURS, NO_DECISION_REASONS),
        (palette.FUNNEL_COLOURS, tuple(Step)),
    ):
        assert list(colours) == list(meanings) or set(colours) == set(meanings)
        assert len(set(colours.values())) == len(meanings), "told apart within a figure"


def test_read_results_gives_back_what_was_written(folders):
    results, summary = read_results(folders[1]), read_summary(folders[1])
    again = simulate(short("channel_overlap"), replications=3, seed=1)
    assert (results.scenario, results.seed, results.replication_count) == (again.scenario, 1, 3)
    assert list(results.deals.columns) == list(again.deals.columns)
    for name, labels in CATEGORIES.items():
        assert list(results.deals[name].cat.categories) == list(labels)
        assert results.deals[name].astype(str).tolist() == again.deals[name].astype(str).tolist()
    pd.testing.assert_series_equal(
        results.deals["cycle_days"], again.deals["cycle_days"], atol=1e-4, rtol=0
    )
    assert results.deals["counted"].dtype == bool
    assert results.deals["counted"].tolist() == again.deals["counted"].tolist()
    assert 0 < results.deals["counted"].sum() < len(results.deals), "the warm-up's are not"
    assert results.partners["partner"].tolist() == again.partners["partner"].tolist()
    assert summary["parameters"]["reps"]["drought_days"] == math.inf  # "inf" in the file
    assert summary["scenario"] == "channel_overlap"


def test_every_figure_has_a_title_labelled_axes_and_a_legend(drawn):
    assert set(drawn) == {*EVERY_RUN, "revenue_split", "timeline_channel_overlap"}
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


def test_revenue_split_adds_up_to_gross_revenue_per_year(drawn, folders):
    summary = read_summary(folders[1])
    bars = drawn["revenue_split"].axes[0].patches
    assert bars[0].get_height() == pytest.approx(summary["revenue_net_per_year"], rel=1e-6)
    assert sum(bar.get_height() for bar in bars) == pytest.approx(
        summary["revenue_gross_per_year"], rel=1e-3
    )


def containers(figure) -> dict[str, list[float]]:
    """Each labelled group of bars: its label and its bars' lengths (heights, or widths)."""
    return {
        container.get_label(): [
            bar.get_width() if container.orientation == "horizontal" else bar.get_height()
            for bar in container.patches
        ]
        for container in figure.axes[0].containers
        if isinstance(container, BarContainer)
    }


def test_no_decision_bars_are_the_shares_of_the_summarys_reasons(drawn, folders):
    summaries = [read_summary(folder) for folder in folders]
    shown = containers(drawn["no_decision"])
    assert list(shown) == [reason.label for reason in NO_DECISION_REASONS]
    for position, summary in enumerate(summaries):
        counts = summary["no_decision_reasons"]
        total = sum(counts.values())
        assert total == summary["outcomes"][Outcome.NO_DECISION.key] > 0
        for reason in NO_DECISION_REASONS:
            share = 100 * counts[reason.key] / total
            assert shown[reason.label][position] == pytest.approx(share), reason
        assert sum(shown[r.label][position] for r in NO_DECISION_REASONS) == pytest.approx(100)
    for container in drawn["no_decision"].axes[0].containers:
        assert isinstance(container, BarContainer)
        reason = next(r for r in NO_DECISION_REASONS if r.label == container.get_label())
        assert to_hex(container.patches[0].get_facecolor()) == palette.REASON_COLOURS[reason]


def test_funnel_bars_are_the_summarys_funnel_per_year_in_order(drawn, folders):
    summaries = [read_summary(folder) for folder in folders]
    shown = containers(drawn["funnel"])
    assert list(shown) == [step.label for step in Step]
    for position, summary in enumerate(summaries):
        funnel = summary["funnel_per_year"]
        assert [shown[step.label][position] for step in Step] == pytest.approx(
            [funnel[step.key] for step in Step]
        )
        assert funnel["leads"] == pytest.approx(summary["deals_per_year"])
    ax = drawn["funnel"].axes[0]
    centres = [
        [bar.get_x() + bar.get_width() / 2 for bar in container.patches]
        for container in ax.containers
        if isinstance(container, BarContainer)
    ]
    for position, tick in enumerate(ax.get_xticks()):
        group = [step_centres[position] for step_centres in centres]
        assert group == sorted(group), "steps left to right"
        assert min(group) < tick < max(group), "one group per scenario, around its tick"


def test_outcomes_and_win_rate_count_only_the_window(drawn, folders):
    summaries = [read_summary(folder) for folder in folders]
    shown = containers(drawn["outcomes"])
    for position, summary in enumerate(summaries):
        total = sum(summary["outcomes"].values())
        assert total == summary["deals"]
        for outcome in Outcome:
            share = 100 * summary["outcomes"][outcome.key] / total
            assert shown[outcome.label][position] == pytest.approx(share), outcome
    rates = containers(drawn["win_rate"])
    for summary in summaries:
        assert rates[summary["scenario"]] == pytest.approx([100 * summary["win_rate"]])
    ends = [
        segment[:, 1]
        for collection in drawn["win_rate"].axes[0].collections
        for segment in collection.get_segments()
    ]
    assert sorted(e for pair in ends for e in pair) == pytest.approx(
        sorted(100 * end for summary in summaries for end in summary["win_rate_ci"])
    )


def test_cycle_and_time_use_count_opportunities_of_the_window(drawn, folders):
    runs = load_runs(folders)
    lines = {line.get_label(): line for line in drawn["cycle_length"].axes[0].get_lines()}
    bars = containers(drawn["time_use"])
    for position, run in enumerate(runs):
        deals = run.results.deals
        counted = deals["counted"].to_numpy() & deals["qualified"].to_numpy()
        drops = set(lines[run.name].get_xdata()[1:])
        assert drops <= set(deals.loc[counted, "age_days"])
        assert drops & set(deals.loc[~counted, "age_days"]) == set()
        closed = deals[counted & (outcome_codes(deals) != OPEN)]
        for stage in Stage:
            mean = closed[f"days_{stage.key}"].mean()
            assert bars[stage.label][position] == pytest.approx(mean), stage


def test_pipeline_shows_the_whole_horizon_with_the_warm_up_shaded(drawn):
    for ax in drawn["pipeline"].axes:
        shaded = [patch for patch in ax.patches if patch.get_label() == WARMUP]
        assert len(shaded) == 1
        assert shaded[0].get_x() == 0 and shaded[0].get_width() == WARMUP_DAYS
        assert max(max(line.get_xdata()) for line in ax.get_lines()) == 400


def test_no_revenue_split_without_partners(folders):
    assert "revenue_split" not in figures(load_runs(folders[:1]), timelines=False)


def test_plot_command_writes_png_and_svg(folders, tmp_path):
    result = CliRunner().invoke(
        main, ["plot", str(folders[0]), "--out", str(tmp_path / "pictures")]
    )
    assert result.exit_code == 0, result.output
    stems = set(EVERY_RUN)
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
    results = simulate(short("channel_overlap"), 2, seed=3)
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


def test_svg_clip_paths_are_numbered_so_the_same_figure_gives_the_same_bytes():
    # matplotlib names clip paths by a hash of their rectangles' last digits, which the
    # constrained layout varies with memory layout: two such files must come out alike.
    def drawn(first: str, second: str) -> bytes:
        return (
            f'<clipPath id="{first}"><rect/></clipPath><clipPath id="{second}"><rect/>'
            f'</clipPath><path clip-path="url(#{second})"/><g clip-path="url(#{first})"/>'
        ).encode()

    one = plots._numbered_clips(drawn("p13ea433311", "pf3efe495c5"))
    other = plots._numbered_clips(drawn("p19b291dc17", "p479b036226"))
    assert one == other
    assert one == (
        b'<clipPath id="clip0"><rect/></clipPath><clipPath id="clip1"><rect/></clipPath>'
        b'<path clip-path="url(#clip1)"/><g clip-path="url(#clip0)"/>'
    )
