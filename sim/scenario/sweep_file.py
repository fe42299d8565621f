"""Sweep files: a base scenario, the parameters to vary, and how to place the points.

    [sweep]
    scenario = "../baseline.toml"    # relative to the sweep file
    method = "lhs"                   # grid, lhs, sobol or saltelli
    points = 200                     # lhs, sobol: points; saltelli: base samples N
    replications = 5
    seed = 1

    [parameters]
    "committee.stallers" = { low = 2, high = 12 }       # a range (lhs, sobol, saltelli)
    "marketing.proactive_share" = [0.1, 0.3, 0.5]       # a list of values (grid)

Every point is validated through the scenario schema before anything runs, so a
mistake stops the sweep at once with one message (a ScenarioError).
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import (
    DEFAULT_SEED,
    LISTS,
    SECTIONS,
    Scenario,
    ScenarioError,
    allowed_values,
    apply_overrides,
    read_scenario_data,
    validate,
)

METHODS = ("grid", "lhs", "sobol", "saltelli")
SWEEP_KEYS = (
    "name",
    "scenario",
    "method",
    "points",
    "replications",
    "seed",
    "common_random_numbers",
)
MAX_POINTS = 1_000_000


@dataclass(frozen=True)
class Parameter:
    """One swept scenario value: a list of values (grid) or a range [low, high]."""

    key: str  # "committee.stallers", or "partners.NAME.key"
    integer: bool
    values: tuple[float, ...] = ()
    low: float = math.nan
    high: float = math.nan

    def at(self, u: float) -> float | int:
        """The value at position u in [0, 1) of the range; integers are spread evenly over low..high."""
        if self.integer:
            return min(int(self.low + math.floor(u * (self.high - self.low + 1))), int(self.high))
        return float(self.low + u * (self.high - self.low))


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file."""

    path: Path
    name: str
    base: dict[str, Any]  # the base scenario's raw data
    method: str
    parameters: tuple[Parameter, ...]
    points: int  # lhs and sobol: number of points; saltelli: base samples
    replications: int
    seed: int
    common_random_numbers: bool

    def design(self) -> list[dict[str, Any]]:
        """The points, in order: one {parameter key: value} per point."""
        if self.method == "grid":
            grids = np.meshgrid(*[np.arange(len(p.values)) for p in self.parameters], indexing="ij")
            combos = np.stack([g.ravel() for g in grids], axis=1)
            return [{p.key: p.values[i] for p, i in zip(self.parameters, row)} for row in combos]
        return [
            {p.key: p.at(u) for p, u in zip(self.parameters, row)} for row in self.unit_sample()
        ]

    def unit_sample(self) -> np.ndarray:
        """Points in the unit hypercube, from an engine seeded by the sweep's seed."""
        dimensions = len(self.parameters)
        if self.method == "lhs":
            from scipy.stats import qmc

            return qmc.LatinHypercube(dimensions, rng=self.seed).random(self.points)
        if self.method == "sobol":
            from scipy.stats import qmc

            return qmc.Sobol(dimensions, rng=self.seed).random_base2(int(math.log2(self.points)))
        from SALib.sample import sobol

        problem = unit_problem(self.parameters)
        sample = sobol.sample(problem, self.points, calc_second_order=False, seed=self.seed)
        return np.minimum(
            sample, np.nextafter(1.0, 0.0)
        )  # the design includes 1.0; `at` needs u < 1

    def scenario_at(self, point: dict[str, Any], source: str = "") -> Scenario:
        """The base scenario with one point's values, validated by the schema."""
        data = apply_overrides(
            self.base, [f"{key}={toml_value(value)}" for key, value in point.items()]
        )
        return validate(data, source=source or str(self.path))

    def scenarios(self, design: list[dict[str, Any]]) -> list[Scenario]:
        """The scenario of every point of the design, all validated before anything runs."""
        result = []
        for index, point in enumerate(design):
            where = ", ".join(f"{key} = {value!r}" for key, value in point.items())
            result.append(self.scenario_at(point, source=f"{self.path}: point {index} ({where})"))
        return result

    def manifest(self, design: list[dict[str, Any]]) -> dict[str, Any]:
        """What identifies the sweep's results (given its design): a resumed run must match it exactly."""
        return json.loads(
            json.dumps(
                {
                    "base": self.base,
                    "method": self.method,
                    "parameters": [p.key for p in self.parameters],
                    "points": design,
                    "replications": self.replications,
                    "seed": self.seed,
                    "common_random_numbers": self.common_random_numbers,
                }
            )
        )

    def seed_of(self, point: int) -> int:
        """The root seed of one point's replications.

        With common random numbers (the default) every point uses the sweep's seed,
        so replication r of every point sees the same leads and dice and differences
        between points are not noise; otherwise each point gets its own seed,
        derived from the sweep's seed and the point's index.
        """
        if self.common_random_numbers:
            return self.seed
        return int(
            np.random.SeedSequence([self.seed, point]).generate_state(1, dtype=np.uint64)[0] >> 1
        )


