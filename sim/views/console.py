"""What the commands print: the run summary, a comparison, Sobol indices and what a sweep did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..analysis.metrics import LABELS, METRICS, UNITS
from ..analysis.sweep import POINTS_DIR, SweepReport
from .formatting import CI, CI_SPELLED_OUT, plural
from .summary_rows import console_groups, difference_cells

if TYPE_CHECKING:
    import pandas as pd


PIPE_WIDTH = 120  # columns when printing to a file or a pipe: the table fits unwrapped


def wide_console() -> Console:
    """A console that keeps table rows on one line when the output is not a terminal."""
    console = Console()
    if not console.is_terminal:
        console.width = PIPE_WIDTH
    return console


def print_summary(summary: dict[str, Any], console: Console | None = None) -> None:
    """The summary of `committee-sim run`, read from a summary dictionary only.

    A heading that says what a simulated run is, then a table per group of rows, each
    narrow enough for an 80-column terminal.
    """
    console = console or Console()
    heading = f"{summary['scenario']}: {runs(summary['replications'])}, seed {summary['seed']}"
    console.print(Text(heading, style="bold"))
    console.print(what_a_run_is(summary["window"]))
    for group, rows in console_groups(summary):
        table = Table(title=group.title, title_justify="left", header_style="bold")
        table.add_column(group.columns[0], overflow="fold")
        for column in group.columns[1:]:
            table.add_column(column, justify="right", overflow="fold")
        for row in rows:
            table.add_row(*row[: len(group.columns)])
        console.print(table)


def runs(count: int, paired: bool = False) -> str:
    """'20 simulated runs', '1 simulated run', '20 paired simulated runs'."""
    noun = "paired simulated run" if paired else "simulated run"
    return plural(count, noun)


A_RUN_IS = "A simulated run is one history of the company"  # a replication, in the docs


def what_a_run_is(window: dict[str, float]) -> str:
    """What one simulated run is and how the runs' figures are summed up."""
    return (
        f"{A_RUN_IS}: {window['warmup_days']:,.0f} days of "
        f"warm-up, not counted, then {window['years']:.1f} counted years. Rates and cycle "
        f"lengths are means over the runs, with their {CI_SPELLED_OUT}; counts and money "
        "are per counted year."
    )


def print_comparison(comparison: dict[str, Any], console: Console | None = None) -> None:
    """A table of A, B and the paired difference with its interval and p-value, then the verdict."""
    console = console or wide_console()
    a, b = comparison["a"], comparison["b"]
    table = Table(
        title=f"A = {a['scenario']}, B = {b['scenario']}: "
        f"{runs(comparison['replications'], paired=True)}, seed {comparison['seed']}",
        header_style="bold",
    )
    for column in ("metric", "A", "B", "B - A", f"{CI} of B - A", "p"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric in METRICS:
        unit = UNITS[metric]
        cells = difference_cells(a[metric], b[metric], comparison["diff"][metric], unit, False)
        table.add_row(f"{LABELS[metric]} ({unit})", *cells)
    console.print(
        f"{A_RUN_IS}, a warm-up and then the counted years; run r of A and run r of B share "
        f"their random numbers, so each difference B - A is paired, shown with its "
        f"{CI_SPELLED_OUT} and p-value."
    )
    console.print(table)
    console.print(comparison["verdict"])


def print_indices(indices: pd.DataFrame, console: Console | None = None) -> None:
    """Sobol indices (from `sim.analysis.sensitivity`) as a table: a section per output.

    Each section opens with the output's label (in bold) on a line of its own, so the
    parameter names have the width the numbers leave: every scenario parameter's name
    stands whole at 80 columns, and a longer one wraps rather than ending in "…".
    """
    console = console or Console()
    table = Table(title=f"Sobol indices (± half-width of the {CI})", header_style="bold")
    table.add_column("output / parameter", overflow="fold")
    for column in ("first order S1", "total ST"):
        table.add_column(column, justify="right", no_wrap=True)
    for output, rows in indices.groupby("output", sort=False):
        table.add_row(Text(LABELS[str(output)], style="bold"))
        for row in rows.itertuples():
            table.add_row(
                Text(str(row.parameter)),
                f"{row.S1:.3f} ± {row.S1_conf:.3f}",
                f"{row.ST:.3f} ± {row.ST_conf:.3f}",
            )
        table.add_section()
    console.print(table)


def describe_sweep(report: SweepReport) -> str:
    """A few lines saying what a sweep run did and where its results are."""
    lines = [
        (
            f"{plural(report.points, 'point')}: {report.computed} computed now, "
            f"{report.reused} from an earlier run; wrote results.parquet, results.csv, "
            f"point_summary.parquet and point_summary.csv to {report.out}"
        )
    ]
    if report.failed:
        lines.append(
            f"{plural(len(report.failed), 'point')} failed "
            f"(the model raised; see {report.out}/{POINTS_DIR}/):"
        )
        lines += [f"  point {point}: {error}" for point, error in sorted(report.failed.items())]
    return "\n".join(lines)
