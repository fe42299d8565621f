"""Loading scenarios: TOML files, `base =` chains and `key=value` overrides, checked by the schema.

`describe_error` turns pydantic's complaint into the one-line message users see; the sweep-file
schema (`sim.scenario.sweep_file`) uses it too.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from .reference import allowed_values
from .schema import LISTS, SECTIONS, Scenario

OVERRIDE = "override"  # what overrides are called in messages unless the caller names them


class ScenarioError(Exception):
    """A user mistake in a scenario file or override: shown as one message, exit code 2."""


def load_scenario(
    path: str | Path, overrides: Sequence[str] = (), origin: str = OVERRIDE
) -> Scenario:
    """Read, override and validate a scenario file; raise ScenarioError on any mistake.

    `origin` is what a faulty override is called in the message (the command line says "--set").
    """
    data = apply_overrides(read_scenario_data(Path(path)), overrides, origin)
    return validate(data, source=str(path))


def read_toml(path: Path, kind: str) -> dict[str, Any]:
    """A TOML file's contents; a missing, unreadable or malformed `kind` file is a ScenarioError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {kind} file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read {kind} file ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def read_scenario_data(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's raw values merged over those of its `base` scenario, if it names one."""
    data = read_toml(path, "scenario")
    base = (
        data.get("scenario", {}).get("base", "") if isinstance(data.get("scenario"), dict) else ""
    )
    if not base:
        return data
    if not isinstance(base, str):
        raise ScenarioError(
            f"{path}: [scenario] base = {base!r} is not allowed; allowed: a file path"
        )
    base_path = (path.parent / base).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ScenarioError(f"{path}: [scenario] base = {base!r} leads back to itself")
    merged = read_scenario_data(base_path, seen + (path.resolve(),))
    for section, values in data.items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section] = {**merged[section], **values}
        else:
            merged[section] = values
    return merged


def parse_override(text: str, origin: str = OVERRIDE) -> tuple[str, str, Any]:
    """Split 'section.key=value' and read the value as a TOML value.

    Bare text is a string, and so is anything given to a text key
    (scenario.name=2024 names the scenario "2024"). A partner's key is
    'partners.NAME.key'; the returned key is then 'NAME.key'. `origin` is what
    the override is called in an error message.
    """
    target, sep, raw = text.partition("=")
    section, dot, key = target.strip().partition(".")
    key, raw = key.strip(), raw.strip()
    if not sep or not dot or not section or not key:
        raise ScenarioError(
            f"{origin} {text!r}: expected section.key=value, e.g. committee.stallers=4"
        )
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    model = SECTIONS.get(section) or LISTS.get(section)
    field = model.model_fields.get(key.rpartition(".")[2]) if model else None
    if field is not None and field.annotation is str and not isinstance(value, str):
        value = raw
    return section, key, value


def apply_overrides(
    data: dict[str, Any], overrides: Sequence[str], origin: str = OVERRIDE
) -> dict[str, Any]:
    """Return a copy of the scenario data with overrides applied (validated later).

    `origin` is what a faulty override is called in the message (the command line says "--set").
    """
    merged: dict[str, Any] = {
        name: dict(values)
        if isinstance(values, dict)
        else [dict(v) if isinstance(v, dict) else v for v in values]
        if isinstance(values, list)
        else values
        for name, values in data.items()
    }
    for text in overrides:
        section, key, value = parse_override(text, origin)
        table: dict[str, Any]
        if section in LISTS:
            table, key = _list_entry(f"{origin} {text!r}", merged, section, key)
        elif section in SECTIONS:
            table = merged.setdefault(section, {})
        else:
            raise ScenarioError(
                f"{origin} {text!r}: {unknown_name('section', section, {**SECTIONS, **LISTS})}"
            )
        model = SECTIONS.get(section) or LISTS[section]
        if key not in model.model_fields:
            what = f"key in [{section}]"
            raise ScenarioError(f"{origin} {text!r}: {unknown_name(what, key, model.model_fields)}")
        if (section, key) == ("scenario", "base"):
            raise ScenarioError(
                f"{origin} {text!r}: the base scenario can only be named in the file"
            )
        table[key] = value
    return merged


def _list_entry(
    where: str, data: dict[str, Any], section: str, key: str
) -> tuple[dict[str, Any], str]:
    """The [[section]] entry named in 'NAME.key', and the key."""
    name, dot, key = key.rpartition(".")
    entries = data.get(section, [])
    names = [entry.get("name") for entry in entries if isinstance(entry, dict)]
    if not dot or name not in names:
        listed = ", ".join(map(str, names)) or "none in this scenario"
        raise ScenarioError(f"{where}: expected {section}.NAME.key with NAME one of: {listed}")
    return entries[names.index(name)], key


def validate(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate scenario data, turning the first problem into one readable ScenarioError."""
    for section, values in data.items():
        if section in LISTS:
            if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
                raise ScenarioError(f"{source}: {section} must be written as [[{section}]] tables")
        elif section not in SECTIONS:
            raise ScenarioError(
                f"{source}: {unknown_name('section', section, {**SECTIONS, **LISTS})}"
            )
        elif not isinstance(values, dict):
            raise ScenarioError(f"{source}: [{section}] must be a table of key = value lines")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(describe_error(exc, data, source, Scenario)) from None


def unknown_name(what: str, name: str, valid: Iterable[str]) -> str:
    """'unknown key 'stalers'; did you mean 'stallers'?', or the valid names if none is close."""
    valid = list(valid)
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f"; valid: {', '.join(valid)}"
    return f"unknown {what} '{name}'{hint}"


def describe_error(
    exc: ValidationError,
    data: dict[str, Any],
    source: str,
    model: type[BaseModel],
    where: str = "",
) -> str:
    """Pydantic's first complaint as one line: file, table, key, value and what is allowed.

    `model` is what `data` was validated as, and `where` names its table if it is one
    ("[sweep]"). The error's location is followed down through the model's tables: a
    [section], or an entry of a [[section]] list, named by its `name`.
    """
    errors = exc.errors()
    first = errors[0]
    more = (
        f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    )
    message = first["msg"].removeprefix("Value error, ")
    loc = [str(part) for part in first["loc"]]
    while loc and (table := _table_model(model, loc[0])):
        section, model = loc[0], table
        if section in data and isinstance(data[section], list) and len(loc) > 1:
            index = int(loc[1])
            name = data[section][index].get("name", f"#{index + 1}")
            where, data, loc = f"[[{section}]] {name!r}:", data[section][index], loc[2:]
        else:
            where, data, loc = f"[{section}]", data.get(section, {}), loc[1:]
    start = f"{source}: {where} " if where else f"{source}: "
    if not loc:  # a rule across keys: a model validator of the table, or of the whole file
        return f"{start}{message}{more}"
    key = loc[0]
    if first["type"] == "extra_forbidden":
        return f"{start}{unknown_name('key', key, model.model_fields)}{more}"
    allowed = allowed_values(model.model_fields[key])
    if first["type"] == "missing":
        return f"{start}{key} is missing; allowed: {allowed}{more}"
    return f"{start}{key} = {first['input']!r} is not allowed; allowed: {allowed}{more}"


def _table_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of a table (or of each entry of a list of tables) held in `key`, if it is one."""
    field = model.model_fields.get(key)
    if field is None:
        return None
    for kind in (field.annotation, *get_args(field.annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
    return None
