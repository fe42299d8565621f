"""Global sensitivity: Sobol first-order and total indices (SALib) from a Saltelli sweep.

The sweep's design is SALib's Saltelli sample over the swept ranges (method =
"saltelli" in the sweep file), so its per-point means are exactly what
`SALib.analyze.sobol` needs. A first-order index is the share of the output's
variance due to one parameter alone; a total index adds its interactions. An output
is any metric of the registry: the point summary holds each one's mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..scenario import ScenarioError
from .metrics import LABELS, REGISTRY
from .results_folder import write_atomic

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario.sweep_file import Sweep
    from .sweep import SweepReport

OUTPUTS = tuple(REGISTRY)  # the metrics whose indices can be estimated
DEFAULT_OUTPUTS = ("win_rate", "cycle_days_median")
RESAMPLES = 200  # bootstrap resamples for the indices' confidence intervals


def require_saltelli(sweep: Sweep) -> Sweep:
    """Sobol indices need SALib's Saltelli design: refuse other sweeps with a clear message."""
    if sweep.method != "saltelli":
        raise ScenarioError(
            f"{sweep.path}: [sweep] method = {sweep.method!r} cannot give Sobol indices; "
            'allowed: method = "saltelli" (the design SALib\'s Sobol analysis needs)'
        )
    return sweep


def sobol_indices(
    sweep: Sweep, report: SweepReport, outputs: Sequence[str] = DEFAULT_OUTPUTS
) -> pd.DataFrame:
    """One row per output and parameter: S1, S1_conf, ST, ST_conf (conf: half-width of 95% CI).

    `outputs` are names of `OUTPUTS`, in the order the table lists them.
    """
    import numpy as np
    import pandas as pd
    from SALib.analyze import sobol

    summary = pd.read_parquet(report.out / "point_summary.parquet").set_index("point").sort_index()
    from ..scenario.sweep_file import unit_problem  # numpy and SALib: not at the CLI's start

    problem = unit_problem(sweep.parameters)
    rows = []
    for output in outputs:
        values = summary[output].reindex(range(report.points)).to_numpy(dtype=float)
        missing = np.flatnonzero(np.isnan(values))
        if missing.size:
            listed = ", ".join(map(str, missing[:10])) + (" ..." if missing.size > 10 else "")
            raise ScenarioError(
                f"{sweep.path}: no {LABELS[output]} at point(s) {listed} (the model failed there, "
                "or no replication had one: docs/results.md says when a metric has none); "
                "Sobol indices need a value at every point"
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


def write_indices(out: Path, indices: pd.DataFrame) -> None:
    """Write the indices to OUT/sensitivity.csv."""
    write_atomic(out / "sensitivity.csv", indices.to_csv(index=False, lineterminator="\n").encode())
