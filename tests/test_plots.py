"""Plots from results folders or from memory: every picture labelled, one colour per meaning.

Every figure but the pipeline counts what summary.json counts: the deals that arrived in
the window after the warm-up. The runs here are short, with a warm-up, to keep tests fast
and to make counting visible.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, assert_user_error
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cbook import STEP_LOOKUP_MAP
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex, to_rgb
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.analysis.metrics import LABELS, OPEN, outcome_codes
from sim.analysis.replications import simulate
from sim.analysis.results_folder import ResultsReadError, read_results, read_summary, write_results
from sim.cli import main
from sim.model.records import CATEGORIES
from sim.scenario import load_scenario
from sim.views import palette, plots, trace
from sim.views.formatting import percent
from sim.views.plots import WARMUP, figures, load_runs
from sim.views.trace import traced_replication
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
def drawing(folders):
    """The figures of the runs, and the replications re-run to draw their deal timelines."""
    reruns = []

    def counted(scenario, seed, replication):
        reruns.append((scenario.scenario.name, seed, replication))
        return traced_replication(scenario, seed, replication)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trace, "traced_replication", counted)
        return figures(load_runs(folders)), reruns


@pytest.fixture(scope="module")
def drawn(drawing):
    return drawing[0]


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
    time_legend = drawn["time_use"].legends[0]
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


def test_revenue_split_adds_up_to_gross_revenue_per_year_for_every_run(drawn, folders):
    """The run without partners is drawn too, all net revenue, beside the channel run."""
    ax = drawn["revenue_split"].axes[0]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["baseline", "channel_overlap"]
    notes = [text.get_text() for text in ax.texts]
    for position, folder in enumerate(folders):
        summary = read_summary(folder)
        bars = [bar for bar in ax.patches if round(bar.get_x() + bar.get_width() / 2) == position]
        assert bars[0].get_height() == pytest.approx(summary["revenue_net_per_year"], rel=1e-6)
        assert sum(bar.get_height() for bar in bars) == pytest.approx(
            summary["revenue_gross_per_year"], rel=1e-3
        )
    assert len(bars) == 4, "net revenue and three partners' commissions"
    share = read_summary(folders[1])["commission_share"]
    assert notes == ["no partners", f"{percent(share, 0)} to partners"]


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


def test_plot_command_writes_png_and_svg_and_replaces_pictures_only_with_force(folders, tmp_path):
    """As `run --out` and `report`: pictures of the same names are replaced only with --force,
    and the folder's other files never."""
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "win_rate.png").write_text("an earlier picture")
    (pictures / "notes.txt").write_text("the user's own")
    plot = ["plot", str(folders[0]), "--out", str(pictures)]
    result = CliRunner().invoke(main, [*plot, "--force"])
    assert result.exit_code == 0, result.output
    stems = set(EVERY_RUN)
    assert {path.stem for path in pictures.iterdir()} == {*stems, "notes"}
    for stem in stems:
        assert (pictures / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (pictures / f"{stem}.svg").read_bytes()[:1000]
    before = {path.name: path.read_bytes() for path in pictures.iterdir()}
    message = assert_user_error(CliRunner().invoke(main, plot), f"--out {pictures}", "--force")
    assert (
        "already holds pictures of these names (win_rate.png, win_rate.svg, funnel.png" in message
    )
    assert {path.name: path.read_bytes() for path in pictures.iterdir()} == before


def test_plot_mistakes_exit_2_with_one_message(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "summary.json").write_text("{}")
    for folder, message in (
        (tmp_path / "absent", "no such results folder"),
        (tmp_path / "half", "missing deals.csv, replications.csv, partners.csv, reps.csv"),
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


def test_timelines_re_run_only_the_first_replication_of_each_run(drawing, folders):
    """The deal timelines need an event log, which the tables do not hold: one replication
    per run is simulated again, never all of them (a shipped one takes about 0.05 s)."""
    assert drawing[1] == [(read_summary(folder)["scenario"], 1, 0) for folder in folders]
    started = time.perf_counter()
    traced_replication(load_scenario(ROOT / "scenarios" / "baseline.toml"), 1, 0)
    assert time.perf_counter() - started < 3.0, "the full baseline's first replication, re-run"


# ---------------------------------------------------------------- every picture at its real size


def laid_out(figure: Figure) -> RendererBase:
    """Lay the figure out at the resolution `plot` saves it in; the renderer that measures it."""
    figure.set_dpi(plots._save_options("png")["dpi"])
    FigureCanvasAgg(figure)
    figure.draw_without_rendering()
    return figure.canvas.get_renderer()


def shown_texts(figure: Figure) -> list[Text]:
    """Every text drawn: titles, axis labels, the tick labels in view, legends, notes."""
    hidden = {
        id(label)
        for ax in figure.axes
        for axis in (ax.xaxis, ax.yaxis)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        if not min(axis.get_view_interval()) - 1e-9
        <= tick.get_loc()
        <= max(axis.get_view_interval()) + 1e-9
        for label in (tick.label1, tick.label2)
    }
    return [
        text
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text() and id(text) not in hidden
    ]


def outside(box: Bbox, frame: Bbox) -> bool:
    """Whether `box` reaches out of `frame` by more than a pixel."""
    return (
        box.x0 < frame.x0 - 1
        or box.y0 < frame.y0 - 1
        or box.x1 > frame.x1 + 1
        or box.y1 > frame.y1 + 1
    )


def layout_problems(name: str, figure: Figure) -> list[str]:
    """What is cut off or covered in the figure at its real size."""
    renderer = laid_out(figure)
    return clipped(name, figure, renderer) + covered(name, figure, renderer)


def clipped(name: str, figure: Figure, renderer: RendererBase) -> list[str]:
    """The texts and legends of the figure that do not lie wholly inside it."""
    boxes = [
        (repr(text.get_text()), text.get_window_extent(renderer)) for text in shown_texts(figure)
    ]
    boxes += [("a legend", legend.get_window_extent(renderer)) for legend in legends(figure)]
    return [
        f"{name}: {what} at {[round(v) for v in box.extents]}, out of {figure.bbox.extents}"
        for what, box in boxes
        if outside(box, figure.bbox)
    ]


def legends(figure: Figure) -> list[Legend]:
    return [*figure.legends, *(ax.get_legend() for ax in figure.axes if ax.get_legend())]


def drawn_points(ax) -> np.ndarray:
    """Points along every line and error bar of the panel, in pixels, 20 to a segment."""
    paths = []
    for line in ax.get_lines():
        x, y = STEP_LOOKUP_MAP[line.get_drawstyle()](*np.asarray(line.get_xydata(), float).T)
        paths.append(line.get_transform().transform(np.column_stack([x, y])))
    for collection in ax.collections:
        if isinstance(collection, LineCollection):
            paths += [collection.get_transform().transform(s) for s in collection.get_segments()]
    between = np.linspace(0, 1, 20)[:, None, None]
    return np.concatenate(
        [np.empty((0, 2))]
        + [
            (path[:-1] + between * (path[1:] - path[:-1])).reshape(-1, 2)
            for path in paths
            if len(path) > 1
        ]
    )


def covered(name: str, figure: Figure, renderer: RendererBase) -> list[str]:
    """What the figure's legends cover: bars, lines, error bars, and words not their own."""
    found = []
    for legend in legends(figure):
        box = legend.get_window_extent(renderer)
        own = {id(text) for text in legend.findobj(Text)}
        found += [
            f"{name}: a legend covers {text.get_text()!r}"
            for text in shown_texts(figure)
            if id(text) not in own and box.overlaps(text.get_window_extent(renderer))
        ]
        for ax in figure.axes:
            found += [
                f"{name}: a legend covers a bar of {container.get_label()!r}"
                for container in ax.containers
                if isinstance(container, BarContainer)
                for bar in container.patches
                if bar.get_width() and bar.get_height()
                if box.overlaps(bar.get_window_extent(renderer))
            ]
            points = drawn_points(ax)
            inside = (
                (points[:, 0] > box.x0)
                & (points[:, 0] < box.x1)
                & (points[:, 1] > box.y0)
                & (points[:, 1] < box.y1)
            )
            if inside.any():
                found.append(f"{name}: a legend covers {inside.sum()} points of lines")
    return found


def test_every_picture_shows_all_its_words_and_no_legend_covers_data(drawn, folders):
    """At the size `plot` saves them: every title, label, tick label, note and legend lies
    inside the picture (no "evenue split"), and no legend hides a bar, a line or a word;
    the win rate of five runs too, whose legend once covered the first bar."""
    five = [replace(run, name=f"{run.name} {n}") for n, run in enumerate(load_runs(folders) * 3)]
    colours = palette.assign([run.name for run in five[:5]], palette.SCENARIO_CYCLE)
    pictures = {**drawn, "win_rate of five": plots.win_rate(five[:5], colours)}
    assert [
        problem for name, figure in pictures.items() for problem in layout_problems(name, figure)
    ] == []


def sobol_indices() -> pd.DataFrame:
    """Indices as SALib gives them for three outputs: one below zero, intervals past 0 and 1."""
    rows = []
    for output in ("win_rate", "cycle_days_median", "commission_share"):
        for parameter, s1, s1_conf, st, st_conf in (
            ("committee.stallers", 0.15, 0.3, 0.9, 0.3),
            ("reps.count", -0.05, 0.2, 0.2, 0.1),
            ("partners.Reseller.coverage", 0.4, 0.1, 0.6, 0.15),
        ):
            rows.append(
                {
                    "output": output,
                    "parameter": parameter,
                    "S1": s1,
                    "S1_conf": s1_conf,
                    "ST": st,
                    "ST_conf": st_conf,
                }
            )
    return pd.DataFrame(rows)


def test_sensitivity_chart_shows_whole_error_bars_and_labels_its_axes():
    figure = plots.sensitivity_figure(sobol_indices())
    assert layout_problems("sensitivity", figure) == []
    panels = figure.axes
    assert [ax.get_title() for ax in panels] == [
        f"Sobol indices: {LABELS[output]}"
        for output in ("win_rate", "cycle_days_median", "commission_share")
    ]
    for ax in panels:
        assert ax.get_xlabel() and ax.get_ylabel()
        low, high = ax.get_ylim()
        ends = [y for c in ax.collections for segment in c.get_segments() for y in segment[:, 1]]
        assert len(ends) == 2 * 6, "an error bar per index"
        assert low <= min(ends) and max(ends) <= high, "no error bar is cut off"
        assert min(ends) == pytest.approx(-0.25) and max(ends) == pytest.approx(1.2)


def lab(colour: str) -> np.ndarray:
    """A colour in CIE L*a*b* (D65), where distance is how different colours look."""
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = xyz @ linear / np.array([0.95047, 1.0, 1.08883])
    f = [t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in (x, y, z)]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_scenarios_and_partners_are_not_drawn_in_the_outcomes_colours():
    """A scenario in "won" green or "no decision" orange would say what it does not mean.
    A difference (CIE76) of 20 is plainly another colour; 2.3 is the least one can see."""
    for cycle in (palette.SCENARIO_CYCLE, palette.PARTNER_CYCLE):
        for colour in cycle:
            for outcome, meaning in palette.OUTCOME_COLOURS.items():
                distance = np.linalg.norm(lab(colour) - lab(meaning))
                assert distance >= 20, (colour, outcome, distance)
        assert (
            min(
                np.linalg.norm(lab(one) - lab(other))
                for one in cycle
                for other in cycle
                if one != other
            )
            >= 20
        ), "told apart from each other"
