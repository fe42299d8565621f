"""docs/validation.md in words, tables and one picture: theory, calibration, validation.

Every function here renders figures already computed (by `sim.analysis.theory`,
`sim.analysis.targets`, `sim.analysis.summary` and scripts/validation_report.py) as
Markdown; `committee_size_figure` draws the committee-size curve. The verdicts are
stated plainly, misses included: this page reports, it does not tune.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.metrics import REGISTRY
from ..analysis.statistics import mean_interval, t_interval
from ..analysis.targets import TARGETS, Target, committee_of
from ..analysis.theory import ALPHA, Check
from ..vocabulary import INDECISION_REASONS, NO_DECISION_REASONS, Reason
from . import palette
from .formatting import CI, in_unit, is_missing, p_value, percent

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PURCHASE, CYCLE = "purchase_likelihood", "cycle_days_median"
SATURATED = 0.95  # marketing utilisation at which the team has no slack left
JOLT_INDECISION = next(t for t in TARGETS if t.metric == "indecision_share")


def passed(ok: bool) -> str:
    return "pass" if ok else "**fail**"


@dataclass(frozen=True)
class Estimate:
    """A figure's mean over replications and its t interval (NaN replications left out)."""

    mean: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: np.ndarray) -> Estimate:
        values = np.asarray(values, dtype=float)
        values = values[~np.isnan(values)]
        mean = float(values.mean()) if values.size else math.nan
        low, high = t_interval(values)
        return cls(mean, low, high, int(values.size))

    def show(self, unit: str) -> str:
        """'24.3% [21.0%, 27.6%]' in the metric's unit."""
        if is_missing(self.mean):
            return "n/a"
        return f"{in_unit(self.mean, unit)} [{in_unit(self.low, unit)}, {in_unit(self.high, unit)}]"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def plus_minus(tolerance: float, unit: str) -> str:
    """A tolerance in the metric's unit: ±8.0 pts for a share, ±20.0 d for days."""
    return "±" + in_unit(tolerance, unit, signed=True).removeprefix("+")


def _unit_of(name: str) -> str:
    """The unit of a target's metric; a target no longer declared is taken as a share."""
    metric = next((t.metric for t in TARGETS if t.name == name), None)
    return REGISTRY[metric].unit if metric else "%"


def _number(value: float) -> str:
    return "n/a" if is_missing(value) else f"{value:.4g}"


# --- 1. Theory ---------------------------------------------------------------------------


def theory_section(checks: Sequence[Check]) -> str:
    switched_off = sorted({check.switched_off for check in checks})
    rows = [
        [
            check.name,
            check.reduction,
            check.quantity,
            _number(check.theory),
            _number(check.model),
            _evidence(check),
            "agree" if check.agree else "differ",
            passed(check.passed),
        ]
        for check in checks
    ]
    failed = [check.name for check in checks if not check.passed]
    return "\n\n".join(
        [
            "## 1. Theory checks",
            "The model reduced to textbook cases must reproduce the textbook answer. Each "
            "reduction switches most of the model off (`sim.analysis.theory.QUIET`) and then "
            "switches back on only the part under test. In every reduction: "
            + "; ".join(switched_off)
            + ". The tests in tests/test_theory.py assert these same checks, with the same "
            "fixed seeds (the report's `--seed` does not change them).",
            f"A check that should **agree** passes when the theory value lies in the model's "
            f"{1 - ALPHA:.0%} interval (t interval over independent replications, or the "
            "known variance of a Poisson count), or when a Kolmogorov-Smirnov test of the "
            f"model's sample against the theory gives p ≥ {ALPHA:g}. A power check (should "
            "**differ**) passes when the same test tells the model apart from a wrong theory: "
            "evidence that the test could fail. Little's law is judged on the replications' "
            "paired differences L - λW, its interval is L ± their half-width.",
            _table(
                (
                    "check",
                    "reduction",
                    "compared",
                    "theory",
                    "model",
                    f"{1 - ALPHA:.0%} interval / KS p",
                    "should",
                    "verdict",
                ),
                rows,
            ),
            f"{len(checks) - len(failed)} of {len(checks)} theory checks pass"
            + (f"; failed: {', '.join(failed)}." if failed else "."),
        ]
    )


