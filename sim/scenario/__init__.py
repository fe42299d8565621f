"""What to run: the scenario schema, loading scenario files and overrides, the parameter reference.

The sweep-file schema is in `sim.scenario.sweep_file` (imported on its own: it needs numpy).
"""

from .loading import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    load_with_sets,
    parse_override,
    read_scenario_data,
    validate,
)
from .reference import allowed_values, parameter_rows, parameter_table
from .schema import DEFAULT_SEED, LISTS, SECTIONS, TACTICS, Scenario

__all__ = [
    "DEFAULT_SEED",
    "LISTS",
    "SECTIONS",
    "TACTICS",
    "Scenario",
    "ScenarioError",
    "allowed_values",
    "apply_overrides",
    "load_scenario",
    "load_with_sets",
    "parameter_rows",
    "parameter_table",
    "parse_override",
    "read_scenario_data",
    "validate",
]
