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

The [sweep] table is declared with `param(...)` like the scenario schema and checked
by the same machinery; each [parameters] key is checked against the scenario schema,
and every point is validated as a scenario before anything runs. A mistake stops the
sweep at once with one message (a ScenarioError).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, TypeAdapter, ValidationError, model_validator
from pydantic.fields import FieldInfo

from .catalogue import resolve
from .files import shown, shown_path
from .loading import (
    ScenarioError,
    apply_overrides,
    describe_error,
    listing,
    read_scenario_data,
    read_toml,
    unknown_name,
    validate,
)
from .reference import allowed_values, markdown_table, table_rows
from .schema import DEFAULT_SEED, LISTS, SECTIONS, Scenario, Section, param

TABLES = ("sweep", "parameters")
MAX_POINTS = 1_000_000
Text = Annotated[str, Field(min_length=1)]  # text that may not be empty
# A name that becomes a folder inside results/: no separators, no "..", nothing absolute.
FOLDER_NAME = r"^\w[\w .-]{0,99}$"
FolderName = Annotated[str, Field(pattern=FOLDER_NAME)]
Method = Literal["grid", "lhs", "sobol", "saltelli"]


class SweepSettings(Section):
    """The [sweep] table: the base scenario, how to place the points, and the replications."""

    name: FolderName | None = param(
        None,
        unit="text",
        source="-",
        doc="Names the sweep and its default output folder `results/NAME`; "
        "if left out, the sweep file's name. A plain name, so the folder stays inside "
        "`results/`.",
        allowed="up to 100 letters, digits, spaces, '.', '_' and '-', starting with a letter "
        "or digit",
    )
    scenario: Text = param(
        ..., unit="path", source="-", doc="Base scenario file, relative to the sweep file."
    )
    method: Method = param(
        "grid",
        unit="-",
        source="-",
        doc="`grid`: every combination of the listed values; `lhs`: Latin hypercube; "
        "`sobol`: scrambled Sobol' sequence; `saltelli`: SALib's design for Sobol indices.",
    )
    points: int | None = param(
        None,
        ge=1,
        le=MAX_POINTS,
        unit="points",
        source="-",
        doc="`lhs`, `sobol`: number of points (`sobol`: a power of two); `saltelli`: base "
        "samples N, a power of two, giving N × (parameters + 2) points. Required but for "
        "`grid`, which sets its own points.",
    )
    replications: int = param(
        10, ge=1, le=MAX_POINTS, unit="replications", source="-", doc="Replications per point."
    )
    seed: int = param(
        DEFAULT_SEED,
        ge=0,
        le=2**63 - 1,
        unit="-",
        source="-",
        doc="Root seed of the design and of the model.",
    )
    common_random_numbers: bool = param(
        True,
        unit="-",
        source="-",
        doc="Every point uses the same seed, so replication r of every point sees the same "
        "leads and dice and differences between points are not noise; `false` gives each "
        "point its own seed, derived from the sweep's seed and the point's index.",
    )

    @model_validator(mode="after")
    def _points_fit_the_method(self) -> SweepSettings:
        if self.method == "grid":
            if self.points is not None:
                raise ValueError(
                    'points is not used by method = "grid" (the grid sets them); remove it'
                )
            return self
        if self.points is None:
            allowed = allowed_values(SweepSettings.model_fields["points"])
            raise ValueError(f"points is missing; allowed: {allowed}")
        if self.method in ("sobol", "saltelli") and self.points & (self.points - 1):
            what = (
                "points"
                if self.method == "sobol"
                else "points (base samples N; the design has N × (parameters + 2) points)"
            )
            raise ValueError(
                f"points = {self.points} is not allowed for method = {self.method!r}; "
                f"allowed: a power of two such as {2 ** round(math.log2(self.points))}, "
                f"since Sobol' sequences are balanced only then ({what})"
            )
        return self


def sweep_parameter_rows() -> list[dict[str, str]]:
    """One reference row per key of the [sweep] table, as `parameter_rows` for scenarios."""
    return table_rows("sweep", SweepSettings)


def sweep_key_table() -> str:
    """The [sweep] keys as the Markdown table of docs/experiments.md."""
    return markdown_table(sweep_parameter_rows(), ("key", "meaning", "default", "allowed"))


