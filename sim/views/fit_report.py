"""The fit report of a calibration: one self-contained HTML page, in the run report's style.

What was calibrated and from what, each figure of the export against companies simulated
at the fitted values (with intervals and a goodness-of-fit p-value), the cycle curves and
outcome mix as pictures, the moments the fit matched, and the rows the import skipped.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from ..analysis.calibration import UNKNOWNS, Calibration
from ..analysis.fit_checks import Curve, Target, cycle_curve, fit_targets
from ..analysis.fitting import Moment, Statistic
from ..scenario.crm import CrmExport
from ..vocabulary import CrmOutcome
from .calibration import SETTING_HEADINGS, setting_cells
from .formatting import plural
from .plots import png_bytes
from .report import STYLE, escaped, html_table

EXPORT_COLOUR = "#212121"
MODEL_COLOUR = "#1e88e5"
CHECK_SEED = 7  # the bootstrap of the report's intervals: fixed, so the page is reproducible


def render_fit_report(calibration: Calibration, export: CrmExport, name: str) -> str:
    """The whole page as HTML text."""
    rng = np.random.default_rng(CHECK_SEED)
    check = calibration.check
    targets = fit_targets(check.observed, check.simulated, rng)
    curve = cycle_curve(check.observed, check.simulated, rng)
    title = f"committee-sim fit report: {name}"
    body = [
        f"<h1>{escaped(title)}</h1>",
        _data_section(calibration, export),
        _values_section(calibration),
        _targets_section(calibration, targets, curve),
        _figure_section("cycle_curve", _curve_figure(curve), CURVE_CAPTION),
        _figure_section("outcome_mix", _mix_figure(targets), MIX_CAPTION),
        _moments_section(calibration),
        _stages_section(calibration),
        _skipped_section(export),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escaped(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


CURVE_CAPTION = (
    "Share of opportunities ended (won, lost, no decision or disqualified) by days since "
    "created, open ones counted as censored (Kaplan-Meier). Black: the export, with its 95% "
    "block-bootstrap band. Blue: the middle 95% of companies simulated at the fitted values "
    "over the export's window, and their median."
)
MIX_CAPTION = (
    "How opportunities eventually end, open ones counted as censored (Aalen-Johansen): the "
    "export with its 95% interval, and the median and middle 95% of the simulated companies."
)


def _data_section(calibration: Calibration, export: CrmExport) -> str:
    evidence = calibration.evidence
    window = evidence.window
    open_deals = int(np.count_nonzero(np.isnan(window.closed)))
    counts = {o: int(np.count_nonzero(window.outcome == o)) for o in CrmOutcome}
    mix = ", ".join(f"{counts[o]:,} {o.label}" for o in CrmOutcome)
    files = ", ".join(path.name for path in export.files) or "(in memory)"
    lines = [
        f"{plural(len(window), 'opportunity', 'opportunities')} created {evidence.start.date()} "
        f"to {evidence.as_of.date()} ({export.format} format: {files}), read as of "
        f"{evidence.as_of.date()}: {mix}; {open_deals:,} open deals are censored, not dropped.",
        f"Base scenario: {calibration.base.scenario.name}. "
        f"{plural(calibration.fit.simulations, 'search point')} simulated, each a company "
        "over the export's window after the base's warm-up, with the same seeds (common "
        f"random numbers); the check below simulates {len(calibration.check.simulated)} "
        "further companies with a seed the search never used.",
    ]
    if evidence.partner_deals and not calibration.base.partners:
        lines.append(
            f"{plural(evidence.partner_deals, 'partner opportunity', 'partner opportunities')} "
            "were counted as marketing leads: the base scenario has no [[partners]]."
        )
    contacts = evidence.contacts
    if len(contacts):
        sizes, many = np.unique(np.round(contacts).astype(int), return_counts=True)
        spread = ", ".join(
            f"{size}: {count / len(contacts):.0%}" for size, count in zip(sizes, many, strict=True)
        )
        lines.append(
            f"Committee size (contacts) of {plural(len(contacts), 'opportunity', 'opportunities')}"
            f": mean {contacts.mean():.1f}; {spread}."
        )
    if export.skipped:
        lines.append(f"{plural(len(export.skipped), 'row')} skipped: listed at the end.")
    return "<h2>Data</h2>\n" + "".join(f"<p>{escaped(line)}</p>" for line in lines)


def _values_section(calibration: Calibration) -> str:
    rows = [(s.key, setting_cells(s)) for s in calibration.settings]
    weak = [s.key for s in calibration.settings if not s.identified]
    note = (
        f'<p class="note">Weakly identified (the 95% interval spans over half the search '
        f"range): {escaped(', '.join(weak))}. These data hardly narrow them; treat their "
        "values as the base's assumption in another guise.</p>"
        if weak
        else ""
    )
    shows = "".join(f"<li><b>{escaped(u.key)}</b>: {escaped(u.shows_in)}</li>" for u in UNKNOWNS)
    return (
        "<h2>Calibrated values</h2>\n"
        + html_table(["parameter", *SETTING_HEADINGS], rows)
        + note
        + f"<p>What in the export moves each fitted value:</p><ul>{shows}</ul>"
    )


def _targets_section(calibration: Calibration, targets: list[Target], curve: Curve) -> str:
    from scipy import stats

    rows = [(t.figure.label, _target_cells(t)) for t in targets]
    rows.append(
        (
            "cycle curve (largest gap)",
            ["", "", "", _p(curve.p_value)],
        )
    )
    j, df = calibration.j_statistic, calibration.degrees_of_freedom
    j_p = float(stats.chi2.sf(j, df)) if df > 0 else math.nan
    return (
        "<h2>Fit</h2>\n<p>Each figure of the export against companies simulated at the fitted "
        "values. The p-value is the share of simulated companies at least as far from their "
        "median as the export (Monte Carlo, two-sided): a small one says the model does not "
        "reproduce that figure.</p>\n"
        + html_table(
            ["figure", "export", "export 95% interval", "simulated (middle 95%)", "p-value"],
            rows,
        )
        + f"<p>Overall: Hansen's J = {j:.2f} on {df} degrees of freedom "
        f"(p = {_p(j_p)}): the weighted distance between the export's moments and the "
        "fitted model's that the parameters could not close.</p>"
    )


def _target_cells(target: Target) -> list[str]:
    unit = target.figure.unit
    return [
        _shown(target.observed, unit),
        f"{_shown(target.observed_low, unit)} to {_shown(target.observed_high, unit)}",
        f"{_shown(target.simulated, unit)} ({_shown(target.simulated_low, unit)} to "
        f"{_shown(target.simulated_high, unit)})",
        _p(target.p_value),
    ]


def _shown(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.1%}" if unit == "share" else f"{value:,.0f} {unit}"


def _p(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


MOMENT_WORDS = {
    Statistic.SHARE: "logit of the share of opportunities {0}",
    Statistic.MEDIAN: "log(1 + median days) of those {0}",
    Statistic.QUARTER: "log(1 + lower-quartile days) of those {0}",
    Statistic.THREE_QUARTERS: "log(1 + upper-quartile days) of those {0}",
}


def _moments_section(calibration: Calibration) -> str:
    fit = calibration.fit
    spread = np.sqrt(np.diag(calibration.moment_covariance))
    rows = [
        (
            _moment_label(moment),
            [f"{o:.3f}", f"{s:.3f}", f"{sd:.3f}", f"{(o - s) / sd:+.1f}"],
        )
        for moment, o, s, sd in zip(
            calibration.moments, fit.observed, fit.simulated, spread, strict=True
        )
    ]
    return (
        "<h2>Moments matched</h2>\n<p>The summary figures the fit matched, as the export shows "
        "them and as the fitted model's emulator predicts them. Standard error: the spread of "
        "the figure across companies of the export's size simulated at the fitted values, "
        "widened for the simulated side's own noise. Cycle figures count only closed deals, on "
        "both sides alike.</p>\n"
        + html_table(["moment", "export", "fitted model", "standard error", "z"], rows)
    )


def _moment_label(moment: Moment) -> str:
    return MOMENT_WORDS[moment.statistic].format(moment.outcome.label)


def _stages_section(calibration: Calibration) -> str:
    if not calibration.stage_times:
        return ""
    rows = [
        (
            time.stage,
            [
                time.model_stage.label if time.model_stage is not None else "(not mapped)",
                f"{time.entered:,}",
                f"{time.left:,}",
                *(_days(d) for d in (time.quarter, time.median, time.three_quarters)),
            ],
        )
        for time in calibration.stage_times
    ]
    return (
        "<h2>Time in each stage</h2>\n<p>From the stage history: days from entering a stage to "
        "entering the next or closing, opportunities still in it on the as-of date counted as "
        "censored (Kaplan-Meier quartiles). Shown as the export has them; the fit does not use "
        "them (docs/crm-import.md).</p>\n"
        + html_table(
            ["stage", "model stage", "entered", "left", "25% left by", "median", "75% left by"],
            rows,
        )
    )


def _days(value: float) -> str:
    return "n/a" if math.isnan(value) else plural(round(value), "day")


def _skipped_section(export: CrmExport) -> str:
    if not export.skipped:
        return ""
    rows = [(row.file, [str(row.row), row.column, row.reason]) for row in export.skipped]
    return "<h2>Rows skipped</h2>\n" + html_table(["file", "row", "column", "why"], rows)


def _figure_section(name: str, figure: Any, caption: str) -> str:
    data = base64.b64encode(png_bytes(figure)).decode("ascii")
    return (
        f'<figure id="{name}"><img src="data:image/png;base64,{data}" alt="{escaped(caption)}">'
        f"<figcaption>{escaped(caption)}</figcaption></figure>"
    )


def _curve_figure(curve: Curve) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.0, 4.5), layout="constrained")
    ax = figure.subplots()
    ax.set_title("Cycle length: the export against the fitted model")
    sides = (
        ("simulated", MODEL_COLOUR, 0.25, "simulated companies, middle 95%", "simulated median"),
        ("observed", EXPORT_COLOUR, 0.12, "export, 95% band", "export"),
    )
    for side, colour, alpha, band, line in sides:
        low, high = getattr(curve, f"{side}_low"), getattr(curve, f"{side}_high")
        ax.fill_between(curve.days, low, high, color=colour, alpha=alpha, step="post", label=band)
        ax.step(curve.days, getattr(curve, side), where="post", color=colour, label=line)
    ax.set_xlabel("days since created")
    ax.set_ylabel("share ended")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="small", loc="lower right")
    return figure


MIX_TARGETS = ("win_rate", "loss_rate", "no_decision_rate", "disqualified_rate")


def _mix_figure(targets: list[Target]) -> Any:
    from matplotlib.figure import Figure

    chosen = [t for t in targets if t.name in MIX_TARGETS]
    figure = Figure(figsize=(8.0, 4.0), layout="constrained")
    ax = figure.subplots()
    ax.set_title("How opportunities end: the export against the fitted model")
    x = np.arange(len(chosen))
    sides = (
        (-0.15, EXPORT_COLOUR, "export (95% interval)", "observed"),
        (0.15, MODEL_COLOUR, "simulated (middle 95%)", "simulated"),
    )
    for offset, colour, label, side in sides:
        values = np.array([getattr(t, side) for t in chosen])
        lows = np.array([getattr(t, f"{side}_low") for t in chosen])
        highs = np.array([getattr(t, f"{side}_high") for t in chosen])
        errors = np.maximum([values - lows, highs - values], 0)
        ax.errorbar(x + offset, values, yerr=errors, fmt="o", color=colour, capsize=4, label=label)
    ax.set_xticks(x, [t.figure.label for t in chosen], fontsize="small")
    ax.set_ylabel("share of opportunities")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    return figure
