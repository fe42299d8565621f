"""Pictures of runs, drawn from their result tables (and, for deal timelines, an event log).

Every figure has a title, axes labelled with units and a legend, and takes its
colours from `sim.views.palette`, so one colour keeps one meaning across all of them.
Figures count what summary.json counts (`sim.analysis.metrics`): the deals that arrived
in the statistics window, after the warm-up, with money and counts per year of the
window; only `pipeline` shows the whole horizon, the warm-up shaded.
Runs come from results folders (`load_runs`) or from this session's results
(`sim.simulate`, drawn as they are: `figures([results])`); both draw the same.
Figures are built with matplotlib's object API and rendered by the Agg backend:
no display is needed and no global pyplot state is touched. matplotlib is
imported inside the functions that draw, so importing this module is cheap.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.metrics import LABELS, OPEN, Window, outcome_codes
from ..analysis.results_folder import ResultsExistError, write_atomic
from ..analysis.survival import cumulative_incidence_curve
from ..vocabulary import NO_DECISION_REASONS, Outcome, Stage, Step
from . import palette
from .formatting import CI, days, dollars, is_missing, percent

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from ..analysis.replications import Results
    from .trace import Segment

FORMATS = ("png", "svg")
TIMELINE_DEALS = 3  # deals drawn in each scenario's timeline figure
SENSITIVITY_PANELS_ACROSS = 2  # metrics side by side in sensitivity.png; more go below
SLUG_CHARS = 60  # of a scenario's name in a file name, well within any file system's limit
WARMUP = "warm-up (not counted)"


@dataclass(frozen=True)
class Run:
    """One run as the plots and the report see it: a display name, its results and their summary."""

    name: str
    results: Results
    summary: dict[str, Any]

    @classmethod
    def from_results(cls, results: Results, name: str | None = None) -> Run:
        """A run from results in memory (`sim.simulate`), named after its scenario unless named."""
        from ..analysis.summary import summarise

        return cls(name or results.scenario.scenario.name, results, summarise(results))

    @classmethod
    def from_folder(cls, folder: Path | str, name: str | None = None) -> Run:
        """A run from a results folder, with the summary as it was written there."""
        from ..analysis.results_folder import read_results, read_summary

        summary = read_summary(folder)
        return cls(name or summary["scenario"], read_results(folder), summary)

    @property
    def replications(self) -> int:
        return int(self.summary["replications"])

    @property
    def horizon_days(self) -> float:
        return float(self.results.scenario.scenario.horizon_days)

    @property
    def window(self) -> Window:
        return Window.of(self.results.scenario)

    @cached_property
    def counted(self) -> pd.DataFrame:
        """The deals the figures count: those that arrived in the window."""
        deals = self.results.deals
        return deals[deals["counted"].to_numpy(dtype=bool)]

    @cached_property
    def opportunities(self) -> pd.DataFrame:
        """Counted deals the seller qualified."""
        return self.counted[self.counted["qualified"].to_numpy(dtype=bool)]

    @cached_property
    def closed_opportunities(self) -> pd.DataFrame:
        """Counted opportunities that ended before the horizon."""
        return self.opportunities[outcome_codes(self.opportunities) != OPEN]


def load_runs(folders: Sequence[Path | str]) -> list[Run]:
    """Read results folders; a scenario name shown twice is told apart by its folder."""
    runs = [Run.from_folder(folder) for folder in folders]
    names = [run.name for run in runs]
    return [
        run
        if names.count(run.name) == 1
        else replace(run, name=f"{run.name} ({Path(folder).name})")
        for run, folder in zip(runs, folders, strict=True)
    ]


def as_runs(items: Sequence[Run | Results]) -> list[Run]:
    """Runs to draw, from runs or from results; results shown under the same name get numbers."""
    runs = [item if isinstance(item, Run) else Run.from_results(item) for item in items]
    names = [run.name for run in runs]
    return [
        run
        if isinstance(item, Run) or names.count(run.name) == 1
        else replace(run, name=f"{run.name} ({position})")
        for position, (run, item) in enumerate(zip(runs, items, strict=True), start=1)
    ]


def figures(items: Sequence[Run | Results], timelines: bool = True) -> dict[str, Figure]:
    """Every figure that applies to these runs (or results), by file stem, in reading order.

    Text is drawn as written: a `$` in a scenario or partner name is not mathematics.
    """
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        return _figures(as_runs(items), timelines)


def _figures(runs: list[Run], timelines: bool) -> dict[str, Figure]:
    colours = palette.assign([run.name for run in runs], palette.SCENARIO_CYCLE)
    drawn: dict[str, Figure | None] = {
        "win_rate": win_rate(runs, colours),
        "funnel": funnel(runs),
        "cycle_length": cycle_length(runs, colours),
        "outcomes": outcomes(runs),
        "no_decision": no_decision(runs),
        "time_use": time_use(runs),
        "pipeline": pipeline(runs, colours),
        "revenue_split": revenue_split(runs),
    }
    if timelines:
        for run, stem in zip(runs, timeline_stems(runs), strict=True):
            drawn[stem] = deal_timelines(run)
    return {name: figure for name, figure in drawn.items() if figure is not None}


class PicturesExistError(ResultsExistError):
    """The folder for the pictures holds pictures of the same names (not to be replaced)."""


def write_plots(
    runs: Sequence[Run | Results], out_dir: Path | str, force: bool = False
) -> list[Path]:
    """Write every figure as PNG and SVG into out_dir; return the files written.

    Pictures of the same names are replaced only with `force` (without it, nothing is
    written); the folder's other files are never touched.
    """
    import matplotlib

    out_dir = Path(out_dir)
    drawn = figures(runs)
    paths = {(name, fmt): out_dir / f"{name}.{fmt}" for name in drawn for fmt in FORMATS}
    check_pictures_writable(out_dir, list(paths.values()), force)
    out_dir.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "committee-sim"}):  # fixed SVG ids
        for (name, fmt), path in paths.items():
            buffer = io.BytesIO()
            drawn[name].savefig(buffer, format=fmt, **_save_options(fmt))
            data = buffer.getvalue()
            write_atomic(path, _numbered_clips(data) if fmt == "svg" else data)
    return list(paths.values())


def check_pictures_writable(out_dir: Path, paths: list[Path], force: bool) -> None:
    """Refuse, before anything is written, to replace pictures unless forced."""
    existing = [path.name for path in paths if path.exists()]
    if existing and not force:
        listed = ", ".join(existing[:4]) + (", ..." if len(existing) > 4 else "")
        raise PicturesExistError(
            out_dir,
            f"already holds pictures of these names ({listed})",
            "choose another folder or pass {force} to replace them",
        )


def _numbered_clips(svg: bytes) -> bytes:
    """The SVG with its clip paths named clip0, clip1, ... in order of appearance.

    matplotlib names them by a hash of their rectangles at full precision, and the
    constrained layout's last digits vary with where objects sit in memory: numbered,
    the same inputs give the same file.
    """
    names: dict[bytes, bytes] = {}

    def numbered(match: re.Match[bytes]) -> bytes:
        name = names.setdefault(match.group(2), b"clip%d" % len(names))
        return match.group(1) + name + match.group(3)

    return re.sub(rb'(clipPath id="|url\(#)(p[0-9a-f]{10})([")])', numbered, svg)


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG, for embedding."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **_save_options("png"))
    return buffer.getvalue()


def _save_options(fmt: str) -> dict[str, Any]:
    # Constrained layout already fits legends in, so no bbox_inches="tight" (a second draw).
    # SVG metadata carries a date by default; leave it out so the same inputs give the same files.
    return {"dpi": 110, "metadata": {"Date": None} if fmt == "svg" else {}}


# ---------------------------------------------------------------- figures from result tables


def win_rate(runs: list[Run], colours: dict[str, str]) -> Figure:
    """The censoring-aware win rate of opportunities per scenario, with its interval."""
    figure, ax = _figure(
        "Win rate: share of opportunities eventually won", width=max(6.0, 1.4 * len(runs) + 2)
    )
    interval_label: str | None = CI  # in the legend once, beside the first interval drawn
    for index, run in enumerate(runs):
        rate = run.summary["win_rate"]
        low, high = run.summary["win_rate_ci"]
        if is_missing(rate):
            continue
        ax.bar(index, rate * 100, color=colours[run.name], label=run.name)
        if not (is_missing(low) or is_missing(high)):
            ax.errorbar(
                index,
                rate * 100,
                yerr=[[(rate - low) * 100], [(high - rate) * 100]],
                color="black",
                capsize=6,
                label=interval_label,
            )
            interval_label = None
    ax.set_xticks(range(len(runs)), [run.name for run in runs], rotation=20, ha="right")
    ax.set_xlabel("scenario")
    ax.set_ylabel("win rate (%, counting open deals)")
    if ax.get_legend_handles_labels()[0]:  # nothing to name when no run has a win rate
        _legend_beside(ax)
    return figure


def funnel(runs: list[Run]) -> Figure:
    """How far counted leads got, per year: one group of bars per scenario, a bar per step."""
    steps = list(Step)
    width = 0.8 / len(steps)
    figure, ax = _figure(
        "Funnel: how far the leads get, per year", width=max(6.0, 1.6 * len(runs) + 3.5)
    )
    for position, step in enumerate(steps):
        offset = (position - (len(steps) - 1) / 2) * width
        ax.bar(
            np.arange(len(runs)) + offset,
            [run.summary["funnel_per_year"][step.key] for run in runs],
            width,
            color=palette.FUNNEL_COLOURS[step],
            label=step.label,
        )
    ax.set_xticks(range(len(runs)), [run.name for run in runs], rotation=20, ha="right")
    ax.set_xlabel("scenario")
    ax.set_ylabel("counted leads per year")
    _legend_beside(ax)
    return figure


def cycle_length(runs: list[Run], colours: dict[str, str]) -> Figure:
    """Kaplan-Meier curve of counted opportunities still open by age, open ones censored:
    the estimate every cycle figure uses (`sim.analysis.survival`)."""
    figure, ax = _figure("Sales cycle: share of opportunities not yet closed (counting open deals)")
    for run in runs:
        deals = run.opportunities
        ages = deals["age_days"].to_numpy(dtype=float)
        ended = outcome_codes(deals) != OPEN
        if not ended.any():
            continue
        days, closed = cumulative_incidence_curve(ages, ended, ended)  # every ending counts
        ax.step(
            np.r_[0.0, days],
            np.r_[100.0, (1.0 - closed) * 100],
            where="post",
            color=colours[run.name],
            label=run.name,
        )
    ax.axhline(50, color="grey", linestyle=":", linewidth=1, label="median (50%)")
    ax.set_xlabel("days since the lead arrived")
    ax.set_ylabel("% of opportunities still open")
    ax.set_ylim(0, 102)
    _legend_beside(ax)
    return figure


def outcomes(runs: list[Run]) -> Figure:
    """How counted deals ended, as shares of them, one stacked bar per scenario."""
    figure, ax = _figure("How deals end, by scenario", width=max(6.0, 1.4 * len(runs) + 3.5))
    bottom = np.zeros(len(runs))
    for outcome in Outcome:
        shares = np.array([_share(outcome_codes(run.counted) == outcome) for run in runs])
        ax.bar(
            range(len(runs)),
            shares,
            bottom=bottom,
            color=palette.OUTCOME_COLOURS[outcome],
            label=outcome.label,
        )
        bottom += shares
    ax.set_xticks(range(len(runs)), [run.name for run in runs], rotation=20, ha="right")
    ax.set_xlabel("scenario")
    ax.set_ylabel("% of counted deals")
    _legend_beside(ax)
    return figure


def no_decision(runs: list[Run]) -> Figure | None:
    """Why no decision: each reason's share of counted no-decision deals, a bar per scenario.

    None when no run has a no-decision deal. Shares come from summary.json.
    """
    counts = np.array(
        [[run.summary["no_decision_reasons"][r.key] for r in NO_DECISION_REASONS] for run in runs],
        dtype=float,
    )
    totals = counts.sum(axis=1, keepdims=True)
    if not totals.any():
        return None
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0) * 100
    parts = [
        (reason.label, palette.REASON_COLOURS[reason], share)
        for reason, share in zip(NO_DECISION_REASONS, shares.T, strict=True)
    ]
    return _stacked_bars(runs, "Why no decision", parts, "% of counted no-decision deals", 2)


def time_use(runs: list[Run]) -> Figure:
    """Where the time goes: mean days per stage of a closed counted opportunity, per scenario."""
    parts = [
        (
            stage.label,
            palette.STAGE_COLOURS[stage],
            np.array([_mean(run.closed_opportunities[f"days_{stage.key}"]) for run in runs]),
        )
        for stage in Stage
    ]
    title = "Where the time goes: mean days per closed opportunity, by stage"
    return _stacked_bars(runs, title, parts, "days (mean per closed opportunity)", 3)


def _stacked_bars(
    runs: list[Run], title: str, parts: list[tuple[str, str, np.ndarray]], unit: str, columns: int
) -> Figure:
    """One horizontal bar per scenario, stacked from `parts`: (label, colour, value per run)."""
    figure, ax = _figure(title, height=max(2.5, 0.7 * len(runs) + 0.4 * len(parts) / columns + 1))
    left = np.zeros(len(runs))
    for label, colour, values in parts:
        ax.barh(range(len(runs)), values, left=left, color=colour, label=label)
        left += values
    ax.set_yticks(range(len(runs)), [run.name for run in runs])
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_ylabel("scenario")
    figure.legend(fontsize="small", loc="outside lower center", ncol=columns)
    return figure


def pipeline(runs: list[Run], colours: dict[str, str]) -> Figure:
    """Open deals and cumulative wins over the whole horizon, means over replications.

    The warm-up is shaded: its deals are simulated, and fill the pipeline, but not counted.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    figure.suptitle("Pipeline over simulated time (mean over simulated runs)")
    for ax in (top, bottom):
        _shade_warmups(ax, [run.window.start for run in runs])
    for run in runs:
        deals = run.results.deals
        day = np.arange(0.0, run.horizon_days + 1.0)
        created = np.sort(deals["created_day"].to_numpy(dtype=float))
        closed = np.sort(deals["closed_day"].dropna().to_numpy(dtype=float))
        won = np.sort(
            deals.loc[deals["outcome"] == Outcome.WON.key, "closed_day"].to_numpy(dtype=float)
        )
        open_now = np.searchsorted(created, day, side="right") - np.searchsorted(
            closed, day, side="right"
        )
        top.plot(day, open_now / run.replications, color=colours[run.name], label=run.name)
        bottom.plot(
            day,
            np.searchsorted(won, day, side="right") / run.replications,
            color=colours[run.name],
            label=run.name,
        )
    top.set_title("open deals", fontsize="medium")
    top.tick_params(labelbottom=True)
    top.set_xlabel("simulated day")
    top.set_ylabel("open deals (count)")
    bottom.set_title("deals won so far", fontsize="medium")
    bottom.set_ylabel("cumulative wins (count)")
    bottom.set_xlabel("simulated day")
    _legend_beside(top)  # one legend for both panels: the same runs, in the same colours
    return figure