def _evidence(check: Check) -> str:
    if check.p_value is not None:
        shown = p_value(check.p_value)
        return f"p {shown}" if shown.startswith("<") else f"p = {shown}"
    if check.interval is None:
        return "n/a"
    low, high = check.interval
    return f"[{_number(low)}, {_number(high)}]"


# --- 2. Calibration ------------------------------------------------------------------------


def calibration_section(record: Mapping[str, Any] | None, defaults: Mapping[str, float]) -> str:
    """The fit scripts/calibrate_defaults.py recorded; `defaults` are the schema's values now."""
    heading = "## 2. Calibration fit (targets the defaults were fitted to: not validation)"
    if record is None:
        return (
            f"{heading}\n\ndocs/calibration.json was not found: run scripts/calibrate_defaults.py."
        )
    check = record["check"]
    parameters = record["parameters"]
    differ = [key for key, p in parameters.items() if defaults.get(key) != p["fitted"]]
    parameter_rows = [
        [f"`{key}`", _number(p["start"]), _number(p["searched"]), _number(p["fitted"])]
        + [_number(defaults.get(key, math.nan))]
        for key, p in parameters.items()
    ]
    fit_rows = [
        [
            f"`{t['name']}`",
            t["figure"],
            in_unit(t["published"], _unit_of(t["name"])),
            in_unit(t["model"], _unit_of(t["name"])),
            plus_minus(t["tolerance"], _unit_of(t["name"])),
            "yes" if abs(t["model"] - t["published"]) <= t["tolerance"] else "**no**",
            t["source"],
        ]
        for t in check["targets"]
    ]
    default_note = (
        "The schema's defaults equal the fitted values."
        if not differ
        else "**The schema's defaults differ from the fitted values for "
        + ", ".join(f"`{key}`" for key in differ)
        + "**: the sections below run the defaults as shipped, not the fit."
    )
    return "\n\n".join(
        [
            heading,
            "These published figures are **calibration targets**: the behavioural defaults "
            "below were chosen to reproduce them, so matching them is by construction and "
            "is not evidence that the model is right. scripts/calibrate_defaults.py "
            f"minimised the sum over targets of ((model - published) / tolerance)² by "
            f"{record['method']} ({record['trials']} trials of {record['replications']} "
            f"replications, seed {record['seed']}; loss {record['loss_at_start']:.3f} at the "
            f"start, {record['loss_at_best']:.3f} at the best trial), then rounded the values "
            "to two significant figures (docs/calibration.json).",
            _table(
                ("parameter", "start", "searched", "fitted (rounded)", "default now"),
                parameter_rows,
            ),
            default_note,
            f"The fit at the rounded values, measured again with {check['replications']} "
            f"replications and seed {check['seed']}, which the search never used (loss "
            f"{check['loss']:.3f}); the model figure is the mean over replications:",
            _table(
                ("target", "figure", "published", "model", "tolerance", "within?", "source"),
                fit_rows,
            ),
        ]
    )


# --- 3. Validation -------------------------------------------------------------------------


def matches(target: Target, mean: float) -> bool:
    """The model matches a published figure when its mean is within the tolerance."""
    return not is_missing(mean) and abs(mean - target.published) <= target.tolerance


