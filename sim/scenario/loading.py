"""Loading scenarios: TOML files, `base =` chains and `key=value` overrides, validated by the schema."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .reference import allowed_values
from .schema import LISTS, SECTIONS, Scenario


class ScenarioError(Exception):
    """A user mistake in a scenario file or override: shown as one message, exit code 2."""


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise ScenarioError on any mistake."""
    data = apply_overrides(read_scenario_data(Path(path)), overrides)
    return validate(data, source=str(path))


def read_scenario_data(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's raw values merged over those of its `base` scenario, if it names one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
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


def parse_override(text: str) -> tuple[str, str, Any]:
    """Split 'section.key=value' and read the value as a TOML value.

    Bare text is a string, and so is anything given to a text key
    (--set scenario.name=2024 names the scenario "2024"). A partner's key is
    'partners.NAME.key'; the returned key is then 'NAME.key'.
    """
    target, sep, raw = text.partition("=")
    section, dot, key = target.strip().partition(".")
    key, raw = key.strip(), raw.strip()
    if not sep or not dot or not section or not key:
        raise ScenarioError(
            f"--set {text!r}: expected section.key=value, e.g. committee.stallers=4"
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


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return a copy of the scenario data with --set overrides applied (validated later)."""
    merged = {
        name: dict(values)
        if isinstance(values, dict)
        else [dict(v) if isinstance(v, dict) else v for v in values]
        if isinstance(values, list)
        else values
        for name, values in data.items()
    }
    for text in overrides:
        section, key, value = parse_override(text)
        if section in LISTS:
            table, key = _list_entry(text, merged, section, key)
        elif section in SECTIONS:
            table = merged.setdefault(section, {})
        else:
            raise ScenarioError(
                f"--set {text!r}: {_unknown('section', section, {**SECTIONS, **LISTS})}"
            )
        model = SECTIONS.get(section) or LISTS[section]
        if key not in model.model_fields:
            raise ScenarioError(
                f"--set {text!r}: {_unknown(f'key in [{section}]', key, model.model_fields)}"
            )
        if (section, key) == ("scenario", "base"):
            raise ScenarioError(f"--set {text!r}: the base scenario can only be named in the file")
        table[key] = value
    return merged


def _list_entry(
    text: str, data: dict[str, Any], section: str, key: str
) -> tuple[dict[str, Any], str]:
    """The [[section]] entry named in 'NAME.key', and the key."""
    name, dot, key = key.rpartition(".")
    entries = data.get(section, [])
    names = [entry.get("name") for entry in entries if isinstance(entry, dict)]
    if not dot or name not in names:
        listed = ", ".join(map(str, names)) or "none in this scenario"
        raise ScenarioError(
            f"--set {text!r}: expected {section}.NAME.key with NAME one of: {listed}"
        )
    return entries[names.index(name)], key


def validate(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate scenario data, turning the first problem into one readable ScenarioError."""
    for section, values in data.items():
        if section in LISTS:
            if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
                raise ScenarioError(f"{source}: {section} must be written as [[{section}]] tables")
        elif section not in SECTIONS:
            raise ScenarioError(f"{source}: {_unknown('section', section, {**SECTIONS, **LISTS})}")
        elif not isinstance(values, dict):
            raise ScenarioError(f"{source}: [{section}] must be a table of key = value lines")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_describe(exc, data, source)) from None


def _unknown(what: str, name: str, valid) -> str:
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f"; valid: {', '.join(valid)}"
    return f"unknown {what} '{name}'{hint}"


def _describe(exc: ValidationError, data: dict[str, Any], source: str) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = [str(part) for part in first["loc"]]
    more = (
        f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    )
    message = first["msg"].removeprefix("Value error, ")
    if not loc:  # a rule across sections (model validator of the whole scenario)
        return f"{source}: {message}{more}"
    section = loc[0]
    if section in LISTS and len(loc) > 1:  # ('partners', index, key...)
        index = int(loc[1])
        name = data[section][index].get("name", f"#{index + 1}")
        where, model, loc = f"[[{section}]] {name!r}:", LISTS[section], loc[2:]
    else:
        where, model, loc = f"[{section}]", SECTIONS[section], loc[1:]
    if not loc:  # a whole-section rule (model validator)
        return f"{source}: {where} {message}{more}"
    key = loc[0]
    if first["type"] == "extra_forbidden":
        return f"{source}: {where} {_unknown('key', key, model.model_fields)}{more}"
    return (
        f"{source}: {where} {key} = {first['input']!r} is not allowed; "
        f"allowed: {allowed_values(model.model_fields[key])}{more}"
    )
