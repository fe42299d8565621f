"""committee-sim: a discrete-event simulation of B2B buying committees.

    >>> import sim
    >>> results = sim.simulate("baseline", replications=5, seed=1)  # a shipped scenario, or a path
    >>> results.deals.head()  # doctest: +SKIP
    >>> sim.summarise(results)["win_rate"]  # doctest: +SKIP

Names are imported on first use so that the command line starts quickly.
"""

import importlib

_EXPORTS = {
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario",
    "simulate": "analysis.replications",
    "deal_table": "analysis.replications",
    "Results": "analysis.replications",
    "summarise": "analysis.summary",
    "read_results": "analysis.results_folder",
    "write_results": "analysis.results_folder",
    "simulate_replication": "model.world",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