@dataclass(frozen=True)
class Parameter:
    """One swept scenario value: a list of values (grid) or a range [low, high]."""

    key: str  # "committee.stallers", or "partners.NAME.key"
    integer: bool
    values: tuple[float, ...] = ()
    low: float = math.nan
    high: float = math.nan

    def at(self, u: float) -> float | int:
        """The value at position u in [0, 1) of the range.

        Integers are spread evenly over low..high, both included.
        """
        if self.integer:
            return min(int(self.low + math.floor(u * (self.high - self.low + 1))), int(self.high))
        return float(self.low + u * (self.high - self.low))


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file."""

    path: Path
    name: str
    base: dict[str, Any]  # the base scenario's raw data
    method: Method
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
            return [
                {p.key: p.values[i] for p, i in zip(self.parameters, row, strict=True)}
                for row in combos
            ]
        return [
            {p.key: p.at(u) for p, u in zip(self.parameters, row, strict=True)}
            for row in self.unit_sample()
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
        """The base scenario with one point's values, validated by the schema.

        The values are set as they are: each key was checked against the schema when the
        sweep was loaded, and each value is an int or a float, which `--set` would read
        from its TOML text as the same number. The schema checks them.
        """
        data = apply_overrides(self.base, [])  # a copy, tables and list entries too
        for key, value in point.items():
            section, _, name = key.partition(".")
            if section in LISTS:  # "partners.NAME.key"
                entry, _, name = name.rpartition(".")
                found = (item for item in data.get(section, []) if isinstance(item, dict))
                table = next((item for item in found if item.get("name") == entry), None)
                if table is None:  # the loaded sweep checked its names: only a point made by hand
                    raise ScenarioError(
                        f"{shown_path(self.path)}: [parameters] {shown(key)}: unknown "
                        f"{section[:-1]} {shown(entry)}"
                    )
            else:
                table = data.setdefault(section, {})
            table[name] = value
        return validate(data, source=source or shown_path(self.path))

    def scenarios(self, design: list[dict[str, Any]]) -> list[Scenario]:
        """The scenario of every point of the design, all validated before anything runs."""
        return list(self.each_scenario(design))

    def each_scenario(self, design: list[dict[str, Any]]) -> Iterator[Scenario]:
        """The scenario of each point of the design in turn; a mistake names the point."""
        for index, point in enumerate(design):
            try:
                yield self.scenario_at(point)
            except ScenarioError:  # again, for the message: naming the point costs time
                where = shown_path(", ".join(f"{key} = {value!r}" for key, value in point.items()))
                self.scenario_at(point, source=f"{shown_path(self.path)}: point {index} ({where})")
                raise

    def manifest(self, design: list[dict[str, Any]]) -> dict[str, Any]:
        """What identifies the sweep's results, given its design.

        A resumed run must match it exactly.
        """
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


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file.

    Raises ScenarioError naming the file, the key, the value and what is allowed.
    """
    path = resolve(path, "sweep")
    data = read_toml(path, "sweep")
    source = shown_path(path)
    for section in data:
        if section not in TABLES:
            raise ScenarioError(f"{source}: {unknown_name('section', section, TABLES)}")
    table = _table(data, "sweep", path)
    try:
        settings = SweepSettings.model_validate(table)
    except ValidationError as exc:
        raise ScenarioError(describe_error(exc, table, source, SweepSettings, "[sweep]")) from None
    base, validated = _base_scenario(
        path.parent / settings.scenario, f"[sweep] scenario in {source}"
    )
    names = {  # the base scenario's partners, in order, whose values [parameters] may name
        section: dict.fromkeys(entry["name"] for entry in validated.to_dict()[section])
        for section in LISTS
    }
    parameters = tuple(
        _parameter(path, key, value, settings.method, names)
        for key, value in _flatten(_table(data, "parameters", path)).items()
    )
    if not parameters:
        raise ScenarioError(
            f"{source}: [parameters] is empty; allowed: at least one parameter to vary"
        )
    if settings.name is None and not re.fullmatch(FOLDER_NAME, path.stem):
        raise ScenarioError(
            f"{source}: the file's name {shown(path.stem)} cannot name the results folder; set "
            "[sweep] name (letters, digits, spaces, '.', '_' and '-')"
        )
    sweep = Sweep(
        path=path,
        name=path.stem if settings.name is None else settings.name,
        base=base,
        method=settings.method,
        parameters=parameters,
        points=0 if settings.points is None else settings.points,
        replications=settings.replications,
        seed=settings.seed,
        common_random_numbers=settings.common_random_numbers,
    )
    _check_size(sweep)
    return sweep


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise ScenarioError(
            f"{shown_path(path)}: missing [{name}] table; allowed: see docs/experiments.md"
        )
    return table