def unit_problem(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    """SALib's problem description, over the unit hypercube that `Parameter.at` maps."""
    return {
        "num_vars": len(parameters),
        "names": [p.key for p in parameters],
        "bounds": [[0.0, 1.0]] * len(parameters),
    }


def toml_value(value: Any) -> str:
    """A value as TOML text, as --set reads it."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    return json.dumps(value)  # integers, booleans and strings are written alike in JSON and TOML


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raise ScenarioError naming the file, key, value and what is allowed."""
    path = Path(path)
    data = _read_toml(path)
    unknown = sorted(set(data) - {"sweep", "parameters"})
    if unknown:
        raise ScenarioError(
            f"{path}: unknown section [{unknown[0]}]; allowed: [sweep] and [parameters]"
        )
    settings = _table(data, "sweep", path)
    for key in settings:
        if key not in SWEEP_KEYS:
            raise ScenarioError(
                f"{path}: [sweep] unknown key '{key}'; allowed: {', '.join(SWEEP_KEYS)}"
            )
    method = settings.get("method", "grid")
    if method not in METHODS:
        raise ScenarioError(
            f"{path}: [sweep] method = {method!r} is not allowed; allowed: {', '.join(METHODS)}"
        )
    base = _base_scenario(path, settings)
    parameters = tuple(
        _parameter(path, key, value, method, base)
        for key, value in _flatten(_table(data, "parameters", path)).items()
    )
    if not parameters:
        raise ScenarioError(
            f"{path}: [parameters] is empty; allowed: at least one parameter to vary"
        )
    sweep = Sweep(
        path=path,
        name=_text(path, settings, "name", path.stem),
        base=base,
        method=method,
        parameters=parameters,
        points=_points(path, settings, method),
        replications=_integer(path, settings, "replications", 10, low=1),
        seed=_integer(path, settings, "seed", DEFAULT_SEED, low=0, high=2**63 - 1),
        common_random_numbers=_flag(path, settings, "common_random_numbers", True),
    )
    _check_size(sweep)
    return sweep


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such sweep file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read sweep file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise ScenarioError(f"{path}: missing [{name}] table; allowed: see docs/experiments.md")
    return table


def _base_scenario(path: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """The raw data of the base scenario (relative to the sweep file), checked by the schema."""
    name = settings.get("scenario")
    if not isinstance(name, str) or not name:
        raise ScenarioError(
            f"{path}: [sweep] scenario = {name!r} is not allowed; allowed: the path of a scenario file"
        )
    scenario_path = path.parent / name
    data = read_scenario_data(scenario_path)
    validate(data, source=str(scenario_path))
    return data


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Parameters may be written "committee.stallers" = ... or as nested tables: both give dotted keys."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict) and not {"low", "high"} & set(value):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _parameter(path: Path, key: str, value: Any, method: str, base: dict[str, Any]) -> Parameter:
    """One [parameters] entry, its key checked against the schema and its values validated."""
    where = f"{path}: [parameters] {key!r}"
    field = _field(where, key, base)
    integer = field.annotation is int
    if method == "grid":
        if not isinstance(value, list):
            raise ScenarioError(
                f'{where} = {value!r} is not allowed; allowed: a list of values for method = "grid"'
            )
        if not value:
            raise ScenarioError(f"{where} = [] is an empty list; allowed: at least one value")
        for item in value:
            _check_value(where, field, item)
        return Parameter(
            key, integer, values=tuple(item if integer else float(item) for item in value)
        )
    if not isinstance(value, dict) or set(value) != {"low", "high"}:
        raise ScenarioError(
            f"{where} = {value!r} is not allowed; allowed: a range {{ low = ..., high = ... }} for method = {method!r}"
        )
    low, high = value["low"], value["high"]
    for item in (low, high):
        _check_value(where, field, item)
    if not low < high:
        raise ScenarioError(
            f"{where}: range low = {low!r}, high = {high!r} is empty; allowed: low < high"
        )
    return Parameter(key, integer, low=low, high=high)


def _field(where: str, key: str, base: dict[str, Any]):
    """The schema field a dotted key names; only numeric values can be swept."""
    parts = key.split(".")
    section = parts[0]
    if section in LISTS and len(parts) == 3:
        names = [entry.get("name") for entry in base.get(section, []) if isinstance(entry, dict)]
        if parts[1] not in names:
            listed = ", ".join(map(str, names)) or "none in the base scenario"
            raise ScenarioError(f"{where}: unknown {section[:-1]} '{parts[1]}'; allowed: {listed}")
        model, name = LISTS[section], parts[2]
    elif section in SECTIONS and len(parts) == 2:
        model, name = SECTIONS[section], parts[1]
    else:
        raise ScenarioError(
            f'{where}: unknown parameter; allowed: section.key (e.g. "committee.stallers") '
            "or partners.NAME.key, as listed in docs/model.md"
        )
    field = model.model_fields.get(name)
    if field is None:
        import difflib

        close = difflib.get_close_matches(name, list(model.model_fields), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else "see docs/model.md"
        raise ScenarioError(f"{where}: unknown parameter '{name}' in [{section}]; {hint}")
    if field.annotation not in (int, float):
        raise ScenarioError(
            f"{where}: {name} is text and cannot be swept; allowed: numeric parameters"
        )
    return field


def _check_value(where: str, field: Any, value: Any) -> None:
    """One value against its parameter's type and limits (rules across parameters are checked per point)."""
    from typing import Annotated

    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(Annotated[field.annotation, field]).validate_python(value, strict=True)
    except ValidationError:
        raise ScenarioError(
            f"{where}: value {value!r} is not allowed; allowed: {allowed_values(field)}"
        ) from None


def _points(path: Path, settings: dict[str, Any], method: str) -> int:
    if method == "grid":
        if "points" in settings:
            raise ScenarioError(
                f'{path}: [sweep] points is not used by method = "grid" (the grid sets them); remove it'
            )
        return 0
    points = _integer(path, settings, "points", None, low=1, high=MAX_POINTS)
    if method in ("sobol", "saltelli") and points & (points - 1):
        what = (
            "points"
            if method == "sobol"
            else "points (base samples N; the design has N × (parameters + 2) points)"
        )
        raise ScenarioError(
            f"{path}: [sweep] points = {points} is not allowed for method = {method!r}; allowed: a power of two "
            f"such as {2 ** round(math.log2(points))}, since Sobol' sequences are balanced only then ({what})"
        )
    return points


def _integer(
    path: Path,
    settings: dict[str, Any],
    key: str,
    default: int | None,
    low: int,
    high: int = MAX_POINTS,
) -> int:
    value = settings.get(key, default)
    if value is None:
        raise ScenarioError(
            f"{path}: [sweep] {key} is missing; allowed: integer ≥ {low} and ≤ {high}"
        )
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScenarioError(
            f"{path}: [sweep] {key} = {value!r} is not allowed; allowed: integer ≥ {low} and ≤ {high}"
        )
    return value


def _text(path: Path, settings: dict[str, Any], key: str, default: str) -> str:
    value = settings.get(key, default)
    if not isinstance(value, str) or not value:
        raise ScenarioError(
            f"{path}: [sweep] {key} = {value!r} is not allowed; allowed: non-empty text"
        )
    return value


def _flag(path: Path, settings: dict[str, Any], key: str, default: bool) -> bool:
    value = settings.get(key, default)
    if not isinstance(value, bool):
        raise ScenarioError(
            f"{path}: [sweep] {key} = {value!r} is not allowed; allowed: true or false"
        )
    return value


def _check_size(sweep: Sweep) -> None:
    if sweep.method == "grid":
        size = math.prod(len(p.values) for p in sweep.parameters)
        if size > MAX_POINTS:
            raise ScenarioError(
                f"{sweep.path}: the grid has {size} points; allowed: at most {MAX_POINTS}"
            )
