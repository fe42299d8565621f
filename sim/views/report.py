"""One self-contained HTML report of one or more runs, from results folders or from memory.

The page holds everything it shows: figures are PNG data URIs and the style is
inline, so it opens offline and can be mailed as one file. For two or more runs
each is compared with the first, replication by replication (`sim.analysis.compare`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence, Set
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.compare import independent_difference, paired_difference, verdict
from ..analysis.metrics import LABELS, METRICS, UNITS, replication_metrics
from ..analysis.results_folder import ResultsExistError, write_atomic
from ..analysis.statistics import CONFIDENCE
from .formatting import CI, plural
from .plots import Run, as_runs, figures, png_bytes
from .summary_rows import difference_cells, report_rows

if TYPE_CHECKING:
    from ..analysis.replications import Results

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.differs td { background: #fff4d6; }
figure { margin: 2em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
.note { color: #7a4b00; }
"""
# Each figure's caption; every figure but the pipeline counts the deals of the window.
FIGURE_CAPTIONS = {
    "win_rate": "Win rate: the probability that an opportunity (a qualified lead that arrived "
    "in the counted window) is eventually won, counting those still open at the horizon as "
    "censored (Aalen-Johansen), not as lost or left out; mean over simulated runs, the bars "
    f"show {CONFIDENCE:.0%} confidence intervals.",
    "funnel": "How far the leads that arrived in the counted window got, per year of the "
    "window: qualified (opportunities), past the stallers, past the nay-sayers, decided "
    "(the committee chose), won.",
    "cycle_length": "Share of counted opportunities still open by days since arrival, pooled "
    "over simulated runs; those still open at the horizon count as censored (Kaplan-Meier), so "
    "long deals are not dropped. The median cycle is where a curve crosses 50%.",
    "outcomes": "How the deals that arrived in the counted window ended, as shares of them; "
    "still open means not ended by the horizon.",
    "no_decision": "Why no decision: the reasons of the counted deals that ended in no "
    "decision, as shares of them.",
    "time_use": "Where the time goes: mean days a closed counted opportunity spent in each stage.",
    "pipeline": "Open deals and cumulative wins over the whole simulated time, averaged over "
    "simulated runs; deals of the shaded warm-up are simulated but not counted.",
    "revenue_split": "First-year revenue of deals won in the counted window, per year of the "
    "window: what the company keeps and each partner's commission.",
}
TIMELINE_CAPTION = (
    "Timelines of sampled deals from the first simulated run (replication 0), re-run with the "
    "event log on: one row per "
    "committee member, bars coloured by stage."
)


class ReportExistsError(ResultsExistError):
    """The report file exists already (and is not to be replaced), or is a folder."""


def write_report(runs: Sequence[Run | Results], out: Path | str, force: bool = False) -> None:
    """Write the report of these runs (or results) to `out`, never over a file unless forced."""
    out = Path(out)
    check_report_writable(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, render(runs))


def check_report_writable(out: Path, force: bool) -> None:
    """Refuse, before any work is done, a folder or an existing file unless forced."""
    if out.is_dir():
        raise ReportExistsError(
            out, f"is a folder; give the report's file name, e.g. {out / 'report.html'}"
        )
    if out.exists() and not force:
        raise ReportExistsError(
            out, "already exists", "choose another file or pass {force} to replace it"
        )