def _base_scenario(path: Path, named_by: str) -> tuple[dict[str, Any], Scenario]:
    """The raw data of the base scenario, and the scenario the schema makes of it."""
    data = read_scenario_data(path, named_by)
    return data, validate(data, source=shown_path(path))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Parameters written "committee.stallers" = ... or as nested tables, as dotted keys."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict) and not {"low", "high"} & set(value):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _parameter(
    path: Path, key: str, value: Any, method: Method, names: dict[str, dict[str, None]]
) -> Parameter:
    """One [parameters] entry, its key checked against the schema and its values validated.

    `names` holds the names of the base scenario's entries of each [[section]] list.
    """
    where = f"{shown_path(path)}: [parameters] {shown(key)}"
    field = _field(where, key, names)
    integer = field.annotation is int
    check = _value_check(where, field)
    if method == "grid":
        if not isinstance(value, list):
            raise ScenarioError(
                f"{where} = {shown(value)} is not allowed; "
                'allowed: a list of values for method = "grid"'
            )
        if not value:
            raise ScenarioError(f"{where} = [] is an empty list; allowed: at least one value")
        for item in value:
            check(item)
        return Parameter(
            key, integer, values=tuple(item if integer else float(item) for item in value)
        )
    if not isinstance(value, dict) or set(value) != {"low", "high"}:
        raise ScenarioError(
            f"{where} = {shown(value)} is not allowed; "
            f"allowed: a range {{ low = ..., high = ... }} for method = {method!r}"
        )
    low, high = value["low"], value["high"]
    for item in (low, high):
        check(item)
    if not low < high:
        raise ScenarioError(
            f"{where}: range low = {shown(low)}, high = {shown(high)} is empty; allowed: low < high"
        )
    return Parameter(key, integer, low=low, high=high)


def _field(where: str, key: str, names: dict[str, dict[str, None]]) -> FieldInfo:
    """The schema field a dotted key names; only numeric values can be swept."""
    parts = key.split(".")
    section = parts[0]
    model: type[Section]
    if section in LISTS and len(parts) == 3:
        if parts[1] not in names[section]:
            listed = listing(list(names[section])) or "none in the base scenario"
            raise ScenarioError(
                f"{where}: unknown {section[:-1]} {shown(parts[1])}; allowed: {listed}"
            )
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
        raise ScenarioError(f"{where}: {unknown_name('parameter', name, model.model_fields)}")
    if field.annotation not in (int, float):
        raise ScenarioError(
            f"{where}: {name} is text and cannot be swept; allowed: numeric parameters"
        )
    return field


def _value_check(where: str, field: FieldInfo) -> Callable[[Any], None]:
    """A check of one value against its parameter's type and limits, built once per parameter.

    Rules across parameters are checked per point, when the design's scenarios are validated.
    """
    kind: Any = Annotated[field.annotation, field]  # the parameter's type and limits
    adapter = TypeAdapter(kind)

    def check(value: Any) -> None:
        try:
            adapter.validate_python(value, strict=True)
        except ValidationError:
            raise ScenarioError(
                f"{where}: value {shown(value)} is not allowed; allowed: {allowed_values(field)}"
            ) from None

    return check


def _check_size(sweep: Sweep) -> None:
    if sweep.method == "grid":
        size = math.prod(len(p.values) for p in sweep.parameters)
        if size > MAX_POINTS:
            raise ScenarioError(
                f"{shown_path(sweep.path)}: the grid has {size} points; "
                f"allowed: at most {MAX_POINTS}"
            )