def validation_section(
    targets: Sequence[Target],
    values: Mapping[str, np.ndarray],
    replications: int,
    seed: int,
    calibration_seeds: Sequence[int] = (),
) -> str:
    rows, verdicts = [], []
    for target in targets:
        unit = REGISTRY[target.metric].unit
        estimate = Estimate.of(values[target.name])
        ok = matches(target, estimate.mean)
        verdicts.append(ok)
        rows.append(
            [
                f"`{target.name}`",
                target.figure,
                in_unit(target.published, unit),
                target.source,
                f"{estimate.show(unit)} (`{target.metric}`)",
                plus_minus(target.tolerance, unit),
                "matches" if ok else "**does not match**",
            ]
        )
    missed = [t.name for t, ok in zip(targets, verdicts, strict=True) if not ok]
    return "\n\n".join(
        [
            "## 3. Validation",
            "Published figures the calibration never saw (`sim.analysis.targets.VALIDATION`), "
            "each measured by `measure(...)` in its experiment with the shipped defaults: "
            f"{replications} replications, seed {seed}{_other_than(calibration_seeds)}. "
            "The model figure is the mean over replications "
            f"with its {CI} (Student t over replications). The model **matches** when "
            "|model mean - published| ≤ tolerance, else it **does not match**. Nothing was "
            "tuned to these figures.",
            _table(
                (
                    "target",
                    "figure",
                    "published",
                    "source",
                    f"model ({CI})",
                    "tolerance",
                    "verdict",
                ),
                rows,
            ),
            f"{len(targets) - len(missed)} of {len(targets)} validation targets match"
            + (f"; these do not: {', '.join(f'`{m}`' for m in missed)}." if missed else "."),
        ]
    )


def _other_than(seeds: Sequence[int]) -> str:
    if not seeds:
        return ""
    listed = " and ".join(str(seed) for seed in seeds)
    return f" (the calibration used seed{'s' if len(seeds) > 1 else ''} {listed})"


# --- 4. Committee size ----------------------------------------------------------------------


def ceb_points(sizes: Iterable[int]) -> dict[int, Target]:
    """CEB's published purchase likelihood for those of `sizes` it has, from the targets."""
    return {
        size: target
        for size in sizes
        for target in TARGETS
        if target.metric == PURCHASE and target.experiment == committee_of(size)
    }


def roles(size: int) -> str:
    """'3 stallers, 1 nay-sayer, 1 decision maker': seed 003's mix for a committee of `size`."""
    counts = dict(o.removeprefix("committee.").split("=") for o in committee_of(size).overrides)
    names = {"stallers": "staller", "nay_sayers": "nay-sayer", "decision_makers": "decision maker"}
    return ", ".join(
        f"{counts[key]} {name}{'' if counts[key] == '1' else 's'}" for key, name in names.items()
    )


@dataclass(frozen=True)
class DoneCheck:
    statement: str
    ok: bool
    detail: str


def committee_checks(curve: Mapping[int, Mapping[str, np.ndarray]]) -> list[DoneCheck]:
    """CEB's points within tolerance, the bump at three, a median cycle rising with size."""
    purchase = {size: Estimate.of(m[PURCHASE]).mean for size, m in curve.items()}
    cycle = {size: Estimate.of(m[CYCLE]).mean for size, m in curve.items()}
    points = ceb_points(curve)
    misses = {s: purchase[s] - t.published for s, t in points.items()}
    tolerance = max(t.tolerance for t in points.values())
    bump = mean_interval(np.asarray(curve[3][PURCHASE]) - np.asarray(curve[2][PURCHASE]))
    sizes = sorted(curve)
    steps = [cycle[b] - cycle[a] for a, b in zip(sizes, sizes[1:], strict=False)]
    return [
        DoneCheck(
            f"within {tolerance:g} of CEB at every published point",
            all(matches(points[s], purchase[s]) for s in points),
            "model - CEB: "
            + ", ".join(f"size {s}: {100 * d:+.1f} pts" for s, d in sorted(misses.items())),
        ),
        DoneCheck(
            "purchase likelihood higher with three members than with two: p(3) > p(2)",
            purchase[3] > purchase[2],
            f"p(3) - p(2) = {100 * bump['estimate']:+.1f} pts, paired {CI} "
            f"[{100 * bump['ci'][0]:+.1f}, {100 * bump['ci'][1]:+.1f}] pts",
        ),
        DoneCheck(
            "median cycle strictly rising with committee size",
            all(step > 0 for step in steps),
            "steps from one size to the next: " + ", ".join(f"{s:+.1f} d" for s in steps),
        ),
    ]