def revenue_split(runs: list[Run]) -> Figure | None:
    """Net revenue and each partner's commission per year of the window, a bar per run.

    None when no run has partners; a run without them is drawn too, all net revenue,
    to compare with. The commissions are the partners table's, paid in the window.
    """
    if not any(len(run.results.partners) for run in runs):
        return None
    partner_names = [name for run in runs for name in run.results.partners["partner"].astype(str)]
    colours = palette.assign(partner_names, palette.PARTNER_CYCLE)
    figure, ax = _figure(
        "Revenue split: what the company keeps, what each partner claims",
        width=max(7.5, 1.4 * len(runs) + 3.5),
    )
    for index, run in enumerate(runs):
        base = run.summary["revenue_net_per_year"]
        ax.bar(index, base, color=palette.NET_REVENUE_COLOUR, label="net revenue")
        paid = run.results.partners.groupby("partner", sort=False)["commission"].sum() / (
            run.replications * run.window.years
        )
        for name, amount in paid.items():
            ax.bar(
                index, amount, bottom=base, color=colours[str(name)], label=f"commission: {name}"
            )
            base += amount
        share = run.summary["commission_share"]
        if paid.empty or not is_missing(share):
            note = "no partners" if paid.empty else f"{percent(share, 0)} to partners"
            ax.annotate(note, (index, base), ha="center", va="bottom", fontsize="small")
    ax.margins(y=0.08)  # room above the tallest bar for its note
    ax.set_xticks(range(len(runs)), [run.name for run in runs], rotation=20, ha="right")
    ax.set_xlabel("scenario")
    ax.set_ylabel("first-year revenue (USD/year)")
    ax.yaxis.set_major_formatter(lambda value, _: dollars(value))
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))  # each name once, however many bars
    _legend_beside(ax, unique.values(), unique.keys())
    return figure


