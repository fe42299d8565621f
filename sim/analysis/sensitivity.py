"""Global sensitivity: Sobol first-order and total indices (SALib) from a Saltelli sweep.

The sweep's design is SALib's Saltelli sample over the swept ranges (method =
"saltelli" in the sweep file), so its per-point means are exactly what
`SALib.analyze.sobol` needs. A first-order index is the share of the output's
variance due to one parameter alone; a total index adds its interactions.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..scenario import ScenarioError
from ..scenario.sweep_file import Sweep, unit_problem
from .results_folder import write_atomic

if TYPE_CHECKING:
    import pandas as pd

    from .sweep import SweepReport

OUTPUTS = {"win_rate": "win rate", "cycle_days_median": "median cycle length"}
RESAMPLES = 200  # bootstrap resamples for the indices' confidence intervals


def require_saltelli(sweep: Sweep) -> Sweep:
    """Sobol indices need SALib's Saltelli design: refuse other sweeps with a clear message."""
    if sweep.method != "saltelli":
        raise ScenarioError(
            f"{sweep.path}: [sweep] method = {sweep.method!r} cannot give Sobol indices; "
            'allowed: method = "saltelli" (the design SALib\'s Sobol analysis needs)'
        )
    return sweep


def sobol_indices(sweep: Sweep, report: SweepReport) -> pd.DataFrame:
    """One row per output and parameter: S1, S1_conf, ST, ST_conf (conf: half-width of the 95% CI)."""
    import numpy as np
    import pandas as pd
    from SALib.analyze import sobol

    summary = pd.read_parquet(report.out / "point_summary.parquet").set_index("point").sort_index()
    problem = unit_problem(sweep.parameters)
    rows = []
    for output, label in OUTPUTS.items():
        values = summary[output].reindex(range(report.points)).to_numpy(dtype=float)
        missing = np.flatnonzero(np.isnan(values))
        if missing.size:
            listed = ", ".join(map(str, missing[:10])) + (" ..." if missing.size > 10 else "")
            raise ScenarioError(
                f"{sweep.path}: no {label} at point(s) {listed} (the model failed there, or no opportunity "
                "closed); Sobol indices need a value at every point"
            )
        if np.ptp(values) == 0:  # a constant output has no variance to share out
            rows += [_row(output, key, 0.0, 0.0, 0.0, 0.0) for key in problem["names"]]
            continue
        result = sobol.analyze(
            problem, values, calc_second_order=False, num_resamples=RESAMPLES, seed=sweep.seed
        )
        rows += [
            _row(
                output,
                key,
                result["S1"][i],
                result["S1_conf"][i],
                result["ST"][i],
                result["ST_conf"][i],
            )
            for i, key in enumerate(problem["names"])
        ]
    return pd.DataFrame(rows)


def _row(
    output: str, parameter: str, s1: float, s1_conf: float, st: float, st_conf: float
) -> dict[str, Any]:
    return {
        "output": output,
        "parameter": parameter,
        "S1": float(s1),
        "S1_conf": float(s1_conf),
        "ST": float(st),
        "ST_conf": float(st_conf),
    }


def write_sensitivity(out: Path, indices: pd.DataFrame) -> None:
    """Write OUT/sensitivity.csv and the bar chart OUT/sensitivity.png."""
    write_atomic(out / "sensitivity.csv", indices.to_csv(index=False, lineterminator="\n").encode())
    write_atomic(out / "sensitivity.png", bar_chart(indices))


def bar_chart(indices: pd.DataFrame) -> bytes:
    """First-order and total indices per parameter, one panel per output, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(1, len(OUTPUTS), figsize=(5 * len(OUTPUTS), 3.5), squeeze=False)
    for axis, (output, label) in zip(axes[0], OUTPUTS.items()):
        rows = indices[indices["output"] == output]
        x = np.arange(len(rows))
        axis.bar(
            x - 0.2, rows["S1"], 0.4, yerr=rows["S1_conf"], label="first order (S1)", capsize=3
        )
        axis.bar(x + 0.2, rows["ST"], 0.4, yerr=rows["ST_conf"], label="total (ST)", capsize=3)
        axis.set_xticks(x, rows["parameter"], rotation=20, ha="right")
        axis.set_title(f"Sobol indices: {label}")
        low, high = rows[["S1", "ST"]].min().min(), rows[["S1", "ST"]].max().max()
        axis.set_ylim(
            min(0.0, math.floor(low * 10) / 10), max(1.05, math.ceil(high * 10) / 10 + 0.05)
        )
        axis.axhline(0, color="black", linewidth=0.5)
        axis.legend(fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def print_indices(indices: pd.DataFrame) -> None:
    """The indices as a table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Sobol indices (± half-width of the 95% CI)", header_style="bold")
    for column in ("output", "parameter", "first order S1", "total ST"):
        table.add_column(column, justify="left" if column in ("output", "parameter") else "right")
    for row in indices.itertuples():
        table.add_row(
            OUTPUTS[row.output],
            row.parameter,
            f"{row.S1:.3f} ± {row.S1_conf:.3f}",
            f"{row.ST:.3f} ± {row.ST_conf:.3f}",
        )
    Console().print(table)