def committee_section(
    curve: Mapping[int, Mapping[str, np.ndarray]], image: str, replications: int, seed: int
) -> str:
    points = ceb_points(curve)
    rows = []
    for size in sorted(curve):
        target = points.get(size)
        purchase = Estimate.of(curve[size][PURCHASE])
        rows.append(
            [
                str(size),
                roles(size),
                purchase.show("%"),
                percent(target.published, 0) if target else "",
                (f"`{target.name}`" if target else ""),
                Estimate.of(curve[size][CYCLE]).show("days"),
            ]
        )
    checks = committee_checks(curve)
    check_lines = [f"- {passed(c.ok)}: {c.statement} ({c.detail})" for c in checks]
    return "\n\n".join(
        [
            "## 4. Committee size",
            "The baseline with committees of 1 to 8 in seed 003's mix of roles "
            "(`targets.committee_of(n)`: one decision maker; from two members one nay-sayer; "
            f"the rest stallers), {replications} replications each, seed {seed}, common random "
            f"numbers across sizes. Purchase likelihood (`{PURCHASE}`): "
            f"{REGISTRY[PURCHASE].doc}. Median cycle (`{CYCLE}`): {REGISTRY[CYCLE].doc}. "
            f"Means over replications with their {CI}. CEB's five points are calibration "
            "targets (section 2): the curve's other sizes and its shape are what this adds.",
            f"![Purchase likelihood and median cycle by committee size]({image})",
            _table(
                (
                    "size",
                    "roles",
                    f"purchase likelihood ({CI})",
                    "CEB",
                    "target",
                    f"median cycle ({CI})",
                ),
                rows,
            ),
            "Done when:",
            "\n".join(check_lines),
        ]
    )


def committee_size_figure(curve: Mapping[int, Mapping[str, np.ndarray]]) -> Figure:
    """Purchase likelihood against CEB's points (left) and the median cycle (right), by size."""
    import matplotlib
    from matplotlib.figure import Figure

    sizes = sorted(curve)
    purchase = [Estimate.of(curve[s][PURCHASE]) for s in sizes]
    cycle = [Estimate.of(curve[s][CYCLE]) for s in sizes]
    points = ceb_points(curve)
    model_colour, ceb_colour = palette.SCENARIO_CYCLE[0], palette.SCENARIO_CYCLE[1]
    with matplotlib.rc_context({"text.parse_math": False}):
        figure = Figure(figsize=(10, 4.5), layout="constrained")
        left, right = figure.subplots(1, 2)
        _with_error_bars(left, sizes, purchase, 100.0, model_colour, f"model, mean and {CI}")
        ceb_sizes = sorted(points)
        left.errorbar(
            ceb_sizes,
            [points[s].published * 100 for s in ceb_sizes],
            yerr=[points[s].tolerance * 100 for s in ceb_sizes],
            fmt="D",
            color=ceb_colour,
            capsize=3,
            linestyle="none",
            label="CEB (2015), ± tolerance",
        )
        left.set_title("Purchase likelihood by committee size")
        left.set_xlabel("committee members")
        left.set_ylabel("decisions that bought (%)")
        left.set_ylim(0, 100)
        left.legend(fontsize="small")
        _with_error_bars(right, sizes, cycle, 1.0, model_colour, f"model, mean and {CI}")
        right.set_title("Median sales cycle by committee size")
        right.set_xlabel("committee members")
        right.set_ylabel("median cycle of opportunities (days)")
        right.set_ylim(bottom=0)
        right.legend(fontsize="small")
        for ax in (left, right):
            ax.set_xticks(sizes)
    return figure


def _with_error_bars(
    ax: Any, sizes: list[int], estimates: list[Estimate], scale: float, colour: str, label: str
) -> None:
    means = np.array([e.mean for e in estimates]) * scale
    below = means - np.array([e.low for e in estimates]) * scale
    above = np.array([e.high for e in estimates]) * scale - means
    ax.errorbar(sizes, means, yerr=[below, above], fmt="o-", color=colour, capsize=4, label=label)


# --- 5. No decision -----------------------------------------------------------------------


def _reason_kind(reason: Reason) -> str:
    if reason in INDECISION_REASONS:
        return "indecision"
    if reason == Reason.STATUS_QUO:
        return "status quo"
    return "not the committee's choice"


def _summary_estimate(summary: Mapping[str, Any], metric: str) -> Estimate:
    """A metric as summary.json holds it: the mean and its interval (`_ci`)."""
    low, high = summary[f"{metric}_ci"]
    return Estimate(summary[metric], low, high, summary["replications"])