# ---------------------------------------------------------------- deal timelines, from an event log


def deal_timelines(run: Run, count: int = TIMELINE_DEALS) -> Figure | None:
    """Timelines of a few deals of the run's first replication, re-run with the event log on.

    The tables hold no per-member timing, so the replication is simulated again
    from the results' scenario and seed; results do not depend on the log,
    so these are the very deals of replication 0 in the tables.
    """
    from .trace import sample_deals, timeline, traced_replication

    deals, log = traced_replication(run.results.scenario, run.results.seed, 0)
    chosen = sample_deals(deals, count)
    if not chosen:
        return None
    titles = [
        f"deal {deal['deal_id']}: {Outcome.from_key(deal['outcome']).label}, "
        f"{days(deal['age_days'])} days"
        for deal in chosen
    ]
    return timeline_figure(
        f"{run.name}: deal timelines, time spent with each committee member",
        titles,
        [timeline(log, deal) for deal in chosen],
    )


def timeline_figure(title: str, titles: list[str], timelines: list[list[Segment]]) -> Figure:
    """A Gantt chart per deal: one row per committee member, bars coloured by stage."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from .trace import row_order

    heights = [len(row_order(segments)) + 1 for segments in timelines]
    figure = Figure(
        figsize=(9, 0.28 * sum(heights) + 1.6 * len(timelines) + 0.8), layout="constrained"
    )
    axes = figure.subplots(len(timelines), 1, squeeze=False, height_ratios=heights)[:, 0]
    figure.suptitle(title)
    for ax, name, segments in zip(axes, titles, timelines, strict=True):
        _draw_timeline(ax, segments)
        ax.set_title(name, fontsize="medium", loc="left")
        ax.set_xlabel("days since the lead arrived")
        ax.set_ylabel("committee member")
    shown = [
        stage
        for stage in Stage
        if any(
            segment.stage == stage and segment.end > segment.start
            for s in timelines
            for segment in s
        )
    ]
    figure.legend(
        [Patch(color=palette.STAGE_COLOURS[stage]) for stage in shown],
        [stage.label for stage in shown],
        loc="outside lower center",
        ncol=min(4, len(shown)),
        fontsize="small",
        title="stage",
    )
    return figure


def _draw_timeline(ax: Any, segments: list[Segment]) -> None:
    from .trace import row_order

    rows = row_order(segments)
    for segment in segments:
        y = rows.index(segment.row)
        ax.barh(
            y,
            segment.end - segment.start,
            left=segment.start,
            height=0.7,
            color=palette.STAGE_COLOURS[segment.stage],
        )
    ax.set_yticks(range(len(rows)), rows, fontsize="small")
    ax.invert_yaxis()


# ---------------------------------------------------------------- Sobol indices


def write_sensitivity_chart(out_dir: Path, indices: pd.DataFrame) -> None:
    """Write the bar chart of Sobol indices (`sim.analysis.sensitivity`) to OUT/sensitivity.png."""
    write_atomic(out_dir / "sensitivity.png", sensitivity_chart(indices))


def sensitivity_chart(indices: pd.DataFrame) -> bytes:
    """`sensitivity_figure` as PNG bytes."""
    buffer = io.BytesIO()
    sensitivity_figure(indices).savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def sensitivity_figure(indices: pd.DataFrame) -> Figure:
    """First-order and total indices per parameter, with their intervals, one panel per output."""
    from matplotlib.figure import Figure

    outputs = list(dict.fromkeys(indices["output"]))  # the metrics chosen, in their order
    across = min(len(outputs), SENSITIVITY_PANELS_ACROSS)
    down = math.ceil(len(outputs) / across)
    figure = Figure(figsize=(5 * across, 3.5 * down + 0.4), layout="constrained")
    panels = list(figure.subplots(down, across, squeeze=False).flat)
    for axis in panels[len(outputs) :]:  # the last row's empty places
        axis.remove()
    for axis, output in zip(panels, outputs, strict=False):  # the empty ones are left out
        rows = indices[indices["output"] == output]
        x = np.arange(len(rows))
        for offset, index, label in ((-0.2, "S1", "first order (S1)"), (0.2, "ST", "total (ST)")):
            axis.bar(
                x + offset,
                rows[index],
                0.4,
                yerr=rows[f"{index}_conf"],
                color=palette.SOBOL_COLOURS[index],
                label=label,
                capsize=3,
            )
        axis.set_xticks(x, rows["parameter"], rotation=20, ha="right")
        axis.set_title(f"Sobol indices: {LABELS[output]}")
        axis.set_xlabel("parameter")
        axis.set_ylabel("index (share of variance)")
        axis.set_ylim(*_sobol_limits(rows))
        axis.axhline(0, color="black", linewidth=0.5)
    figure.legend(*panels[0].get_legend_handles_labels(), loc="outside upper center", ncol=2)
    return figure


def _sobol_limits(rows: pd.DataFrame) -> tuple[float, float]:
    """From 0 (or below, for a negative estimate) to 1 at least, error bars included."""
    low = min((rows[index] - rows[f"{index}_conf"]).min() for index in ("S1", "ST"))
    high = max((rows[index] + rows[f"{index}_conf"]).max() for index in ("S1", "ST"))
    return min(0.0, math.floor(low * 10) / 10), max(1.05, math.ceil(high * 10) / 10 + 0.05)


# ---------------------------------------------------------------- helpers


def _figure(title: str, width: float = 8.0, height: float = 4.5) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    ax = figure.subplots()
    ax.set_title(title)
    return figure, ax


def _legend_beside(ax: Any, *entries: Any) -> None:
    """The legend right of the axes, where it covers no bar or line; `entries` as `ax.legend`'s."""
    ax.legend(*entries, fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))


