"""The warm-up advice in words and a picture: running outputs, Welch's moving average, MSER-5."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..analysis.steady_state import welch_moving_average
from ..analysis.warmup import OUTPUTS, WarmupAdvice

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WELCH_WINDOW = 8  # periods either side in Welch's moving average (about two months of weeks)


def advice_lines(advice: WarmupAdvice, name: str) -> list[str]:
    """What `committee-sim warmup` prints: each output's truncation, then the advice."""
    lines = [
        f"{name}: {advice.replications} replications from an empty pipeline, "
        f"{advice.horizon_days:g} days, outputs per {advice.period_days:g}-day period",
        "MSER-5 truncation (where each output's transient ends):",
    ]
    for output, meaning in OUTPUTS.items():
        flag = (
            "  (not settled in the first half: run longer)"
            if advice.truncations[output].too_short
            else ""
        )
        lines.append(f"  {meaning}: day {advice.truncation_days(output):g}{flag}")
    lines.append(
        f"recommended warm-up: scenario.warmup_days = {advice.recommended_days:g} "
        "(the latest truncation, rounded up to a whole month)"
    )
    if advice.too_short:
        lines.append(
            "warning: some output had not settled within the first half of the run; run again "
            "with a longer --set scenario.horizon_days"
        )
    return lines


def warmup_figure(advice: WarmupAdvice, name: str) -> Figure:
    """One panel per output: the mean over replications, Welch's moving average, the cut-offs."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 2.4 * len(OUTPUTS) + 0.6), layout="constrained")
    axes = figure.subplots(len(OUTPUTS), 1, sharex=True)
    figure.suptitle(f"Warm-up of {name}: mean of {advice.replications} replications from empty")
    for ax, (output, meaning) in zip(axes, OUTPUTS.items(), strict=True):
        series = advice.series[output]
        day = (np.arange(len(series)) + 1) * advice.period_days
        smooth = welch_moving_average(series, WELCH_WINDOW)
        ax.plot(day, series, color="#bbbbbb", linewidth=0.8, label="mean per period")
        ax.plot(day[: len(smooth)], smooth, color="#1f4e79", label="Welch moving average")
        ax.axvline(advice.truncation_days(output), color="#c0504d", linestyle="--", label="MSER-5")
        ax.axvline(advice.recommended_days, color="black", linestyle=":", label="recommended")
        ax.set_title(meaning, fontsize="medium")
        ax.set_ylabel(output.replace("_", " "))
    axes[0].legend(fontsize="small", ncol=4)
    axes[-1].set_xlabel("simulated day")
    return figure


def write_warmup_figure(advice: WarmupAdvice, name: str, path: Path) -> None:
    """Save the figure; the format follows the file's suffix (.png or .svg)."""
    import matplotlib

    # Fixed SVG ids; and a `$` in the scenario's name is text, not mathematics.
    with matplotlib.rc_context({"svg.hashsalt": "committee-sim", "text.parse_math": False}):
        warmup_figure(advice, name).savefig(
            path, dpi=110, metadata={"Date": None} if path.suffix == ".svg" else {}
        )