def render(items: Sequence[Run | Results]) -> str:
    """The whole page as HTML text."""
    runs = as_runs(items)
    names = ", ".join(run.name for run in runs)
    body = [
        f"<h1>committee-sim report: {escaped(names)}</h1>",
        _scenarios_section(runs),
        _summary_section(runs),
        _comparison_section(runs) if len(runs) > 1 else "",
        _figures_section(runs),
        _parameters_section(runs),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>committee-sim report: {escaped(names)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def _scenarios_section(runs: list[Run]) -> str:
    items = "".join(
        f"<li><b>{escaped(run.name)}</b>: {plural(run.replications, 'simulated run')}, "
        f"seed {run.summary['seed']}, "
        f"horizon {run.horizon_days:g} days, warm-up {run.window.start:g} days (not counted). "
        f"{escaped(run.results.scenario.scenario.description)}</li>"
        for run in runs
    )
    return f"<h2>Scenarios</h2>\n<ul>{items}</ul>"


def _summary_section(runs: list[Run]) -> str:
    rows = report_rows([run.summary for run in runs])
    return "<h2>Summary</h2>\n" + html_table(["measure", *[run.name for run in runs]], rows)


def _comparison_section(runs: list[Run]) -> str:
    """Each run against the first, paired by replication when both used the same seed."""
    parts = ["<h2>Comparison with " + escaped(runs[0].name) + "</h2>"]
    for other in runs[1:]:
        parts.append(comparison(runs[0], other))
    return "\n".join(parts)


def comparison(base: Run, other: Run) -> str:
    """A table of differences (other - base) with their CIs and p-values, and a one-line verdict."""
    a, b = replication_metrics(base.results), replication_metrics(other.results)
    paired = base.summary["seed"] == other.summary["seed"]
    if paired:
        diff = paired_difference(a, b)
        how = (
            f"Paired run by run: both used seed {base.summary['seed']}, so simulated run r "
            "of each saw the same leads and the same dice (common random numbers)."
        )
        if base.replications != other.replications:
            both = min(base.replications, other.replications)
            how += f" Only the {both} simulated runs both have are paired."
    else:
        diff = independent_difference(a, b)
        how = (
            f'<span class="note">The seeds differ ({escaped(base.name)}: {base.summary["seed"]}, '
            f"{escaped(other.name)}: {other.summary['seed']}), so their simulated runs cannot be "
            "paired; "
            "the runs are compared as independent samples (Welch's t-test), with wider intervals. "
            "Run both with the same --seed to pair them.</span>"
        )
    rows = [
        (LABELS[m], difference_cells(diff[m]["a"], diff[m]["b"], diff[m], UNITS[m]))
        for m in METRICS
    ]
    header = [
        "metric (mean per simulated run)",
        base.name,
        other.name,
        "difference",
        CI,
        "p-value",
    ]
    return (
        f"<h3>{escaped(other.name)} against {escaped(base.name)}</h3>\n<p>{how}</p>\n"
        + html_table(header, rows)
        + f"\n<p><b>{escaped(verdict(diff, base.name, other.name))}</b></p>"
    )


def _figures_section(runs: list[Run]) -> str:
    parts = ["<h2>Figures</h2>", f"<p>{escaped(counted_window(runs))}</p>"]
    for name, figure in figures(runs).items():
        caption = FIGURE_CAPTIONS.get(name, TIMELINE_CAPTION)
        data = base64.b64encode(png_bytes(figure)).decode("ascii")
        parts.append(
            f'<figure id="{name}"><img src="data:image/png;base64,{data}" alt="{escaped(caption)}">'
            f"<figcaption>{escaped(caption)}</figcaption></figure>"
        )
    return "\n".join(parts)


def counted_window(runs: list[Run]) -> str:
    """What the figures count: the deals that arrived from the warm-up to the horizon."""
    windows = [
        f"{run.name}: days {run.window.start:g} to {run.window.end:g} "
        f"({run.window.years:.1f} years per run)"
        for run in runs
    ]
    return (
        "Counted window: only deals that arrived after the warm-up, up to the horizon, are "
        "counted; money and counts are per year of the window. " + "; ".join(windows) + "."
    )


def _parameters_section(runs: list[Run]) -> str:
    """Every parameter side by side; rows where the scenarios differ are highlighted and first."""
    flat = [_flatten(run.summary["parameters"]) for run in runs]
    keys = list(
        dict.fromkeys(key for values in flat for key in values if key != "scenario.description")
    )
    differs = [key for key in keys if len({repr(values.get(key)) for values in flat}) > 1]
    ordered = differs + [key for key in keys if key not in differs]
    rows = [(key, [_value(values.get(key)) for values in flat]) for key in ordered]
    note = (
        f"<p>{len(differs)} parameter(s) differ between the scenarios "
        "(highlighted, listed first).</p>"
        if len(runs) > 1
        else ""
    )
    return (
        "<h2>Parameters</h2>\n"
        + note
        + html_table(["parameter", *[run.name for run in runs]], rows, highlight=set(differs))
    )


def _flatten(parameters: dict[str, Any]) -> dict[str, Any]:
    """'section.key' -> value; partners as 'partners.NAME.key'."""
    flat = {}
    for section, values in parameters.items():
        if isinstance(values, list):
            for partner in values:
                for key, value in partner.items():
                    if key != "name":
                        flat[f"{section}.{partner['name']}.{key}"] = value
        else:
            for key, value in values.items():
                flat[f"{section}.{key}"] = value
    return flat


def html_table(
    header: list[str], rows: list[tuple[str, list[str]]], highlight: Set[str] = frozenset()
) -> str:
    head = "".join(f"<th>{escaped(cell)}</th>" for cell in header)
    body = "".join(
        ('<tr class="differs">' if label in highlight else "<tr>")
        + f"<td>{escaped(label)}</td>"
        + "".join(f"<td>{escaped(cell)}</td>" for cell in cells)
        + "</tr>"
        for label, cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def escaped(text: Any) -> str:
    return html.escape(str(text))


def _value(value: Any) -> str:
    return "" if value is None else str(value)