def _shade_warmups(ax: Any, warmups: list[float]) -> None:
    """Shade each distinct warm-up from day 0; name its length when runs differ in it."""
    distinct = sorted({warmup for warmup in warmups if warmup > 0})
    for warmup in distinct:
        ax.axvspan(
            0.0,
            warmup,
            color=palette.WARMUP_COLOUR,
            alpha=0.2,
            linewidth=0,
            label=WARMUP if len(distinct) == 1 else f"warm-up, {days(warmup)} days (not counted)",
        )


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask)) * 100 if len(mask) else 0.0


def _mean(values: pd.Series) -> float:
    """The mean, 0.0 (nothing drawn) without values."""
    return float(values.mean()) if len(values) else 0.0


def timeline_stems(runs: Sequence[Run]) -> list[str]:
    """Each run's timeline file stem, 'timeline_<name>', unique among the runs.

    Names that read the same as a file name ("Team-A" and "team_a": case and punctuation
    are folded) get a number, 'timeline_team_a_2', so one never overwrites the other.
    """
    stems: list[str] = []
    for run in runs:
        base = f"timeline_{_slug(run.name) or 'run'}"
        stem, number = base, 2
        while stem in stems:
            stem, number = f"{base}_{number}", number + 1
        stems.append(stem)
    return stems


def _slug(name: str) -> str:
    """A name as part of a file name: letters and digits, the rest '_', lower case, not too long."""
    slug = "".join(char if char.isalnum() else "_" for char in name).strip("_").lower()
    return slug[:SLUG_CHARS].rstrip("_")
