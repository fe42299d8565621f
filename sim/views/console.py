"""What the commands print: the run summary, a comparison, Sobol indices and what a sweep did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from ..analysis.metrics import LABELS, METRICS, UNITS
from ..analysis.sweep import POINTS_DIR, SweepReport
from .formatting import CI, in_unit, p_value
from .summary_rows import console_rows

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
    """The summary table of `committee-sim run`, read from a summary dictionary only."""
    console = console or wide_console()
    table = Table(
        title=f"{summary['scenario']}: {summary['replications']} replications, "
        f"seed {summary['seed']}",
        show_header=True,
        header_style="bold",
    )
    table.add_column("measure", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    for label, value in console_rows(summary):
        table.add_row(label, value)
    console.print(table)


def print_comparison(comparison: dict[str, Any], console: Console | None = None) -> None:
    """A table of A, B and the paired difference with its interval and p-value, then the verdict."""
    console = console or wide_console()
    a, b = comparison["a"], comparison["b"]
    table = Table(
        title=f"A = {a['scenario']}, B = {b['scenario']}: {comparison['replications']} paired "
        f"replications, seed {comparison['seed']}",
        header_style="bold",
    )
    for column in ("metric", "A", "B", "B - A", f"{CI} of B - A", "p"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric in METRICS:
        entry, unit = comparison["diff"][metric], UNITS[metric]
        low, high = (in_unit(end, unit, signed=True, symbol=False) for end in entry["ci"])
        table.add_row(
            f"{LABELS[metric]} ({unit})",
            in_unit(a[metric], unit, symbol=False),
            in_unit(b[metric], unit, symbol=False),
            in_unit(entry["estimate"], unit, signed=True, symbol=False),
            f"{low} to {high}",
            p_value(entry["p_value"]),
        )
    console.print(table)
    console.print(comparison["verdict"])


def print_indices(indices: pd.DataFrame, console: Console | None = None) -> None:
    """Sobol indices (from `sim.analysis.sensitivity`) as a table."""
    console = console or Console()
    table = Table(title=f"Sobol indices (± half-width of the {CI})", header_style="bold")
    for column in ("output", "parameter", "first order S1", "total ST"):
        table.add_column(column, justify="left" if column in ("output", "parameter") else "right")
    for row in indices.itertuples():
        table.add_row(
            LABELS[str(row.output)],
            str(row.parameter),
            f"{row.S1:.3f} ± {row.S1_conf:.3f}",
            f"{row.ST:.3f} ± {row.ST_conf:.3f}",
        )
    console.print(table)


def describe_sweep(report: SweepReport) -> str:
    """A few lines saying what a sweep run did and where its results are."""
    lines = [
        (
            f"{report.points} points: {report.computed} computed now, {report.reused} from an "
            f"earlier run; wrote results.parquet, results.csv, point_summary.parquet and "
            f"point_summary.csv to {report.out}"
        )
    ]
    if report.failed:
        lines.append(
            f"{len(report.failed)} point(s) failed "
            f"(the model raised; see {report.out}/{POINTS_DIR}/):"
        )
        lines += [f"  point {point}: {error}" for point, error in sorted(report.failed.items())]
    return "\n".join(lines)