def no_decision_section(summary: Mapping[str, Any]) -> str:
    counts = summary["no_decision_reasons"]
    total = sum(counts.values())
    rows = [
        [
            reason.label,
            _reason_kind(reason),
            str(counts[reason.key]),
            percent(counts[reason.key] / total) if total else "n/a",
        ]
        for reason in NO_DECISION_REASONS
    ]
    indecision, rate = (
        _summary_estimate(summary, JOLT_INDECISION.metric),
        _summary_estimate(summary, "no_decision_rate"),
    )
    ok = matches(JOLT_INDECISION, indecision.mean)
    return "\n\n".join(
        [
            "## 5. No decision in the baseline",
            f"The shipped baseline, {summary['replications']} replications, seed "
            f"{summary['seed']}. No-decision rate (`no_decision_rate`): "
            f"{REGISTRY['no_decision_rate'].doc}: **{rate.show('%')}** ({CI}). Why the "
            "counted deals that ended in no decision ended so, all replications pooled; "
            "*indecision* is the committee failing to align or deliberating until its "
            "patience ran out, *status quo* a choice to keep things as they are, the rest "
            "are delays and losses on the seller's side:",
            _table(("reason", "kind", "deals", "share of no decisions"), rows),
            f"Indecision share (`indecision_share`: {REGISTRY['indecision_share'].doc}): "
            f"**{indecision.show('%')}** ({CI}) against JOLT's "
            f"{percent(JOLT_INDECISION.published, 0)} (tolerance "
            f"{plus_minus(JOLT_INDECISION.tolerance, '%')}): "
            + ("matches." if ok else "**does not match**."),
        ]
    )


# --- 6. Marketing load --------------------------------------------------------------------


def marketing_section(
    loads: Mapping[str, Mapping[str, np.ndarray]], replications: int, seed: int
) -> str:
    rows, saturated = [], []
    for name, load in loads.items():
        utilisation = Estimate.of(load["marketing_utilisation"])
        full = utilisation.mean >= SATURATED
        if full:
            saturated.append(name)
        rows.append(
            [
                f"`{name}`",
                utilisation.show("%"),
                Estimate.of(load["reactive_share"]).show("%"),
                "**saturated**" if full else "",
            ]
        )
    return "\n\n".join(
        [
            "## 6. Marketing load",
            "Marketing utilisation is the share of the marketing team's time in the counted "
            "window spent working, proactive work on tactics plus one-off work "
            "(replications table column `marketing_utilisation`); the "
            "one-off share is the share of that working time on one-off sales support "
            f"rather than proactive work (`reactive_share`). Every shipped scenario, "
            f"{replications} replications, seed {seed}; means with their {CI}. A team at "
            f"{percent(SATURATED, 0)} utilisation or more is flagged **saturated**: requests "
            "queue and the waits, not the team's choices, set its output.",
            _table(("scenario", f"utilisation ({CI})", f"one-off share ({CI})", "flag"), rows),
            (
                "Saturated: " + ", ".join(f"`{s}`" for s in saturated) + "."
                if saturated
                else f"No scenario reaches {percent(SATURATED, 0)} utilisation."
            ),
        ]
    )


# --- The page --------------------------------------------------------------------------------


def document(header: str, sections: Sequence[str]) -> str:
    return "\n\n".join([header, *sections]) + "\n"


def header(replications: int, seed: int) -> str:
    return "\n\n".join(
        [
            "# Validation",
            "Generated by `python scripts/validation_report.py` "
            f"(`--replications {replications} --seed {seed}`); do not edit by hand. "
            "Three kinds of evidence, kept apart: the model reduced to textbook cases "
            "reproduces theory (section 1); the behavioural defaults were fitted to some "
            "published figures (section 2, calibration: not evidence); the fitted model is "
            "compared with published figures the fit never saw (section 3, validation). "
            "Sections 4 to 6 look at the committee-size curve, the baseline's no decisions "
            f"and marketing's load. Intervals over replications are {CI}s unless a section "
            "says otherwise.",
        ]
    )
